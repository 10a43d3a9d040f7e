"""Targets broken down to the month, the monthly actuals they are compared with, and the warnings centre.

Seed 003 三(一)2: 「将……目标细化分解到年，按年分解到季，按季分解到月，按月进行监测分析对比」 — a target is an
annual figure per indicator and scope (the city or a town), with twelve months that sum to it exactly.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Town


class Method(models.TextChoices):
    SEASONAL = "seasonal", _("By the seasonal profile of the previous three years")
    EVEN = "even", _("Evenly over the months")
    QUARTERS = "quarters", _("By hand, by quarter")
    MONTHS = "months", _("By hand, by month")


class Target(models.Model):
    """The annual target of one measure (`monitoring/measures.py`) for one year and scope."""

    measure = models.CharField(_("indicator"), max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    town = models.ForeignKey(
        Town, null=True, blank=True, on_delete=models.PROTECT, related_name="targets", verbose_name=_("town")
    )
    # An industry chain's target (its members) or a programme's (its current pilots); at most one scope.
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("industry chain"),
    )
    programme = models.ForeignKey(
        "programs.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("programme"),
    )
    annual = models.DecimalField(_("annual target"), max_digits=18, decimal_places=2)
    method = models.CharField(_("breakdown"), max_length=10, choices=Method.choices, default=Method.SEASONAL)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        ordering = ["year", "measure", "town__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year", "town"], name="one_town_target", condition=Q(town__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["measure", "year"],
                name="one_city_target",
                condition=Q(town__isnull=True, chain__isnull=True, programme__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["measure", "year", "chain"], name="one_chain_target", condition=Q(chain__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["measure", "year", "programme"],
                name="one_programme_target",
                condition=Q(programme__isnull=False),
            ),
            models.CheckConstraint(
                name="target_has_one_scope",
                condition=Q(chain__isnull=True, programme__isnull=True)
                | Q(town__isnull=True, chain__isnull=True)
                | Q(town__isnull=True, programme__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.measure} {self.town or self.chain or self.programme or 'city'}"

    @property
    def scope_kind(self) -> str:
        """city | town | chain | programme"""
        if self.town_id:
            return "town"
        if self.chain_id:
            return "chain"
        if self.programme_id:
            return "programme"
        return "city"


class TargetMonth(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["target", "month"], name="one_amount_per_month")]

    def __str__(self):
        return f"{self.target_id}/{self.month}={self.amount}"


class TargetVersion(models.Model):
    """Every version of a target as it was saved: the annual figure, the twelve months and who set them."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    annual = models.DecimalField(max_digits=18, decimal_places=2)
    method = models.CharField(max_length=10, choices=Method.choices)
    months = models.JSONField()  # twelve amounts as strings, January first
    note = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["target", "version"], name="one_row_per_version")]

    def __str__(self):
        return f"{self.target_id} v{self.version}"


class Actual(models.Model):
    """The rollup the cockpit reads: the sum of the best values (directory/figures.py precedence) of one
    indicator over one town's enterprises for a month (1–12) or the year (0). Rebuilt per year by
    `actuals.refresh` (the worker's sweep, `zhuqi monitoring refresh`), so no page sums raw values."""

    indicator = models.CharField(max_length=24)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()  # 0: the annual value
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=2)
    enterprises = models.PositiveIntegerField(default=0)  # enterprises with a value

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "month", "town"], name="one_actual_per_cell")
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}/{self.month} {self.town_id}={self.value}"


class ActualsRefresh(models.Model):
    """When the rollup of a year was last rebuilt (the cockpit says "as of")."""

    year = models.PositiveSmallIntegerField(unique=True)
    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.year}: {self.refreshed_at}"


class Level(models.TextChoices):
    BLUE = "blue", _("Coming soon")
    YELLOW = "yellow", _("Attention")
    RED = "red", _("Serious")


class WarningState(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    HANDLED = "handled", _("Handled")
    RESOLVED = "resolved", _("Resolved by itself")


OPEN_WARNING_STATES = (WarningState.NEW, WarningState.ACKNOWLEDGED)


class KindRule(models.Model):
    """A kind of warning as data: on or off, its thresholds, and who is told (besides the people the
    finding names). The office edits them; the sweep reads them."""

    kind = models.CharField(max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    notify_office = models.BooleanField(_("tell the coordinating office"), default=True)
    notify_department = models.BooleanField(_("tell the department's people"), default=True)
    notify_town = models.BooleanField(_("tell the town's officers"), default=True)
    notify_from = models.CharField(
        _("tell from level"), max_length=8, choices=Level.choices, default=Level.YELLOW
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.kind


class Warning(models.Model):
    """One warning of the centre: raised once per (kind, subject, period) by the sweep."""

    kind = models.CharField(_("kind"), max_length=40)
    subject_type = models.CharField(max_length=60)
    subject_id = models.BigIntegerField()
    period = models.CharField(_("period"), max_length=20)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    text = models.CharField(_("warning"), max_length=500)
    since = models.DateField(_("since"))
    link = models.CharField(max_length=300, blank=True)
    town = models.ForeignKey(
        Town, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("town")
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    state = models.CharField(
        _("state"), max_length=14, choices=WarningState.choices, default=WarningState.NEW
    )
    note = models.TextField(_("note"), blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()  # the last sweep that found it
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("warning")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "period"], name="one_warning_per_subject_period"
            )
        ]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["town", "state"]),
            models.Index(fields=["department", "state"]),
            models.Index(fields=["-raised_at", "-id"], name="warning_newest"),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject_type}#{self.subject_id} {self.period}"

    @property
    def number(self) -> str:
        return str(self.pk)


class SweepStamp(models.Model):
    """What a kind's provider read at its last pass (warnings._stamp: the day, and the change counters of
    the tables it declares), so the next sweep skips it when nothing it reads has changed."""

    kind = models.CharField(max_length=40, unique=True)
    stamp = models.CharField(max_length=64)
    clock = models.JSONField(default=dict, blank=True)  # what a kind that moves with the clock kept
    swept_at = models.DateTimeField()

    def __str__(self):
        return f"{self.kind} {self.swept_at}"
