"""Building enterprises with the figures the cultivation rules read."""

from decimal import Decimal

from tests.factories import EnterpriseFactory, IndicatorValueFactory
from zhuqi.directory.models import Tag


def tag(enterprise, name: str) -> None:
    enterprise.tags.add(Tag.objects.get_or_create(name=name)[0])


def ytd(enterprise, year: int, quarters: dict[int, int | str], indicator: str = "main_revenue") -> None:
    for quarter, value in quarters.items():
        IndicatorValueFactory(
            enterprise=enterprise,
            indicator=indicator,
            period_type="quarter",
            year=year,
            period_no=quarter,
            value=Decimal(str(value)),
            source="stats",
        )


def annual(enterprise, year: int, **values) -> None:
    for indicator, value in values.items():
        IndicatorValueFactory(
            enterprise=enterprise, indicator=indicator, year=year, value=Decimal(str(value))
        )


def firm(town, *, run_rate=None, above_scale=False, last_year=None, year=2026, industry="C39", **fields):
    """An enterprise whose 3 quarters of `year` annualise to `run_rate` (yuan a year)."""
    enterprise = EnterpriseFactory(town=town, industry_code=industry, **fields)
    if run_rate is not None:
        quarter = Decimal(run_rate) / 4
        ytd(enterprise, year, {1: quarter, 2: quarter, 3: quarter})
    if above_scale:
        tag(enterprise, "规上企业")
    if last_year is not None:
        annual(enterprise, year - 1, main_revenue=last_year)
    return enterprise
