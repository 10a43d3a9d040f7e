from datetime import date

import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory
from zhuqi.chains import services


@pytest.fixture
def chain(world):
    """新式茶饮 (seed 002 二(一)1) with leader_a as 链长, enterprise A as 链主, 市工信局's 专班."""
    c = services.chain_create(
        acting_user=world.users["coordinator"],
        code="tea",
        name="新式茶饮",
        leader=world.users["leader_a"],
        lead_enterprise=world.a,
        lead_department=world.city_dept,
        source="温县万人助万企方案 二(一)1",
    )
    return c


def add_members(world, chain, n, *, town=None):
    members = []
    for i in range(n):
        e = EnterpriseFactory(town=town or world.towns[0])
        for year, revenue, tax in ((2024, 100_000_000 + i, 5_000_000), (2025, 120_000_000 + i, 6_000_000)):
            IndicatorValueFactory(enterprise=e, year=year, indicator="revenue", value=revenue)
            IndicatorValueFactory(enterprise=e, year=year, indicator="tax_paid", value=tax)
        services.chain_member_set(
            chain=chain,
            acting_user=world.users["coordinator"],
            enterprise=e,
            position=("upstream", "core", "downstream")[i % 3],
        )
        members.append(e)
    return members


TODAY = date(2026, 6, 30)
