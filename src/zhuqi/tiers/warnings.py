"""The tier_expiry warning: a recognition in force that expires within six months and has not been
renewed (no later recognition of the same tier for the enterprise). Stream G's warnings centre calls
the provider and raises each finding once per recognition and expiry year; this app raises nothing."""

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.core import findings
from zhuqi.core.formats import day as chinese_date
from zhuqi.tiers.models import Recognition

WARN_MONTHS = 6  # issue 10 (2): "a tier expiring within 6 months is a warning"


def months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def expiring(today: date):
    """Recognitions in force today that expire within WARN_MONTHS and were not renewed."""
    renewed = Recognition.objects.filter(
        enterprise_id=OuterRef("enterprise_id"),
        tier=OuterRef("tier"),
        recognised_on__gt=OuterRef("recognised_on"),
        revoked_on__isnull=True,
    )
    return (
        Recognition.objects.in_force(today)
        .filter(expires_on__lte=months_later(today, WARN_MONTHS))
        .exclude(Exists(renewed))
        .select_related("enterprise")
        .order_by("expires_on", "pk")
    )


def level_of(today: date, expires_on: date) -> str:
    left = (expires_on - today).days
    return "red" if left <= 30 else "yellow" if left <= 90 else "blue"


def provider(today: date):
    for r in expiring(today):
        yield findings.Finding(
            kind="tier_expiry",
            subject_type="tiers.recognition",
            subject_id=r.pk,
            period=str(r.expires_on.year),
            level=level_of(today, r.expires_on),
            text=_("%(name)s: %(tier)s (%(level)s) expires on %(day)s.")
            % {
                "name": r.enterprise.name,
                "tier": r.get_tier_display(),
                "level": r.get_level_display(),
                "day": chinese_date(r.expires_on),
            },
            since=max(r.recognised_on, months_later(r.expires_on, -WARN_MONTHS)),
            link=f"/tiers/enterprises/{r.enterprise_id}/",
            town_id=r.enterprise.town_id,
        )


findings.register("tier_expiry", label=gettext_lazy("Tier recognition about to expire"), provider=provider)
