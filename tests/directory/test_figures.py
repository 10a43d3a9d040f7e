from decimal import Decimal

import pytest

from tests.factories import IndicatorValueFactory
from zhuqi.directory import figures
from zhuqi.directory.models import Enterprise

pytestmark = pytest.mark.django_db


def test_best_source_and_derived_figures(world):
    e = world.a
    # Self-reported and tax bureau values for the same year: the tax bureau's wins.
    IndicatorValueFactory(enterprise=e, indicator="tax_paid", year=2025, value=900, source="self")
    IndicatorValueFactory(enterprise=e, indicator="tax_paid", year=2025, value=1000, source="tax")
    # An unverified tax bureau value loses to a verified statistics value.
    IndicatorValueFactory(
        enterprise=e, indicator="revenue", year=2025, value=50_000, source="tax", verified=False
    )
    IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, value=40_000, source="stats")
    IndicatorValueFactory(enterprise=e, indicator="revenue", year=2024, value=32_000, source="stats")
    IndicatorValueFactory(enterprise=e, indicator="rd_expense", year=2025, value=2_000, source="self")
    IndicatorValueFactory(enterprise=e, indicator="land_area", year=2025, value=20, source="self")
    latest = figures.enterprise_series(e.pk)[-1]
    assert latest["year"] == 2025
    assert latest["tax_paid"] == 1000
    assert latest["revenue"] == 40_000
    assert latest["revenue_growth"] == pytest.approx(0.25)
    assert latest["rd_ratio"] == pytest.approx(0.05)
    assert latest["tax_per_mu"] == pytest.approx(50)


def test_growth_needs_consecutive_years_and_a_positive_base(world):
    IndicatorValueFactory(enterprise=world.a, year=2021, value=100)
    IndicatorValueFactory(enterprise=world.a, year=2023, value=200)
    IndicatorValueFactory(enterprise=world.b, year=2024, value=0)
    IndicatorValueFactory(enterprise=world.b, year=2025, value=10)
    series_a = figures.enterprise_series(world.a.pk)
    assert series_a[1]["revenue_growth"] is None  # 2021 → 2023 is not a year-over-year growth
    assert figures.enterprise_series(world.b.pk)[1]["revenue_growth"] is None
    assert figures.growth_rate(Decimal(110), Decimal(100)) == Decimal("0.1")


def test_overview_sums_the_scope(world):
    IndicatorValueFactory(enterprise=world.a, year=2024, value=100)
    IndicatorValueFactory(enterprise=world.a, year=2025, value=150)
    IndicatorValueFactory(enterprise=world.b, year=2024, value=100)
    IndicatorValueFactory(enterprise=world.b, year=2025, value=90)
    both = figures.overview(Enterprise.objects.all())
    assert both["count"] == 2 and both["year"] == 2025 and both["revenue"] == 240
    assert both["revenue_growth"] == Decimal("0.2")
    only_a = figures.overview(Enterprise.objects.filter(pk=world.a.pk))
    assert only_a["revenue"] == 150 and only_a["revenue_growth"] == Decimal("0.5")


def _overview_by_frame(enterprises) -> dict:
    """The straightforward reading the SQL overview replaced: every annual value into Polars, best
    value per enterprise, year and indicator, summed by year."""
    import polars as pl

    ids = list(enterprises.values_list("id", flat=True))
    frame = figures.annual_frame(ids, indicators=["revenue", "tax_paid"])
    if frame.is_empty() or "revenue" not in frame.columns:
        return {"count": len(ids), "by_year": []}
    if "tax_paid" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Decimal(38, 2)).alias("tax_paid"))
    rows = (
        frame.group_by("year").agg(pl.col("revenue").sum(), pl.col("tax_paid").sum()).sort("year").to_dicts()
    )
    return {"count": len(ids), "by_year": rows}


def test_overview_in_sql_equals_the_frame_reading_on_a_random_world(world):
    """Random sources, verification, years and gaps (a year with tax only, an enterprise with several
    sources for one figure, monthly values that must not count): the database's sums equal Polars'."""
    import random

    from tests.factories import EnterpriseFactory

    rng = random.Random(16)
    enterprises = [world.a, world.b] + [EnterpriseFactory(town=world.a.town) for _ in range(8)]
    for e in enterprises:
        for year in (2022, 2023, 2024, 2025):
            for indicator in ("revenue", "tax_paid"):
                if rng.random() < 0.2:
                    continue
                for source in rng.sample(["tax", "stats", "self"], rng.randint(1, 3)):
                    IndicatorValueFactory(
                        enterprise=e,
                        indicator=indicator,
                        year=year,
                        source=source,
                        verified=rng.random() < 0.6,
                        value=Decimal(rng.randint(1, 10**9)) / 100,
                    )
        IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, period_type="month", period_no=3)
    IndicatorValueFactory(enterprise=world.b, indicator="tax_paid", year=2026, value=5)  # tax only
    scopes = [
        Enterprise.objects.all(),
        Enterprise.objects.filter(town=world.a.town),
        Enterprise.objects.filter(pk__in=[e.pk for e in enterprises[:3]]),
        Enterprise.objects.filter(pk=world.b.pk).distinct(),
    ]
    for scope in scopes:
        fast, slow = figures.overview(scope), _overview_by_frame(scope)
        assert fast["count"] == slow["count"]
        assert [r["year"] for r in fast["by_year"]] == [r["year"] for r in slow["by_year"]]
        for got, want in zip(fast["by_year"], slow["by_year"], strict=True):
            assert got["revenue"] == want["revenue"]  # exact: Decimal on both readings
            assert got["tax_paid"] == (want["tax_paid"] if want["tax_paid"] is not None else 0)
    assert figures.overview(scopes[0])["by_year"][-1] == {"year": 2026, "revenue": 0, "tax_paid": 5}


def test_money_figures_stay_exact_decimal_yuan(world):
    """Sums of fen that floats get wrong (0.10 + 0.20 ≠ 0.30 in binary) are exact, up to the page."""
    for e, value in ((world.a, Decimal("0.10")), (world.b, Decimal("0.20"))):
        IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, value=value)
        IndicatorValueFactory(enterprise=e, indicator="tax_paid", year=2025, value=value * 3)
    overview = figures.overview(Enterprise.objects.all())
    assert overview["revenue"] == Decimal("0.30") and isinstance(overview["revenue"], Decimal)
    assert overview["tax"] == Decimal("0.90") and isinstance(overview["tax"], Decimal)
    latest = figures.enterprise_series(world.a.pk)[-1]
    assert latest["revenue"] == Decimal("0.10") and isinstance(latest["revenue"], Decimal)
