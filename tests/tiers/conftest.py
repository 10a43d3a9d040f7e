from datetime import date

import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory, TierFactFactory

FACTS_2024 = {"revenue": 100_000_000, "main_revenue": 80_000_000, "rd_expense": 4_000_000}


def innovative_enterprise(**overrides):
    """An enterprise that scores 80 for 2025 (上年度 = 2024): Ⅰ类 IP 10, R&D 4% 15, growth 12% 15,
    debt 40% 10, 战略性新兴产业 10, main share 80% 20."""
    enterprise = overrides.pop("enterprise", None) or EnterpriseFactory()
    figures = FACTS_2024 | overrides.pop("figures", {})
    for key, value in figures.items():
        IndicatorValueFactory(enterprise=enterprise, indicator=key, year=2024, value=value)
    IndicatorValueFactory(enterprise=enterprise, indicator="main_revenue", year=2023, value="71428571.43")
    facts = {
        "ip_class1": 1,
        "ip_class1_high": 0,
        "ip_class1_own": 0,
        "ip_class2": 0,
        "debt_ratio": 40,
        "sei_field": 1,
    }
    facts |= overrides.pop("facts", {})
    for key, value in facts.items():
        if value is not None:
            TierFactFactory(enterprise=enterprise, key=key, value=value, as_of=date(2025, 3, 1))
    return enterprise


@pytest.fixture
def make_innovative(db):
    return innovative_enterprise
