from decimal import Decimal

import pytest

from tests.factories import IndicatorValueFactory
from zhuqi.monitoring import actuals

# A seasonal shape: a slow first quarter (Spring Festival), a strong fourth.
SHAPE = [6, 5, 8, 8, 8, 9, 9, 8, 9, 9, 10, 11]


def monthly(enterprise, indicator, year, values, source="stats", verified=False):
    for month, value in enumerate(values, start=1):
        IndicatorValueFactory(
            enterprise=enterprise,
            indicator=indicator,
            period_type="month",
            year=year,
            period_no=month,
            value=Decimal(value),
            source=source,
            verified=verified,
        )


@pytest.fixture
def history(world):
    """Three years of monthly revenue and tax for both towns' enterprises with the seasonal SHAPE
    (enterprise a: 1,000,000 × shape a month; b half of it), and 2026 to October."""
    for year in (2023, 2024, 2025):
        for enterprise, scale in ((world.a, 1_000_000), (world.b, 500_000)):
            monthly(enterprise, "revenue", year, [s * scale for s in SHAPE])
            monthly(enterprise, "tax_paid", year, [s * scale // 20 for s in SHAPE], source="tax")
    actuals.refresh(range(2023, 2027))
    return world
