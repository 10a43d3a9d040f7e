"""Targets and progress of the ladder (seed 002 (二)6, (四)13, (四)14): new recognitions and new 规上 of
the year, by town, against the targets."""

from datetime import date

import pytest

from tests.cultivation.helpers import firm
from tests.factories import TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.cultivation import ladder, services
from zhuqi.cultivation.models import Tier
from zhuqi.directory.models import Enterprise
from zhuqi.tiers.models import Recognition


@pytest.mark.django_db
def test_reached_counts_new_above_scale_and_recognitions_of_the_year_by_town():
    a, b = TownFactory(code="a"), TownFactory(code="b")
    office = UserFactory(role=Role.COORDINATOR)
    new = firm(a, above_scale=True, last_year=15_000_000)  # below the threshold last year: new 规上
    firm(a, above_scale=True, last_year=45_000_000)  # already 规上 last year
    specialised = firm(b)
    Recognition.objects.create(
        enterprise=specialised,
        tier="specialised",
        level="provincial",
        document="豫工信〔2026〕1号",
        recognised_on=date(2026, 5, 1),
    )
    Recognition.objects.create(
        enterprise=new,
        tier="specialised",
        level="provincial",
        document="豫工信〔2025〕1号",
        recognised_on=date(2025, 5, 1),
    )
    services.ladder_target_set(year=2026, tier=Tier.ABOVE_SCALE, target=22, acting_user=office)
    services.ladder_target_set(year=2026, tier=Tier.ABOVE_SCALE, town=a, target=5, acting_user=office)
    services.ladder_target_set(year=2026, tier=Tier.SPECIALISED, target=5, acting_user=office)
    rows = {r["tier"]: r for r in ladder.progress(2026, Enterprise.objects.all())}
    above = rows[Tier.ABOVE_SCALE]
    assert above["target"] == 22 and above["reached"] == 1
    assert [(t["town"].code, t["target"], t["reached"]) for t in above["towns"]] == [("a", 5, 1)]
    assert rows[Tier.SPECIALISED]["reached"] == 1 and rows[Tier.SPECIALISED]["towns"][0]["town"] == b
    assert rows[Tier.LITTLE_GIANT]["reached"] == 0
    # a reader who sees only town a
    only_a = ladder.progress(2026, Enterprise.objects.filter(town=a))
    assert {r["tier"]: r["reached"] for r in only_a}[Tier.SPECIALISED] == 0
