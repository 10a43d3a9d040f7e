"""Tiered cultivation of quality SMEs (工信部企业〔2022〕63号): the tier an enterprise is recognised in,
with its history; the facts the tier criteria read that the directory's indicators do not hold; the
yearly assessment of every enterprise against the three tier packs.

A Recognition is one recognising decision (an enterprise, a tier, a level, the document and its date,
the expiry). Renewal is a new Recognition; nothing is overwritten, so the rows of an enterprise are
its history. A recognition is in force on a day when it was recognised on or before it, has not
expired and was not revoked.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Enterprise


class Tier(models.TextChoices):
    """The ladder, lowest first (seed 002 (四)13: 创新型 → 专精特新 → 小巨人)."""

    INNOVATIVE = "innovative", _("Innovative SME (创新型中小企业)")
    SPECIALISED = "specialised", _("Specialised SME (专精特新中小企业)")
    LITTLE_GIANT = "little_giant", _("Little giant (专精特新“小巨人”企业)")


LADDER = [Tier.INNOVATIVE, Tier.SPECIALISED, Tier.LITTLE_GIANT]


def next_tier(tier: str | None) -> str | None:
    if tier is None:
        return Tier.INNOVATIVE
    i = LADDER.index(tier)
    return LADDER[i + 1] if i + 1 < len(LADDER) else None


class Level(models.TextChoices):
    NATIONAL = "national", _("National (国家级)")
    PROVINCIAL = "provincial", _("Provincial (省级)")
    CITY = "city", _("City (市级)")


class RecognitionQuerySet(models.QuerySet):
    def in_force(self, day: date):
        return self.filter(recognised_on__lte=day, revoked_on__isnull=True).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


class Recognition(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="recognitions")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    document = models.CharField(_("recognising document"), max_length=120)
    recognised_on = models.DateField(_("recognised on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tier recognition")
        ordering = ["-recognised_on", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "tier"]),
            models.Index(fields=["tier", "expires_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "tier", "level", "recognised_on"], name="tiers_recognition_once"
            )
        ]

    def __str__(self):
        return f"{self.enterprise} {self.get_tier_display()} {self.recognised_on}"

    def in_force(self, day: date) -> bool:
        return (
            self.recognised_on <= day
            and self.revoked_on is None
            and (self.expires_on is None or self.expires_on >= day)
        )


class TierFact(models.Model):
    """A fact the tier criteria read that is not a periodic indicator: an award, a title, an R&D
    institution, the field of the main product, a count of IP by class as of a day. Kept with its
    source and date; the newest (as_of) of a key on or before the assessed day is the one read."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tier_facts")
    key = models.CharField(_("fact"), max_length=32)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    as_of = models.DateField(_("as of"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60)
    document = models.CharField(_("document"), max_length=120, blank=True)
    batch_id = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tier fact")
        ordering = ["key", "-as_of"]
        indexes = [models.Index(fields=["key", "as_of"]), models.Index(fields=["enterprise", "key"])]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "key", "as_of"], name="tiers_fact_once_a_day")
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.key} {self.value} {self.as_of}"


class AssessmentRun(models.Model):
    """One yearly assessment of every enterprise against the three tier packs."""

    year = models.PositiveSmallIntegerField(_("year"))
    period = models.DateField(_("assessed on"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    enterprises = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # {tier: {meets, could, near}}
    seconds = models.DecimalField(max_digits=9, decimal_places=3, default=0)

    class Meta:
        verbose_name = _("tier assessment run")
        ordering = ["-year", "-pk"]

    def __str__(self):
        return f"{self.year} #{self.pk}"


class Outcome(models.TextChoices):
    MEETS = "meets", _("Meets the criteria")
    COULD = "could", _("Could qualify (facts missing)")
    NEAR = "near", _("Lacks one or two things")


class Assessment(models.Model):
    """An enterprise's standing for one tier in one run. Only candidates are stored: those who meet
    the tier, could meet it with facts still missing, or lack at most two requirements."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="assessments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tier_assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True)
    lacking = models.JSONField(default=list)  # requirement codes not met
    missing = models.JSONField(default=list)  # fact names missing

    class Meta:
        verbose_name = _("tier assessment")
        indexes = [
            models.Index(fields=["run", "tier", "outcome"]),
            models.Index(fields=["enterprise", "year"]),
        ]

    def __str__(self):
        return f"{self.year} {self.tier} {self.enterprise_id} {self.outcome}"
