"""Appeal KPIs, defined once (README, "Appeal KPIs") and computed in the database by one aggregate query.

Counted appeals are those submitted in the period, less the withdrawn and the merged duplicates.
  resolution rate (办结率)      closed / counted
  on-time rate (按时办结率)     closed whose last reply came by the resolution deadline / closed
  satisfaction rate (满意率)    (满意 + 基本满意) / rated closings; unrated closings are not counted
  reopen rate (重办率)          appeals reopened at least once / appeals replied at least once
  median handling time         median working days from submission to closing, over closed appeals

The query groups by (group, handling days) and counts; the median is read from that histogram, so the
rows returned are at most groups × distinct handling times, whatever the number of appeals, and the
same SQL runs on SQLite and PostgreSQL. Handling days are stored on the appeal when it closes.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncMonth

from zhuqi.appeals.lifecycle import VOID_STATES
from zhuqi.appeals.models import Appeal, CloseReason, Rating, State
from zhuqi.core import workdays

GROUPS = {"department": "department", "town": "town", "category": "category", "month": "month", "all": None}

COUNTERS = ("count", "closed", "on_time", "rated", "satisfied", "reopened", "replied")


def _group_expression(key: str):
    if key in ("department_id", "enterprise__town_id"):
        return F(key)
    if key == "department":
        return Coalesce(
            NullIf("department__short_name", Value("")), NullIf("department__name", Value("")), Value("—")
        )
    if key == "town":
        return F("enterprise__town__name")
    if key == "category":
        return Coalesce(NullIf("category__parent__name", Value("")), "category__name")
    return TruncMonth("created_at", tzinfo=workdays.SHANGHAI)  # the month as seen in Shanghai


def _rows(appeals, key: str | None):
    closed = Q(state=State.CLOSED)
    rated = Q(close_reason=CloseReason.RATED)
    keys = {"handling": Case(When(closed, then="handling_days"), default=None, output_field=IntegerField())}
    if key:
        keys["group"] = _group_expression(key)
    return (
        appeals.exclude(state__in=[s.value for s in VOID_STATES])
        .order_by()  # the model's ordering would sort every counted row for nothing
        .annotate(**keys)
        .values(*keys)
        .annotate(
            count=Count("pk"),
            closed=Count("pk", filter=closed),
            on_time=Count("pk", filter=closed & Q(on_time=True)),
            rated=Count("pk", filter=rated),
            satisfied=Count("pk", filter=rated & Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
            reopened=Count("pk", filter=Q(reopen_count__gt=0)),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
        )
    )


def _median(histogram: dict[int, int]) -> float | None:
    """The median of a multiset given as {value: count}; the mean of the two middle values if even."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return (found[0] + found[1]) / 2


def _ratio(num: int, den: int) -> float | None:
    return num / den if den > 0 else None


def _label(key: str | None, group):
    if key == "month":
        return group.strftime("%Y-%m")
    return group


def _period(appeals, start: date | None, end: date | None):
    if start:
        appeals = appeals.filter(created_at__date__gte=start)
    if end:
        appeals = appeals.filter(created_at__date__lte=end)
    return appeals


def _aggregate(appeals, key: str | None) -> tuple[dict, dict]:
    """({group: counters}, {group: {handling days: closed appeals}}) from one query."""
    totals: dict = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    histograms: dict = defaultdict(dict)
    for row in _rows(appeals, key):
        group = _label(key, row["group"]) if key else "all"
        for counter in COUNTERS:
            totals[group][counter] += row[counter]
        if row["handling"] is not None:
            histograms[group][row["handling"]] = row["count"]
    return totals, histograms


def _kpi_row(group, counters: dict, histogram: dict[int, int]) -> dict:
    return {
        "group": group,
        **counters,
        "median_handling_days": _median(histogram),
        "resolution_rate": _ratio(counters["closed"], counters["count"]),
        "on_time_rate": _ratio(counters["on_time"], counters["closed"]),
        "satisfaction_rate": _ratio(counters["satisfied"], counters["rated"]),
        "reopen_rate": _ratio(counters["reopened"], counters["replied"]),
    }


def _overall(totals: dict, histograms: dict) -> dict:
    counters = dict.fromkeys(COUNTERS, 0)
    histogram: dict[int, int] = defaultdict(int)
    for group, group_counters in totals.items():
        for counter in COUNTERS:
            counters[counter] += group_counters[counter]
        for value, n in histograms[group].items():
            histogram[value] += n
    return _kpi_row("all", counters, histogram)


def _grouped(totals: dict, histograms: dict) -> list[dict]:
    rows = [_kpi_row(group, totals[group], histograms[group]) for group in totals]
    # Best first; ties by size, then by name so the order is stable.
    rows.sort(
        key=lambda r: (
            r["resolution_rate"] is None,
            -(r["resolution_rate"] or 0),
            -r["count"],
            str(r["group"]),
        )
    )
    return rows


def compute(appeals, by: str = "all", *, start: date | None = None, end: date | None = None) -> list[dict]:
    key = GROUPS[by]
    totals, histograms = _aggregate(_period(appeals, start, end), key)
    return _grouped(totals, histograms) if key else [_overall(totals, histograms)]


def overall_and_groups(appeals, by: str) -> tuple[dict, list[dict]]:
    """The KPI page: the overall row and the rows by group from one aggregate query, not two."""
    key = GROUPS[by]
    totals, histograms = _aggregate(appeals, key)
    overall = _overall(totals, histograms)
    return overall, (_grouped(totals, histograms) if key else [overall])


def recompute_handling_days() -> int:
    """Rewrites the stored handling time of every closed appeal from the working-day ordinals, in one
    UPDATE (after the calendar's past was edited). Returns the number of appeals rewritten."""
    workdays.ensure_ordinals()
    return Appeal.objects.filter(state=State.CLOSED, closed_at__isnull=False).update(
        handling_days=workdays.ordinal_of("closed_at") - workdays.ordinal_of("created_at")
    )


def compute_by_key(appeals, key: str, *, start: date | None = None, end: date | None = None) -> dict:
    """{group key: KPI row} grouped by a column, not a name: the assessment ranks departments and towns
    by id (`department_id`, `enterprise__town_id`). Same query as `compute`."""
    totals, histograms = _aggregate(_period(appeals, start, end), key)
    return {group: _kpi_row(group, totals[group], histograms[group]) for group in totals}
