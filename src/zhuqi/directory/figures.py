"""Derived figures, computed in one place: best value per period, growth rates, R&D ratio, tax per mu.

Several sources may report the same indicator for the same period. The value used is the most
authoritative: verified before unverified, then tax bureau, statistics bureau, self-reported.
"""

from decimal import Decimal

import polars as pl
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Sum, Value, When

from zhuqi.directory.models import IndicatorValue, PeriodType

SOURCE_RANK = {"tax": 0, "stats": 1, "self": 2}
ZERO = Decimal("0.00")


def annual_frame(enterprise_ids=None, *, years=None, indicators=None) -> pl.DataFrame:
    """One row per (enterprise, year) with a column per indicator, best source chosen."""
    qs = IndicatorValue.objects.filter(period_type=PeriodType.YEAR)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    if indicators is not None:
        qs = qs.filter(indicator__in=list(indicators))
    rows = list(qs.values_list("enterprise_id", "year", "indicator", "value", "source", "verified"))
    schema = {
        "enterprise_id": pl.Int64,
        "year": pl.Int64,
        "indicator": pl.Utf8,
        "value": pl.Decimal(38, 2),  # yuan to the fen, as stored: sums stay exact
        "source": pl.Utf8,
        "verified": pl.Boolean,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    if frame.is_empty():
        return pl.DataFrame(schema={"enterprise_id": pl.Int64, "year": pl.Int64})
    return (
        best_values(frame)
        .pivot(on="indicator", index=["enterprise_id", "year"], values="value")
        .sort(["enterprise_id", "year"])
    )


def best_values(frame: pl.DataFrame) -> pl.DataFrame:
    """From rows (enterprise_id, year, indicator, value, source, verified), the one value used per
    enterprise, year and indicator: verified first, then tax bureau › statistics bureau › self-reported."""
    return (
        frame.with_columns(pl.col("source").replace_strict(SOURCE_RANK, return_dtype=pl.Int8).alias("rank"))
        .sort(
            ["enterprise_id", "year", "indicator", "verified", "rank"],
            descending=[False, False, False, True, False],
        )
        .unique(subset=["enterprise_id", "year", "indicator"], keep="first", maintain_order=True)
        .drop("rank")
    )


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds growth of revenue and tax over the previous year, R&D ratio and tax per mu. The ratios
    are fractions for display (floats: a Decimal quotient would keep only the operands' two places);
    tax per mu stays yuan to the fen."""
    cols = set(frame.columns)

    def col(name):
        return pl.col(name) if name in cols else pl.lit(None, dtype=pl.Decimal(38, 2))

    def ratio(numerator, denominator):
        return col(numerator).cast(pl.Float64) / denominator.cast(pl.Float64)

    def growth(name):
        prev = col(name).shift(1).over("enterprise_id", order_by="year")
        consecutive = (pl.col("year") - pl.col("year").shift(1).over("enterprise_id", order_by="year")) == 1
        return pl.when(consecutive & (prev > 0)).then(ratio(name, prev) - 1).otherwise(None)

    return frame.with_columns(
        growth("revenue").alias("revenue_growth"),
        growth("tax_paid").alias("tax_growth"),
        pl.when(col("revenue") > 0)
        .then(ratio("rd_expense", col("revenue")))
        .otherwise(None)
        .alias("rd_ratio"),
        pl.when(col("land_area") > 0)
        .then(col("tax_paid") / col("land_area"))
        .otherwise(None)
        .alias("tax_per_mu"),
    )


def enterprise_series(enterprise_id: int) -> list[dict]:
    """The annual series of one enterprise with derived figures, oldest first."""
    return with_derived(annual_frame([enterprise_id])).to_dicts()


def growth_rate(current, previous):
    """Year-over-year growth as a fraction, or None when there is no positive base."""
    if current is None or previous is None or previous <= 0:
        return None
    return current / previous - 1


def best_values_in_db(period_type=None):
    """The indicator values that are their period's best, as a queryset the database filters and sums:
    no other value of the same enterprise, indicator and period is verified when this one is not, or
    from a higher-ranked source at the same verification (the precedence of `best_values` above, in SQL)."""
    rank = Case(
        *(When(source=source, then=Value(r)) for source, r in SOURCE_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )
    better = (
        IndicatorValue.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            indicator=OuterRef("indicator"),
            period_type=OuterRef("period_type"),
            year=OuterRef("year"),
            period_no=OuterRef("period_no"),
        )
        .annotate(rank=rank)
        .filter(
            Q(verified__gt=OuterRef("verified")) | Q(verified=OuterRef("verified"), rank__lt=OuterRef("rank"))
        )
    )
    qs = (
        IndicatorValue.objects.all()
        if period_type is None
        else IndicatorValue.objects.filter(period_type=period_type)
    )
    return qs.order_by().annotate(rank=rank).filter(~Exists(better))


def overview(enterprises) -> dict:
    """Headline figures for a set of enterprises: count, revenue and tax of the last two full years,
    growth, enterprises per doubling class and the towns with the most revenue.

    One aggregate in the database (best annual value per enterprise, year and indicator, summed by year
    and indicator over the enterprises as a subquery): a few rows whatever the number of enterprises.
    The sums are exact (Decimal yuan) up to the page and its chart (json_script writes them as
    strings, which the chart reads as numbers)."""
    result = {
        "count": enterprises.count(),
        "year": None,
        "revenue": None,
        "revenue_growth": None,
        "tax": None,
        "tax_growth": None,
        "by_year": [],
    }
    values = best_values_in_db(PeriodType.YEAR).filter(indicator__in=["revenue", "tax_paid"])
    if enterprises.query.where or enterprises.query.distinct:  # a scope, not the whole directory
        values = values.filter(enterprise_id__in=enterprises.order_by().values("pk"))
    sums: dict[int, dict[str, Decimal]] = {}
    for r in values.values("year", "indicator").annotate(total=Sum("value")).order_by():
        sums.setdefault(r["year"], {})[r["indicator"]] = r["total"]
    if not any("revenue" in cells for cells in sums.values()):
        return result
    rows = [
        {"year": y, "revenue": sums[y].get("revenue", ZERO), "tax_paid": sums[y].get("tax_paid", ZERO)}
        for y in sorted(sums)
    ]
    last = rows[-1]
    prev = rows[-2] if len(rows) > 1 else None
    result.update(
        year=last["year"],
        revenue=last["revenue"],
        tax=last["tax_paid"],
        revenue_growth=growth_rate(last["revenue"], prev["revenue"]) if prev else None,
        tax_growth=growth_rate(last["tax_paid"], prev["tax_paid"]) if prev else None,
        by_year=rows,
    )
    return result


def latest_verified(indicator: str, enterprise_ids=None) -> dict[int, tuple[int, Decimal]]:
    """{enterprise: (year, value)}: the latest year with a verified annual value of the indicator,
    the best source of that year (verified values only; an unverified figure moves nothing)."""
    qs = IndicatorValue.objects.filter(period_type=PeriodType.YEAR, indicator=indicator, verified=True)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    best: dict[int, tuple[int, int, Decimal]] = {}
    for enterprise_id, year, value, source in qs.values_list("enterprise_id", "year", "value", "source"):
        rank = SOURCE_RANK.get(source, 9)
        held = best.get(enterprise_id)
        if held is None or (year, -rank) > (held[0], -held[1]):
            best[enterprise_id] = (year, rank, value)
    return {e: (year, value) for e, (year, _rank, value) in best.items()}
