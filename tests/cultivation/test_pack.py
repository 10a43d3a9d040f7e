"""The cultivation pack's scenario tests pass through both evaluators, and the facts it reads from
the directory are what the pack says (run rate, months, sector)."""

from decimal import Decimal

import pytest

from tests.cultivation.helpers import firm, ytd
from tests.factories import EnterpriseFactory, TownFactory
from zhuqi.cultivation import facts
from zhuqi.rules.engine import run_scenarios


def test_every_scenario_passes_in_both_evaluators():
    results = run_scenarios(facts.pack())
    assert len(results) >= 28
    assert [r.message for r in results if not r.passed] == []


def test_every_parameter_cites_a_source():
    assert all(p.source for p in facts.pack().parameters.values())


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("C3911", "industry"),
        ("B06", "industry"),
        ("D44", "industry"),
        ("F51", "wholesale"),
        ("F5211", "retail"),
        ("H61", "hospitality"),
        ("I65", "services"),
        ("", None),
    ],
)
def test_sector_of_the_industry_code(code, sector):
    assert facts.sector_of(code) == sector


@pytest.mark.django_db
def test_run_rate_annualises_the_year_to_date_in_fen():
    town = TownFactory()
    three = firm(town, run_rate=None)
    ytd(three, 2026, {1: "5000000.01", 2: "5000000", 3: "5000000"})
    monthly = EnterpriseFactory(town=town, industry_code="F5211")
    ytd(monthly, 2026, {1: "100", 2: "100"}, indicator="revenue")
    nothing = EnterpriseFactory(town=town, industry_code="")
    frame = {r["enterprise_id"]: r for r in facts.build(2026).iter_rows(named=True)}
    # 15,000,000.01 × 12 ÷ 9 = 20,000,000.013…: rounded down to the fen
    assert frame[three.pk]["run_rate"] == Decimal("20000000.01")
    assert frame[three.pk]["months"] == 9
    assert frame[monthly.pk]["run_rate"] == Decimal("400.00")  # two quarters of 100 = 6 months
    assert frame[monthly.pk]["sector"] == "retail"
    assert frame[nothing.pk]["months"] == 0 and frame[nothing.pk]["run_rate"] is None
    assert frame[nothing.pk]["sector"] is None


@pytest.mark.django_db
def test_a_complete_year_runs_at_its_annual_figure():
    town = TownFactory()
    e = firm(town, run_rate=40_000_000, year=2025)  # quarters of 10 million …
    from tests.cultivation.helpers import annual

    annual(e, 2025, main_revenue=38_000_000)  # … and the year's figure, which wins
    row = facts.build(2025).filter(facts.pl.col("enterprise_id") == e.pk).row(0, named=True)
    assert row["run_rate"] == Decimal("38000000.00") and row["months"] == 12
