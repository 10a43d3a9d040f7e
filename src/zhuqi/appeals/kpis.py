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

At province scale (ZHUQI_KPI_ROLLUP_FROM appeals, 200,000 by default, estimated) the worker keeps a
rollup (`models.KpiCell`: the same counters per month, department / town / category and handling
time, rebuilt every ZHUQI_KPI_REFRESH_MINUTES). Pages that ask for it (`rollup=True`: the KPI page,
API and export, the cockpit's trend, a department's rank) sum its cells for the KPIs of every appeal
(the coordinating office's view) over whole months: the same numbers as of the rollup's time, which
the page shows (`as_of`). Scoped views (a department, a town), periods cut inside a month, briefings
and assessments stay live. Below the threshold there is no rollup and everything is live.
"""

import calendar
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone

from zhuqi.appeals.lifecycle import VOID_STATES
from zhuqi.appeals.models import Appeal, CloseReason, KpiCell, KpiRollup, Rating, State
from zhuqi.core import changes, workdays

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


def _totals(appeals, key, start=None, end=None, *, rollup=False) -> tuple[dict, dict, object]:
    """(totals, histograms, as_of): from the rollup when asked for and it serves this request (as_of
    its time), else live (as_of None)."""
    found = _rollup_for(appeals, start, end) if rollup else None
    if found is not None:
        return (*_aggregate_cells(key, start, end), found.refreshed_at)
    return (*_aggregate(_period(appeals, start, end), key), None)


def compute(
    appeals, by: str = "all", *, start: date | None = None, end: date | None = None, rollup: bool = False
) -> list[dict]:
    """The KPI rows; `rollup`: a page that may read the province-scale rollup (as of its time) when it
    serves the request. Documents (briefings) and assessments compute live."""
    key = GROUPS[by]
    totals, histograms, _as_of = _totals(appeals, key, start, end, rollup=rollup)
    return _grouped(totals, histograms) if key else [_overall(totals, histograms)]


def overall_and_groups(appeals, by: str, *, rollup: bool = False) -> tuple[dict, list[dict]]:
    """The KPI page: the overall row and the rows by group from one aggregate query, not two. With
    `rollup`, the overall row carries `as_of`: the rollup's time when the numbers come from it, else None."""
    key = GROUPS[by]
    totals, histograms, as_of = _totals(appeals, key, rollup=rollup)
    overall = _overall(totals, histograms)
    if rollup:
        overall["as_of"] = as_of
    return overall, (_grouped(totals, histograms) if key else [overall])


# The rollup (province scale) ------------------------------------------------------------------------

DIMENSIONS = {
    "department": "department_id",
    "town": "enterprise__town_id",
    "category": "category_id",
    "month": None,
}
# What each grouping reads from the cells: the same names as the live query's, through the cell's keys.
_CELL_DIMENSION = {
    "department": "department",
    "town": "town",
    "category": "category",
    "month": "month",
    None: "month",
}


def _cell_group(key: str):
    if key == "department":
        return Coalesce(
            NullIf("department__short_name", Value("")), NullIf("department__name", Value("")), Value("—")
        )
    if key == "town":
        return F("town__name")
    if key == "category":
        return Coalesce(NullIf("category__parent__name", Value("")), "category__name")
    return F("month")


def _whole_months(start: date | None, end: date | None) -> bool:
    return (start is None or start.day == 1) and (
        end is None or end.day == calendar.monthrange(end.year, end.month)[1]
    )


def _rollup_for(appeals, start, end) -> KpiRollup | None:
    """The rollup, when it exists and this request is the whole ledger over whole months."""
    if appeals.model is not Appeal or appeals.query.where or not _whole_months(start, end):
        return None
    return KpiRollup.objects.order_by("-refreshed_at").first()


def _aggregate_cells(key: str | None, start: date | None, end: date | None) -> tuple[dict, dict]:
    """`_aggregate` over the rollup's cells: one query summing a few thousand rows."""
    cells = KpiCell.objects.filter(dimension=_CELL_DIMENSION[key])
    if start:
        cells = cells.filter(month__gte=start)
    if end:
        cells = cells.filter(month__lte=end.replace(day=1))
    keys = {"group": _cell_group(key)} if key else {}
    rows = (
        cells.order_by()
        .annotate(**keys)
        .values("handling", *keys)
        .annotate(**{f"sum_{counter}": Sum(counter) for counter in COUNTERS})
    )
    totals: dict = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    histograms: dict = defaultdict(dict)
    for row in rows:
        group = _label(key, row["group"]) if key else "all"
        for counter in COUNTERS:
            totals[group][counter] += row[f"sum_{counter}"]
        if row["handling"] is not None:
            histograms[group][row["handling"]] = histograms[group].get(row["handling"], 0) + row["sum_count"]
    return totals, histograms


def estimated_appeals() -> int:
    """The number of appeals, estimated by PostgreSQL's statistics (exact on other databases)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'appeals_appeal'::regclass")
            row = c.fetchone()
            if row and row[0] >= 0:
                return int(row[0])
    return Appeal.objects.count()


# What the cells depend on: the appeals (their states, departments, handling times) and their
# enterprises' towns. Names are read when the cells are summed.
ROLLUP_READS = ("appeals.Appeal", "directory.Enterprise")


def refresh_rollup(force: bool = False) -> int | None:
    """Rebuilds the rollup when the ledger is past ZHUQI_KPI_ROLLUP_FROM appeals (or `force`) and drops it
    below; returns the cells written, None when there is no rollup. Four aggregates over the appeals."""
    if not force and estimated_appeals() < settings.ZHUQI_KPI_ROLLUP_FROM:
        if KpiRollup.objects.exists():
            with transaction.atomic():
                KpiRollup.objects.all().delete()
                KpiCell.objects.all().delete()
        return None
    stamp = changes.stamp(ROLLUP_READS) or ""  # before reading: a change meanwhile is seen next time
    cells = []
    counted = 0
    month = TruncMonth("created_at", tzinfo=workdays.SHANGHAI)  # the live grouping's month
    for dimension, column in DIMENSIONS.items():
        closed = Q(state=State.CLOSED)
        rated = Q(close_reason=CloseReason.RATED)
        keys = {
            "handling": Case(When(closed, then="handling_days"), default=None, output_field=IntegerField()),
            "cell_month": month,
        }
        if column:
            keys["key"] = F(column)
        rows = (
            Appeal.objects.exclude(state__in=[s.value for s in VOID_STATES])
            .order_by()
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
        for row in rows:
            ids = {f"{dimension}_id": row["key"]} if column else {}
            cells.append(
                KpiCell(
                    dimension=dimension,
                    month=_month_day(row["cell_month"]),
                    handling=row["handling"],
                    **ids,
                    **{counter: row[counter] for counter in COUNTERS},
                )
            )
            if dimension == "month":
                counted += row["count"]
    with transaction.atomic():
        KpiCell.objects.all().delete()
        KpiCell.objects.bulk_create(cells, batch_size=2000)
        KpiRollup.objects.all().delete()
        KpiRollup.objects.create(refreshed_at=timezone.now(), appeals=counted, stamp=stamp)
    return len(cells)


def _month_day(moment) -> date:
    """The first day of a month as TruncMonth gave it (aware on PostgreSQL, naive on SQLite)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment, workdays.SHANGHAI)
    return moment.date()


def worker_refresh(now=None) -> int | None:
    """The worker's pass: rebuilds the rollup when it is older than ZHUQI_KPI_REFRESH_MINUTES (or the ledger
    just crossed the threshold) and the appeals or their enterprises changed since it was built (on
    PostgreSQL, core/changes.py; otherwise it only says its figures still hold now); drops it when the
    ledger is below the threshold."""
    now = now or timezone.now()
    last = KpiRollup.objects.order_by("-refreshed_at").first()
    if (
        last is not None
        and (now - last.refreshed_at).total_seconds() < settings.ZHUQI_KPI_REFRESH_MINUTES * 60
    ):
        return None
    if (
        last is not None
        and last.stamp
        and last.stamp == changes.stamp(ROLLUP_READS)
        and estimated_appeals() >= settings.ZHUQI_KPI_ROLLUP_FROM
    ):
        KpiRollup.objects.filter(pk=last.pk).update(refreshed_at=now)  # nothing changed: true as of now
        return 0
    return refresh_rollup()


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
