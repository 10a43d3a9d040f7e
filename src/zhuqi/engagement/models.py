"""Engagement (包联服务, issue 11): tracked tasks (督办事项), visits and contacts with their cadence,
meetings, liaison tier proposals and major-event reports."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Enterprise
from zhuqi.engagement.lifecycle import EventState, ProposalState, TaskState


class Task(models.Model):
    """A tracked item (督办事项): an owner (a department, a person or both) answers for it by a due
    date until it is closed out (销号, with a note) or cancelled. Made by meetings' decisions, chain
    tasks (stream F), supervision items (stream H) or by hand; `source` points at what made it."""

    class Source(models.TextChoices):
        MEETING = "meeting", _("Meeting decision")
        CHAIN = "chain", _("Industry chain task")
        SUPERVISION = "supervision", _("Supervision item")
        VISIT = "visit", _("Visit follow-up")
        MAJOR_EVENT = "major_event", _("Major event follow-up")
        MANUAL = "manual", _("Assigned by hand")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    owner_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("owner department"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
        verbose_name=_("owner"),
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    due_on = models.DateField(_("due date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    state = models.CharField(
        _("state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("tracked task")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="task_has_owner",
                condition=Q(owner_department__isnull=False) | Q(owner_user__isnull=False),
            ),
            models.CheckConstraint(
                name="task_source_reference_whole",
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_label(self) -> str:
        parts = [str(p) for p in (self.owner_department, self.owner_user) if p is not None]
        return "／".join(parts)


class TierProposal(models.Model):
    """What the tier run (seed 000 三(四)) proposes when an enterprise's main revenue moves it to
    another tier (or below every tier): the office accepts (naming the leader) or rejects it; the run
    itself never changes an assignment."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tier_proposals")
    assignment = models.ForeignKey(
        "directory.LiaisonAssignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_tier = models.CharField(_("current tier"), max_length=16, blank=True)
    proposed_tier = models.CharField(_("proposed tier"), max_length=16, blank=True)  # "": no liaison
    revenue = models.DecimalField(_("main revenue"), max_digits=18, decimal_places=2)
    revenue_year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("liaison tier proposal")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                name="one_pending_proposal_per_enterprise",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self):
        return f"{self.enterprise}: {self.current_tier or '-'} → {self.proposed_tier or '-'}"


class VisitKind(models.TextChoices):
    PHONE = "phone", _("Phone contact")
    WECHAT = "wechat", _("WeChat contact")
    ONSITE = "onsite", _("On-site visit")
    MEETING = "meeting", _("Meeting")


class Visit(models.Model):
    """A contact or visit (周联系、月走访) of an enterprise, following the 三问三带四帮 template of seed
    004 二: 问现状、问需求、问环境; 带职能部门 (the departments taken along), 带优质服务, 带优良作风;
    帮思路、帮转型、帮解难、帮长效. Problems found become appeals on the visit channel (`appeals`)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="visits")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits_led",
        verbose_name=_("liaison leader"),
    )
    unit = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    visited_on = models.DateField(_("date"))
    participants = models.CharField(_("who went"), max_length=200, blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="visits", verbose_name=_("departments taken along (带职能部门)")
    )
    # 三问
    ask_status = models.TextField(_("current situation (问现状)"), max_length=2000, blank=True)
    ask_needs = models.TextField(_("needs (问需求)"), max_length=2000, blank=True)
    ask_environment = models.TextField(_("business environment (问环境)"), max_length=2000, blank=True)
    # 三带 (the departments are above)
    brought_service = models.CharField(_("services brought (带优质服务)"), max_length=500, blank=True)
    brought_conduct = models.BooleanField(_("conduct rules kept (带优良作风)"), default=True)
    # 四帮
    help_ideas = models.TextField(_("ideas (帮思路)"), max_length=2000, blank=True)
    help_transform = models.TextField(_("transformation (帮转型)"), max_length=2000, blank=True)
    help_solve = models.TextField(_("problems solved on the spot (帮解难)"), max_length=2000, blank=True)
    help_longterm = models.TextField(_("lasting arrangements (帮长效)"), max_length=2000, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    appeals = models.ManyToManyField("appeals.Appeal", blank=True, related_name="visits")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["leader", "enterprise", "visited_on"]),
            models.Index(fields=["visited_on"]),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.visited_on}"


class CadenceRule(models.Model):
    """How often a liaison must reach each of its enterprises, as data: at least one contact of the
    counted kinds per period (seed 000 四(五)4: a visit each quarter; seed 004 二: 周联系、月走访)."""

    class Period(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    kinds = models.JSONField(_("kinds counted"), default=list)  # VisitKind values
    remind_days = models.PositiveSmallIntegerField(_("remind days before the period ends"), default=2)
    source = models.CharField(_("source"), max_length=200)  # the document and paragraph
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cadence rule")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Meeting(models.Model):
    """季调度 and face-to-face meetings (seed 004 二: 座谈会、企业家早餐会 each quarter; seed 003:
    现场办公会); its decisions become tracked tasks (source: meeting)."""

    class Kind(models.TextChoices):
        DISPATCH = "dispatch", _("Quarterly dispatch meeting (季调度)")
        SYMPOSIUM = "symposium", _("Face-to-face symposium (座谈会)")
        BREAKFAST = "breakfast", _("Entrepreneurs' breakfast (企业家早餐会)")
        ONSITE_OFFICE = "onsite_office", _("On-site office meeting (现场办公会)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair"),
    )
    enterprises = models.ManyToManyField(
        Enterprise, blank=True, related_name="meetings", verbose_name=_("enterprises")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="meetings", verbose_name=_("departments")
    )
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class MajorEvent(models.Model):
    """A major-event report (重大事项报告, seed 003 三(一)6), followed like a ledger item."""

    class Kind(models.TextChoices):
        PRODUCTION_STOP = "production_stop", _("Production stopped or cut (停产/减产)")
        RELOCATION = "relocation", _("Relocation (搬迁)")
        INVESTMENT = "investment", _("Major investment (重大投资)")
        OWNERSHIP = "ownership", _("Change of ownership or leadership (股权/领导班子变更)")
        LISTING = "listing", _("Listing (上市)")
        INCIDENT = "incident", _("Safety or environmental incident (安全/环保事故)")
        LAYOFFS = "layoffs", _("Mass layoffs (大规模裁员)")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="major_events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    state = models.CharField(
        _("state"), max_length=14, choices=EventState.choices, default=EventState.REPORTED, db_index=True
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("major event")
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return self.title


class MajorEventNote(models.Model):
    event = models.ForeignKey(MajorEvent, on_delete=models.CASCADE, related_name="notes")
    action = models.CharField(max_length=16)
    note = models.TextField(max_length=2000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.note[:40]


class VisitReminder(models.Model):
    """A reminder sent for one rule, assignment and period: each is sent once."""

    rule = models.ForeignKey(CadenceRule, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey("directory.LiaisonAssignment", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "assignment", "period_start"], name="one_reminder_per_period"
            )
        ]

    def __str__(self):
        return f"{self.rule_id}/{self.assignment_id}/{self.period_start}"
