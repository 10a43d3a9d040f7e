"""Seed 000 三(十九)(二十): quotas by revenue tier (10/6/3 places for key staff, 6/4/2 school places) are
entitlements, not money: the enterprise sees them on 我的政策 (page and API), matching stores them
without an amount, and there is nothing to apply for."""

from datetime import date

import pytest

from tests.factories import IndicatorValueFactory
from zhuqi.core.errors import Conflict
from zhuqi.policies import matching, services
from zhuqi.policies.models import Match


@pytest.fixture
def tiered(policy_world):
    """Enterprise a (a pilot) had 主营业务收入 of 1,200,000,000 in 2020: the first tier in 2021."""
    IndicatorValueFactory(
        enterprise=policy_world.a, indicator="main_revenue", year=2020, value=1_200_000_000, source="stats"
    )
    return policy_world


def test_my_policies_shows_the_places_of_the_revenue_tier(client, tiered):
    client.force_login(tiered.users["enterprise_a"])
    page = client.get("/policies/mine/?year=2021").content.decode()
    places = page[page.index('data-clause="DB-3-19-PLACES"') :]
    assert "10 个名额" in places[: places.index("</article>")]
    school = page[page.index('data-clause="DB-3-20-SCHOOL"') :]
    assert "6 个学位" in school[: school.index("</article>")]
    assert "/policies/clauses/DB-3-19-PLACES/apply/" not in page  # nothing to apply for
    api = client.get("/api/v1/policy-standing?year=2021").json()
    found = {s["clause"]["code"]: s for s in api}
    assert found["DB-3-19-PLACES"]["kind"] == "entitlement" and found["DB-3-19-PLACES"]["places"] == 10
    assert found["DB-3-19-PLACES"]["amount"] is None and found["DB-3-20-SCHOOL"]["places"] == 6


def test_matching_stores_entitlements_without_an_amount_and_they_are_not_applied_for(tiered):
    matching.match_run(period=date(2021, 12, 31))
    match = Match.objects.get(enterprise=tiered.a, clause__code="DB-3-19-PLACES", year=2021)
    assert match.eligible and match.amount is None
    assert not Match.objects.filter(
        enterprise=tiered.b, clause__code="DB-3-19-PLACES", eligible=True
    ).exists()
    with pytest.raises(Conflict) as refused:
        services.application_submit(
            enterprise=tiered.a,
            clause=tiered.clause("DB-3-19-PLACES"),
            year=2021,
            inputs={},
            acting_user=tiered.users["enterprise_a"],
        )
    assert refused.value.code == "entitlement"
