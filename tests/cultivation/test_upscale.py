"""小升规 (seed 002 (四)14): the pool at 1.2 × the year's target, by town, rounded up; filled with the
enterprises nearest the threshold by their run rate; the three lists kept by the rules."""

from datetime import date

import pytest

from tests.cultivation.helpers import firm
from tests.factories import TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Forbidden
from zhuqi.core.models import AuditEvent
from zhuqi.cultivation import proposals, services
from zhuqi.cultivation.models import Membership, MembershipState, PoolKind


@pytest.mark.parametrize(("target", "size"), [(22, 27), (10, 12), (5, 6), (3, 4), (1, 2), (0, 0)])
def test_pool_is_one_point_two_times_the_target_rounded_up(target, size):
    # 温县方案 二（四）14 「按年度预期目标的1.2倍」: 22 × 1.2 = 26.4 → 27 (the pool holds at least 1.2 ×)
    assert proposals.pool_size(target) == size


def test_half_up_is_the_other_reading(monkeypatch):
    monkeypatch.setattr(proposals, "ROUNDING", "half_up")
    assert proposals.pool_size(22) == 26 and proposals.pool_size(3) == 4


@pytest.fixture
def office(db):
    return UserFactory(role=Role.COORDINATOR)


@pytest.mark.django_db
def test_pool_sized_per_town_nearest_the_threshold_first(office):
    a, b, c = TownFactory(code="a"), TownFactory(code="b"), TownFactory(code="c")
    # town a: 10 candidates at 10.0, 11.0 … 19.0 million and one at 21 million (1 million past it)
    in_a = [firm(a, run_rate=10_000_000 + i * 1_000_000) for i in range(10)]
    past = firm(a, run_rate=21_000_000)
    firm(a, run_rate=25_000_000, above_scale=True)  # already 规上: never a candidate
    in_b = [firm(b, run_rate=5_000_000 + i * 1_000_000) for i in range(5)]
    firm(c, run_rate=19_000_000)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=a, target=5, acting_user=office)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=b, target=2, acting_user=office)
    counts = services.pool_propose(kind=PoolKind.UPSCALE, year=2026, acting_user=office)
    members = Membership.objects.filter(kind=PoolKind.UPSCALE, year=2026)
    by_town = {t.code: list(members.filter(enterprise__town=t).order_by("rank")) for t in (a, b, c)}
    assert (
        len(by_town["a"]) == 6 and len(by_town["b"]) == 3 and by_town["c"] == []
    )  # 5 × 1.2, 2 × 1.2 → 3, no target
    assert counts["candidates"] == 9
    # nearest first: 19 and 21 million are both 1 million away (the higher first), then 18, 17, 16, 15
    assert [m.enterprise_id for m in by_town["a"]] == [
        past.pk,
        in_a[9].pk,
        in_a[8].pk,
        in_a[7].pk,
        in_a[6].pk,
        in_a[5].pk,
    ]
    assert [m.rank for m in by_town["a"]] == [1, 2, 3, 4, 5, 6]
    assert by_town["a"][1].facts["distance"] == "1000000.00"
    assert {m.enterprise_id for m in by_town["b"]} == {e.pk for e in in_b[2:]}
    assert all(m.state == MembershipState.PROPOSED for m in members)
    assert AuditEvent.objects.filter(verb="pool_propose").count() == 1


@pytest.mark.django_db
def test_a_second_run_keeps_decisions_and_withdraws_stale_proposals(office):
    a = TownFactory(code="a")
    kept = firm(a, run_rate=19_000_000)
    gone = firm(a, run_rate=18_000_000)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=a, target=1, acting_user=office)  # pool of 2
    services.pool_propose(kind=PoolKind.UPSCALE, year=2026, acting_user=office)
    member = Membership.objects.get(enterprise=kept)
    services.membership_admit(membership=member, acting_user=office, reason="走访核实")
    firm(a, run_rate=19_500_000)  # a nearer one arrives: the waiting proposal of `gone` is withdrawn
    services.pool_propose(kind=PoolKind.UPSCALE, year=2026, acting_user=office)
    assert Membership.objects.get(enterprise=kept).state == MembershipState.ADMITTED
    assert not Membership.objects.filter(enterprise=gone).exists()


@pytest.mark.django_db
def test_only_the_office_sets_targets(world):
    with pytest.raises(Forbidden):
        services.target_set(
            kind=PoolKind.UPSCALE, year=2026, town=world.towns[0], target=3, acting_user=world.users["town_a"]
        )


@pytest.mark.django_db
def test_the_three_lists_enter_and_leave_with_the_rules(office):
    a = TownFactory(code="a")
    near = firm(a, run_rate=17_000_000)
    first = firm(a, run_rate=20_000_000)
    drop = firm(a, run_rate=19_000_000, above_scale=True, last_year=22_000_000)
    fall = firm(a, run_rate=30_000_000, above_scale=True, last_year=40_000_000)  # −25 %
    steady = firm(a, run_rate=30_000_000, above_scale=True, last_year=32_000_000)
    counts = services.upscale_refresh(year=2026, acting_user=office, today=date(2026, 10, 20))

    def on(kind):
        return set(
            Membership.objects.filter(kind=kind, year=2026, state=MembershipState.ADMITTED).values_list(
                "enterprise_id", flat=True
            )
        )  # noqa: E731

    assert on(PoolKind.NEAR) == {near.pk}
    assert on(PoolKind.FIRST) == {first.pk}
    assert on(PoolKind.DROP) == {drop.pk, fall.pk}
    assert steady.pk not in on(PoolKind.DROP)
    assert counts[PoolKind.DROP]["entered"] == 2
    member = Membership.objects.get(kind=PoolKind.DROP, enterprise=drop)
    assert member.entered_on == date(2026, 10, 20) and "易退库" in member.entry_reason
    # drop recovers: it leaves the list with the day and the reason
    drop.tags.clear()
    services.upscale_refresh(year=2026, acting_user=office, today=date(2026, 11, 2))
    member.refresh_from_db()
    assert (
        member.state == MembershipState.EXITED
        and member.exited_on == date(2026, 11, 2)
        and member.exit_reason
    )
