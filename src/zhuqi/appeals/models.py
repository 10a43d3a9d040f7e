from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals.lifecycle import EVENT_LABELS, OPEN_STATES, VOID_STATES, State  # noqa: F401  (their home is the lifecycle)
from zhuqi.directory.models import Department, Enterprise, ServiceCategory, Town


class Urgency(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    MAJOR = "major", _("Major")


class Channel(models.TextChoices):
    WEB = "web", _("Enterprise online")
    VISIT = "visit", _("Recorded on a visit")
    PHONE = "phone", _("Recorded from a phone call")
    HOTLINE = "hotline", _("12345 hotline")
    IMPORT = "import", _("Imported ledger")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")


class CloseReason(models.TextChoices):
    RATED = "rated", _("Rated by the enterprise")
    UNRATED = "unrated", _("Closed unrated after the rating period")


SUPERVISED_STATES = (State.DISPATCHED, State.ACCEPTED, State.ESCALATED)  # the resolution deadline runs


def first_sweep_at(appeal) -> datetime | None:
    """The sweep looks at a handled appeal from its resolution deadline on, and at a replied one from
    its reply on (the sweep then moves it to the end of the rating period); at nothing else."""
    if appeal.state in SUPERVISED_STATES and appeal.department_id and appeal.resolve_due:
        return appeal.resolve_due
    if appeal.state == State.REPLIED and appeal.replied_at:
        return appeal.replied_at
    return None


class Appeal(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="appeals")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="appeals")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    within_policy = models.BooleanField(_("within the published policy list"), default=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # NULL, not "", means "no key": the partial unique constraint below must ignore keyless appeals.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("department"),
    )
    version = models.PositiveIntegerField(default=0)  # optimistic lock: two handlers, one wins
    reopen_count = models.PositiveSmallIntegerField(default=0)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    dispatch_due = models.DateTimeField(_("dispatch due"), null=True, blank=True)
    progress_due = models.DateTimeField(_("progress report due"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=10, choices=CloseReason.choices, blank=True)
    on_time = models.BooleanField(null=True)  # replied by resolve_due; set on reply
    # Working days from submission to closing, stored when the appeal closes so the KPIs aggregate it
    # in SQL; `zhuqi appeals recompute-handling` rewrites it after a change of the calendar's past.
    handling_days = models.IntegerField(null=True, blank=True)
    # When the periodic sweep must next look at this appeal (a deadline or the end of the rating period
    # may pass); NULL: never. Reset on every save, moved on by the sweep, so a sweep reads only the
    # appeals whose moment came (services.sweep).
    sweep_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("appeal")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                name="one_appeal_per_idempotency_key",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["enterprise", "state"]),
            # The ledger's order: its pages walk this index for their ids (core.pagination).
            models.Index(fields=["-created_at", "-id"], name="appeal_ledger_order"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sweep_at = first_sweep_at(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sweep_at"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AppealEvent(models.Model):
    """Every hop of an appeal: who, when, from which state to which, the department, the comment."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    LABELS = EVENT_LABELS  # the lifecycle names every entry of the trail

    class Meta:
        verbose_name = _("appeal event")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.appeal_id} {self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self):
        return self.LABELS.get(self.action, self.action)

    @property
    def from_label(self):
        return State(self.from_state).label if self.from_state else "—"

    @property
    def to_label(self):
        return State(self.to_state).label if self.to_state else "—"


class DeadlineRule(models.Model):
    """Working days allowed for each stage, per category (or every category) and urgency."""

    category = models.ForeignKey(
        ServiceCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    dispatch_days = models.PositiveSmallIntegerField(_("dispatch within (working days)"), default=1)
    progress_days = models.PositiveSmallIntegerField(_("progress report within (working days)"), default=3)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=7)

    class Meta:
        verbose_name = _("deadline rule")
        constraints = [models.UniqueConstraint(fields=["category", "urgency"], name="one_deadline_rule")]

    def __str__(self):
        return f"{self.category or '*'} {self.urgency}: {self.resolve_days}"


class Supervision(models.Model):
    """督办: raised once per appeal, department and warning level when an appeal turns yellow or red."""

    class Level(models.TextChoices):
        YELLOW = "yellow", _("Overdue (yellow)")
        RED = "red", _("Long overdue (red)")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supervisions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision order")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "department", "level"], name="one_supervision_per_level"
            )
        ]

    def __str__(self):
        return f"{self.appeal_id} {self.level}"


class CoordinationItem(models.Model):
    """一企一策: an appeal put before the coordination meeting, and the meeting's decision."""

    class Reason(models.TextChoices):
        REOPENED_TWICE = "reopened_twice", _("Reopened a second time")
        OUTSIDE_POLICY = "outside_policy", _("Outside the published policy list")
        MANUAL = "manual", _("Escalated by the coordinating office")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="coordination_items")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.TextField(_("decision"), blank=True)
    owner = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("coordination item")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.appeal_id} {self.reason}"


class KpiCell(models.Model):
    """The KPI rollup at province scale (kpis.py): the KPI counters of the appeals submitted in one month
    (as seen in Shanghai) with one department, town or category (by `dimension`; all of them for
    "month") and one handling time. Rebuilt by the worker (`kpis.refresh_rollup`) once the ledger is
    past ZHUQI_KPI_ROLLUP_FROM appeals, so pages sum a few thousand cells instead of a million appeals."""

    dimension = models.CharField(max_length=10)  # department | town | category | month
    month = models.DateField()
    department = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Town, null=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ServiceCategory, null=True, on_delete=models.CASCADE, related_name="+")
    handling = models.IntegerField(null=True)
    count = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dimension", "month"])]

    def __str__(self):
        return f"{self.dimension} {self.month} {self.count}"


class KpiRollup(models.Model):
    """When the KPI rollup was rebuilt (one row; none: the pages compute the KPIs live)."""

    refreshed_at = models.DateTimeField()
    appeals = models.PositiveIntegerField(default=0)  # counted appeals in the rollup
    stamp = models.CharField(max_length=64, blank=True)  # core.changes of what it read, when it was built

    def __str__(self):
        return f"{self.refreshed_at}"
