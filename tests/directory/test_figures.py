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
    assert both["revenue_growth"] == pytest.approx(0.2)
    only_a = figures.overview(Enterprise.objects.filter(pk=world.a.pk))
    assert only_a["revenue"] == 150 and only_a["revenue_growth"] == pytest.approx(0.5)
