"""Cultivation: pools of enterprises brought on year by year (种子培育库, 瞪羚, 上市后备, 小升规), the
yearly key lists (seed 003 三(一)5) and the targets of the tier ladder (seed 002 (二)6, (四)13, (四)14).

A pool's members are kept per year: a membership is proposed by the rules (cultivation/packs), admitted
or declined by the coordinating office, and may leave during the year with a reason. Every change is a
service function that writes the audit trail (services.py); which change is allowed from which state,
and to whom, is the table of lifecycle.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoolKind(models.TextChoices):
    SEED = "seed", _("Seed bank (种子培育库)")
    GAZELLE = "gazelle", _("Gazelle pool (瞪羚企业培育库)")
    PRE_IPO = "pre_ipo", _("Listing reserve (上市后备企业库)")
    UPSCALE = "upscale", _("Small-to-above-scale pool (小升规培育库)")
    # The three lists of seed 002 (四)14, kept by the rules alone (services.upscale_refresh): an
    # enterprise enters when the rule finds it and leaves when it no longer does.
    NEAR = "near", _("Near above-scale list (准规上企业清单)")
    FIRST = "first", _("First-report list (拟入库企业清单)")
    DROP = "drop", _("Drop-out risk list (易退库企业清单)")


POOLS = (PoolKind.SEED, PoolKind.GAZELLE, PoolKind.PRE_IPO, PoolKind.UPSCALE)
RULE_LISTS = (PoolKind.NEAR, PoolKind.FIRST, PoolKind.DROP)


class MembershipState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the rules")
    ADMITTED = "admitted", _("Admitted")
    DECLINED = "declined", _("Declined")
    EXITED = "exited", _("Left the pool")


class PoolTarget(models.Model):
    """The yearly target of a pool. For 小升规 it is the number of enterprises to bring into 规上 that
    year, by town (seed 002 (四)14); the pool is sized from it (sizing.pool_size). For the other pools
    the target is city-wide (town empty): how many members the office means to cultivate."""

    kind = models.CharField(_("pool"), max_length=10, choices=PoolKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    town = models.ForeignKey(
        "directory.Town",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("town"),
    )
    target = models.PositiveIntegerField(_("target"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pool target")
        ordering = ["kind", "year", "town__code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "town"], name="one_pool_target_per_town"),
            models.UniqueConstraint(
                fields=["kind", "year"], condition=Q(town__isnull=True), name="one_citywide_pool_target"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.year} {self.town_id or '-'}: {self.target}"


class Membership(models.Model):
    """An enterprise in a pool for a year: why and when it entered, why and when it left, the
    department responsible and its helper (服务专员, seed 001 二 一是)."""

    kind = models.CharField(_("pool"), max_length=10, choices=PoolKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        on_delete=models.CASCADE,
        related_name="pool_memberships",
        verbose_name=_("enterprise"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MembershipState.choices, default=MembershipState.PROPOSED
    )
    proposed_by_rules = models.BooleanField(_("proposed by the rules"), default=True)
    # What the rules saw when they proposed it (run rate, threshold, revenue…), as text decimals.
    facts = models.JSONField(default=dict, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    entered_on = models.DateField(_("entered on"), null=True, blank=True)
    entry_reason = models.CharField(_("reason of entry"), max_length=200, blank=True)
    exited_on = models.DateField(_("left on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason of leaving"), max_length=200, blank=True)
    department = models.ForeignKey(
        "directory.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helped_memberships",
        verbose_name=_("helper (服务专员)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pool membership")
        ordering = ["kind", "-year", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "enterprise"], name="one_membership_per_pool_year"
            )
        ]
        indexes = [models.Index(fields=["kind", "year", "state"])]

    def __str__(self):
        return f"{self.kind} {self.year} {self.enterprise_id} {self.state}"


class HelpNote(models.Model):
    """Help given to a member (a visit, a problem solved, a loan arranged): what the 易退库 list shows."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="help_notes")
    # A user is deactivated, not deleted; if one is deleted, the help it recorded stays.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    helped_on = models.DateField(_("date"))
    text = models.CharField(_("help given"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("help note")
        ordering = ["-helped_on", "-id"]

    def __str__(self):
        return f"{self.membership_id} {self.helped_on}"


class ListKind(models.TextChoices):
    SCALE = "scale", _("Scale leaders (规模优势企业)")
    GROWTH = "growth", _("High-growth enterprises (高成长企业)")
    STRENGTH = "strength", _("Industry leaders (行业强企)")
    PROJECTS = "projects", _("Projects over 100 million yuan (超亿元项目)")


class ListState(models.TextChoices):
    DRAFT = "draft", _("Proposal under review")
    PUBLISHED = "published", pgettext_lazy("key list state", "Published")


class KeyList(models.Model):
    """One year's list of one kind (seed 003 三(一)5): proposed by the rule, reviewed, published."""

    kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=ListState.choices, default=ListState.DRAFT)
    size = models.PositiveIntegerField(_("places"), default=100)
    # The rule the office edits: the figures it ranks by and their bounds (keylists.RULE_FIELDS).
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key list")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="one_key_list_per_kind_year")]

    def __str__(self):
        return f"{self.kind} {self.year}"


class EntryState(models.TextChoices):
    IN = "in", _("On the list")
    REMOVED = "removed", _("Removed by the office")
    LATE = "late", _("Out: figures not reported on time")
    # Projects only (seed 003 三(一)5: 「不能按计划开工或工程进展缓慢的项目」): red on the proposal day.
    BEHIND = "behind", _("Out: not started on plan or progressing slowly")


class KeyListEntry(models.Model):
    """An enterprise on one of the three enterprise lists, or a key project (projects.Project) on the
    list of projects over 100,000,000 yuan: exactly one of the two is set."""

    key_list = models.ForeignKey(KeyList, on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("key project"),
    )
    state = models.CharField(_("state"), max_length=8, choices=EntryState.choices, default=EntryState.IN)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=20, decimal_places=4, null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    added_by_office = models.BooleanField(default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("key list entry")
        ordering = ["state", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key_list", "enterprise"], name="one_entry_per_list_enterprise"),
            models.UniqueConstraint(fields=["key_list", "project"], name="one_entry_per_list_project"),
            models.CheckConstraint(
                name="key_list_entry_enterprise_or_project",
                condition=Q(enterprise__isnull=False, project__isnull=True)
                | Q(enterprise__isnull=True, project__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.key_list_id} {self.enterprise_id or self.project_id} {self.state}"

    @property
    def subject(self):
        """What is listed: the enterprise, or the project."""
        return self.project if self.project_id else self.enterprise

    @property
    def town(self):
        return self.subject.town


class Tier(models.TextChoices):
    INNOVATIVE = "innovative", _("Innovative SME (创新型中小企业)")
    SPECIALISED = "specialised", _("Specialised SME (专精特新中小企业)")
    LITTLE_GIANT = "little_giant", _("Little giant (专精特新“小巨人”)")
    ABOVE_SCALE = "above_scale", _("Above designated size (规上企业)")


class LadderTarget(models.Model):
    """How many enterprises are to reach a tier in a year (新增), city-wide or by town (seed 002 (二)6,
    (四)13, (四)14)."""

    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.CharField(_("tier"), max_length=14, choices=Tier.choices)
    town = models.ForeignKey(
        "directory.Town",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("town"),
    )
    target = models.PositiveIntegerField(_("target"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tier target")
        ordering = ["year", "tier", "town__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "tier", "town"], name="one_ladder_target_per_town"),
            models.UniqueConstraint(
                fields=["year", "tier"], condition=Q(town__isnull=True), name="one_citywide_ladder_target"
            ),
        ]

    def __str__(self):
        return f"{self.tier} {self.year} {self.town_id or '-'}: {self.target}"
