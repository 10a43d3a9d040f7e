"""Reads of the tiers, scoped by the directory's enterprise scope (an enterprise user sees its own)."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from zhuqi.core import permissions
from zhuqi.core.permissions import Capability
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.tiers.models import Assessment, AssessmentRun, Recognition, TierFact
from zhuqi.tiers.warnings import WARN_MONTHS, months_later

QUERY_MAX = 100


def may_read(user) -> bool:
    return permissions.has(user, Capability.READ_TIERS) or getattr(user, "enterprise_id", None) is not None


def recognitions_visible_to(user) -> QuerySet[Recognition]:
    if not may_read(user):
        return Recognition.objects.none()
    return Recognition.objects.filter(enterprise__in=enterprises_visible_to(user))


def recognition_list(
    user, *, tier: str = "", level: str = "", q: str = "", state: str = "", today: date
) -> QuerySet:
    qs = recognitions_visible_to(user).select_related("enterprise", "enterprise__town")
    if tier:
        qs = qs.filter(tier=tier)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q[:QUERY_MAX]) | Q(document__icontains=q[:QUERY_MAX]))
    if state == "in_force":
        qs = qs.in_force(today)
    elif state == "expiring":
        qs = qs.in_force(today).filter(expires_on__lte=months_later(today, WARN_MONTHS))
    elif state == "ended":
        qs = qs.filter(Q(revoked_on__isnull=False) | Q(expires_on__lt=today))
    return qs.order_by("expires_on", "pk") if state == "expiring" else qs.order_by("-recognised_on", "-pk")


def tier_counts(user, today: date) -> dict[str, dict[str, int]]:
    """In force today, per tier and level (one query)."""
    found: dict[str, dict[str, int]] = {}
    for tier, level, n in (
        recognitions_visible_to(user)
        .in_force(today)
        .values_list("tier", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found.setdefault(tier, {})[level] = n
    return found


def expiring_count(user, today: date) -> int:
    return recognition_list(user, state="expiring", today=today).count()


def latest_run(year: int | None = None) -> AssessmentRun | None:
    qs = AssessmentRun.objects.all()
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-pk").first()


def candidate_list(
    user, run: AssessmentRun | None, *, tier: str = "", outcome: str = "", q: str = ""
) -> QuerySet:
    if run is None or not permissions.has(user, Capability.READ_TIERS):
        return Assessment.objects.none()
    qs = Assessment.objects.filter(run=run, enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "enterprise__town"
    )
    if tier:
        qs = qs.filter(tier=tier)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if q:
        qs = qs.filter(enterprise__name__icontains=q[:QUERY_MAX])
    return qs.order_by("tier", "outcome", "-score", "enterprise__name", "pk")


def enterprise_recognitions(enterprise_id: int) -> list[Recognition]:
    return list(Recognition.objects.filter(enterprise_id=enterprise_id).order_by("-recognised_on", "-pk"))


def enterprise_facts(enterprise_id: int) -> list[TierFact]:
    return list(TierFact.objects.filter(enterprise_id=enterprise_id).order_by("key", "-as_of"))


def enterprise_assessments(enterprise_id: int) -> list[Assessment]:
    run = latest_run()
    if run is None:
        return []
    return list(
        Assessment.objects.filter(run__year=run.year, enterprise_id=enterprise_id).order_by("-run_id")
    )
