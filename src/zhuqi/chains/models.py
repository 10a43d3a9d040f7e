"""Industry chains (产业链) with the 四个一 of seed 002 二(一)1 — one chain, one 链长 (a leader),
one 链主 (a lead enterprise), one 专班 (a task force led by a department) — their member
enterprises, weak links to fill (补链/延链) with candidate enterprises, and their key tasks; and the
matchmaking events (产销, 银企, 用工/招工, 产学研 对接) with their outcomes and yearly quotas."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Enterprise, Town


class Position(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream (上游)")
    CORE = "core", _("Core (核心)")
    DOWNSTREAM = "downstream", _("Downstream (下游)")


class Chain(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("chain name"), max_length=100, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_chains",
        verbose_name=_("chain chief (链长)"),
    )
    lead_enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_chains",
        verbose_name=_("chain leader enterprise (链主)"),
    )
    lead_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_chains",
        verbose_name=_("task force lead department (专班)"),
    )
    plan = models.TextField(_("plan"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("industry chain")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Member(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="members")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="chain_memberships", verbose_name=_("enterprise")
    )
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    product = models.CharField(_("product"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("chain member")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "enterprise"], name="one_membership_per_chain")
        ]

    def __str__(self):
        return f"{self.chain_id} {self.enterprise_id}"


class Gap(models.Model):
    """A weak link of a chain to fill (补链) or a link to add (延链), and whether it is filled."""

    class Kind(models.TextChoices):
        FILL = "fill", _("Fill a missing link (补链)")
        EXTEND = "extend", _("Extend the chain (延链)")

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="gaps")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    title = models.CharField(_("link"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    filled_by = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filled by"),
    )
    filled_on = models.DateField(_("filled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("weak link")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class Candidate(models.Model):
    """An enterprise that could fill a weak link: one of the directory, or one elsewhere (招商)."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        CONTACTED = "contacted", _("In contact")
        SIGNED = "signed", _("Signed")

    gap = models.ForeignKey(Gap, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("enterprise name"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("candidate enterprise")
        ordering = ["id"]

    def __str__(self):
        return self.name


class EventKind(models.TextChoices):
    SUPPLY = "supply", _("Supply and sales matchmaking (产销对接)")
    FINANCE = "finance", _("Bank and enterprise matchmaking (银企对接)")
    LABOUR = "labour", _("Labour matchmaking (用工对接)")
    RECRUITMENT = "recruitment", _("Recruitment fair (招工活动)")
    RESEARCH = "research", _("Industry, university and research matchmaking (产学研对接)")


class Event(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # The organiser: a department, or a town; an event of a town-level department is its town's too.
    organiser_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organising department"),
    )
    organiser_town = models.ForeignKey(
        Town,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organising town"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chain = models.ForeignKey(
        Chain,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("industry chain"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    note = models.TextField(_("note"), blank=True)
    enterprises = models.ManyToManyField(
        Enterprise, blank=True, related_name="events", verbose_name=_("enterprises")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matchmaking event")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "held_on"])]
        constraints = [
            models.CheckConstraint(
                name="event_has_an_organiser",
                condition=Q(organiser_department__isnull=False) | Q(organiser_town__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def organiser(self):
        return self.organiser_department or self.organiser_town


class Partner(models.Model):
    class Kind(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        BANK = "bank", _("Bank")
        SCHOOL = "school", _("School or research institute")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("partner")
        ordering = ["kind", "id"]

    def __str__(self):
        return self.name


class Outcome(models.Model):
    """What an event brought: an agreement signed (its value), a loan granted (its amount), people
    hired (how many); each with the date to follow it up and, once done, the follow-up."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement signed")
        LOAN = "loan", _("Loan granted")
        HIRE = "hire", _("People hired")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    value = models.DecimalField(_("value (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_note = models.CharField(_("follow-up"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("event outcome")
        ordering = ["follow_up_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="outcome_value_not_negative", condition=Q(value__isnull=True) | Q(value__gte=0)
            )
        ]

    def __str__(self):
        return f"{self.event_id} {self.kind}"


class Quota(models.Model):
    """A yearly minimum of events of a kind: for the whole county or city, for one department, or for
    each town (seed 002 二(一)4, 二(五)23). `counts` names the kinds of event it counts."""

    class Scope(models.TextChoices):
        TOTAL = "total", _("Whole area")
        DEPARTMENT = "department", _("One department")
        EACH_TOWN = "each_town", _("Each town")

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    minimum = models.PositiveIntegerField(_("at least"))
    counts = models.JSONField(_("kinds counted"), default=list)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("event quota")
        ordering = ["year", "kind", "scope", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "scope", "department"], name="one_quota_per_organiser"
            ),
            models.CheckConstraint(
                name="department_quota_names_a_department",
                condition=~Q(scope="department") | Q(department__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.kind} {self.scope} ≥ {self.minimum}"
