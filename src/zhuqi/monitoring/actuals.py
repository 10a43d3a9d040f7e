"""Monthly actuals: the rollup the targets and the cockpit read (`models.Actual`).

A value of an enterprise for a period is its best one (`directory/figures.py`: verified first, then
税务局 › 统计局 › 企业自报); the rollup is the sum of those per indicator, town, year and month (month 0:
the annual values). `refresh(years)` rebuilds the given years with one aggregate query in the
database, so pages read a few hundred rows whatever the number of enterprises. The worker's sweep
refreshes the current and previous year every `ZHUQI_MONITORING_REFRESH_MINUTES` (60); after an import
`zhuqi monitoring refresh` (or the targets page's button) does it at once.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from zhuqi.directory.figures import SOURCE_RANK
from zhuqi.directory.models import IndicatorValue, PeriodType
from zhuqi.monitoring.models import Actual, ActualsRefresh


def _rank():
    return Case(
        *(When(source=source, then=Value(rank)) for source, rank in SOURCE_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def best_values(years):
    """The indicator values of these years (months and years) that are their period's best: no other
    value of the same enterprise, indicator and period is verified when this one is not, or from a
    higher-ranked source at the same verification."""
    better = (
        IndicatorValue.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            indicator=OuterRef("indicator"),
            period_type=OuterRef("period_type"),
            year=OuterRef("year"),
            period_no=OuterRef("period_no"),
        )
        .annotate(rank=_rank())
        .filter(
            Q(verified__gt=OuterRef("verified")) | Q(verified=OuterRef("verified"), rank__lt=OuterRef("rank"))
        )
    )
    return (
        IndicatorValue.objects.filter(
            year__in=list(years), period_type__in=[PeriodType.MONTH, PeriodType.YEAR]
        )
        .order_by()
        .annotate(rank=_rank())
        .filter(~Exists(better))
    )


@transaction.atomic
def refresh(years) -> int:
    """Rebuilds the rollup of these years; returns the number of cells written."""
    years = sorted(set(years))
    rows = (
        best_values(years)
        .values("indicator", "year", "period_type", "period_no", "enterprise__town_id")
        .annotate(total=Sum("value"), n=Count("id"))
    )
    cells = [
        Actual(
            indicator=r["indicator"],
            year=r["year"],
            month=0 if r["period_type"] == PeriodType.YEAR else r["period_no"],
            town_id=r["enterprise__town_id"],
            value=r["total"],
            enterprises=r["n"],
        )
        for r in rows
    ]
    Actual.objects.filter(year__in=years).delete()
    Actual.objects.bulk_create(cells, batch_size=2000)
    now = timezone.now()
    for year in years:
        ActualsRefresh.objects.update_or_create(year=year, defaults={"refreshed_at": now})
    return len(cells)


def refreshed_at(year: int | None = None):
    """When the rollup (of a year, or the oldest of this year's and last year's) was rebuilt; None if never."""
    if year is not None:
        return ActualsRefresh.objects.filter(year=year).values_list("refreshed_at", flat=True).first()
    this = timezone.localdate().year
    found = list(
        ActualsRefresh.objects.filter(year__in=[this - 1, this]).values_list("refreshed_at", flat=True)
    )
    return min(found) if len(found) == 2 else None


def monthly(indicator: str, year: int, town_id: int | None = None) -> dict[int, Decimal]:
    """{month: value} of the city (town_id None) or a town; only months with data."""
    qs = Actual.objects.filter(indicator=indicator, year=year, month__gte=1)
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    return {r["month"]: r["v"] for r in qs.values("month").annotate(v=Sum("value")).order_by("month")}


def monthly_by_town(indicator: str, year: int) -> dict[int, dict[int, Decimal]]:
    """{town_id: {month: value}} in one query."""
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for r in Actual.objects.filter(indicator=indicator, year=year, month__gte=1).values_list(
        "town_id", "month", "value"
    ):
        out[r[0]][r[1]] = r[2]
    return out


def history(
    indicator: str, year: int, town_id: int | None = None, years: int = 3
) -> dict[int, dict[int, Decimal]]:
    """The monthly actuals of the `years` years before `year`: {year: {month: value}}, one query."""
    qs = Actual.objects.filter(indicator=indicator, year__gte=year - years, year__lt=year, month__gte=1)
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for r in qs.values("year", "month").annotate(v=Sum("value")).order_by():
        out[r["year"]][r["month"]] = r["v"]
    return dict(out)


def annual(indicator: str, years, town_id: int | None = None) -> dict[int, Decimal]:
    qs = Actual.objects.filter(indicator=indicator, year__in=list(years), month=0)
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    return {r["year"]: r["v"] for r in qs.values("year").annotate(v=Sum("value")).order_by()}
