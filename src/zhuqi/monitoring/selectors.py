"""Reads of the monitoring app that depend on who asks; pages, API and exports share them.

Warnings: the office (and system clients) see every warning; others those of their department, of
their town, or naming them. Targets are read by all staff (READ_MONITORING); who may change one is
`targets.SETTER`.
"""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from zhuqi.core import findings, permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Town
from zhuqi.monitoring import measures
from zhuqi.monitoring.models import OPEN_WARNING_STATES, Actual, Target, Warning, WarningState

LEVEL_RANK = Case(
    When(level="red", then=Value(0)),
    When(level="yellow", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
STATE_RANK = Case(
    When(state=WarningState.NEW, then=Value(0)),
    When(state=WarningState.ACKNOWLEDGED, then=Value(1)),
    When(state=WarningState.HANDLED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
WARNING_FILTERS = ("kind", "level", "state", "town", "department")


def warnings_visible_to(user) -> QuerySet[Warning]:
    qs = Warning.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    if not permissions.has(user, Capability.READ_MONITORING):
        return qs.none()
    named = Warning.owners.through.objects.filter(warning_id=OuterRef("pk"), user_id=user.pk)
    scope = Exists(named)
    if user.department_id:
        scope |= Q(department_id=user.department_id)
    if user.town_id:
        scope |= Q(town_id=user.town_id)
    return qs.filter(scope)


def warning_list(user, *, kind="", level="", state="", town="", department="") -> QuerySet[Warning]:
    """Warnings in scope, filtered; `state` "" means open (new and acknowledged), "all" every state.
    Open first, the worst first, then the newest: ordered and paged by the database."""
    qs = warnings_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if state in ("", "open"):
        qs = qs.filter(state__in=OPEN_WARNING_STATES)
    elif state != "all":
        qs = qs.filter(state=state)
    if town:
        qs = qs.filter(town__code=town)
    if department:
        qs = qs.filter(department__code=department)
    return qs.select_related("town", "department").order_by("-raised_at", "-id")


def warning_get(user, pk: int) -> Warning:
    found = (
        warnings_visible_to(user).select_related("town", "department", "acted_by").filter(pk=pk).first()
        if 0 < pk < 2**63
        else None
    )
    if found is None:
        raise NotFound("warning_not_found", _("No such warning."))
    return found


def to_handle_count(user) -> int:
    """Open warnings the user may act on (the home page's queue): in scope and not yet handled."""
    if not permissions.has(user, Capability.HANDLE_WARNINGS):
        return 0
    return warnings_visible_to(user).filter(state__in=OPEN_WARNING_STATES).count()


def by_town(user) -> list[dict]:
    """Open warnings in scope per town and level, one aggregate: [{town, code, red, yellow, blue}]."""
    rows = (
        warnings_visible_to(user)
        .filter(state__in=OPEN_WARNING_STATES)
        .values("town__code", "town__name")
        .annotate(
            red=Count("pk", filter=Q(level="red")),
            yellow=Count("pk", filter=Q(level="yellow")),
            blue=Count("pk", filter=Q(level="blue")),
        )
        .order_by("-red", "-yellow", "town__code")
    )
    return [
        {
            "code": r["town__code"] or "",
            "town": r["town__name"] or "",
            "red": r["red"],
            "yellow": r["yellow"],
            "blue": r["blue"],
        }
        for r in rows
    ]


def by_kind(user) -> list[dict]:
    labels = {k: v.label for k, v in findings.kinds().items()}
    rows = (
        warnings_visible_to(user)
        .filter(state__in=OPEN_WARNING_STATES)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    return [{"kind": r["kind"], "label": labels.get(r["kind"], r["kind"]), "n": r["n"]} for r in rows]


def kind_choices():
    return [(k, v.label) for k, v in sorted(findings.kinds().items())]


def targets(*, year: int, town: Town | None | str = None) -> QuerySet[Target]:
    """The targets of a year: of the city (town None), of a town, or all ("all")."""
    qs = Target.objects.filter(year=year).select_related("town").prefetch_related("months")
    if town == "all":
        return qs
    qs = qs.filter(chain__isnull=True, programme__isnull=True)  # a chain's or programme's: scoped_targets
    return qs.filter(town=town) if town is not None else qs.filter(town__isnull=True)


def scoped_targets(*, year: int, chain=None, programme=None) -> QuerySet[Target]:
    """The targets of a year of one industry chain or one programme (or of every chain and programme)."""
    qs = Target.objects.filter(year=year).select_related("chain", "programme").prefetch_related("months")
    if chain is not None:
        return qs.filter(chain=chain)
    if programme is not None:
        return qs.filter(programme=programme)
    return qs.filter(Q(chain__isnull=False) | Q(programme__isnull=False))


def scoped_rows(year: int, *, chain=None, programme=None) -> list:
    """A chain's or programme's targets with their standing: the members' monthly actuals of every
    measure in one aggregate (`scopes.monthly`), then `status.progress` each."""
    from zhuqi.monitoring import rules, scopes, status

    found = list(scoped_targets(year=year, chain=chain, programme=programme))
    if not found:
        return []
    flows = [t.measure for t in found if t.measure in measures.FLOW]
    got = scopes.monthly(found[0], flows, year) if flows and (chain or programme) else None
    thresholds = rules.target_thresholds()
    order = {k: i for i, k in enumerate(measures.MEASURES)}
    found.sort(key=lambda t: order.get(t.measure, 999))
    return [
        status.progress(
            t, months_actual=(got.get(t.measure, {}) if got is not None else None), thresholds=thresholds
        )
        for t in found
    ]


def chain_by_id(value: str):
    from zhuqi.chains.models import Chain

    return Chain.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 12 else None


def programme_by_code(code: str):
    from zhuqi.programs.models import Programme

    return Programme.objects.filter(code=code[:40]).first() if code else None


def chain_choices():
    from zhuqi.chains.models import Chain

    return list(Chain.objects.order_by("name").values_list("pk", "name")[:200])


def programme_choices():
    from zhuqi.programs.models import Programme

    return list(Programme.objects.order_by("level", "code").values_list("code", "name")[:200])


def actual_months(year: int, town: Town | None) -> dict[str, dict[int, object]]:
    """{indicator: {month: value}} of a scope and year, one query (for every target on a page)."""
    qs = Actual.objects.filter(year=year, month__gte=1, indicator__in=measures.FLOW)
    if town is not None:
        qs = qs.filter(town=town)
    out: dict[str, dict[int, object]] = {}
    for r in qs.values("indicator", "month").annotate(v=Sum("value")).order_by():
        out.setdefault(r["indicator"], {})[r["month"]] = r["v"]
    return out


def town_by_code(code: str) -> Town | None:
    return Town.objects.filter(code=code[:20]).first() if code else None


def department_by_code(code: str) -> Department | None:
    return Department.objects.filter(code=code[:40]).first() if code else None
