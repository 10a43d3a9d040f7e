"""The key lists (seed 003 三(一)5): 100 per kind when enough qualify, late reporters out, the office
adds and removes with a reason and publishes, and the year-to-year in/out."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.cultivation.helpers import annual
from tests.factories import EnterpriseFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.core.models import AuditEvent
from zhuqi.cultivation import keylists
from zhuqi.cultivation.models import EntryState, ListKind, ListState
from zhuqi.directory.models import IndicatorValue

TZ = ZoneInfo("Asia/Shanghai")


def written(enterprise, year: int, when: datetime) -> None:
    IndicatorValue.objects.filter(enterprise=enterprise, year=year).update(updated_at=when)


@pytest.fixture
def office(db):
    return UserFactory(role=Role.COORDINATOR)


@pytest.fixture
def firms(db):
    """130 enterprises with 2025 revenue 10.01 … 11.30 million, reported in February 2026."""
    town = TownFactory(code="a")
    made = []
    for i in range(130):
        e = EnterpriseFactory(town=town)
        annual(e, 2025, revenue=10_010_000 + i * 10_000)
        made.append(e)
    IndicatorValue.objects.update(updated_at=datetime(2026, 2, 10, tzinfo=TZ))
    return made


def on_list(key_list) -> list[int]:
    return list(
        key_list.entries.filter(state=EntryState.IN).order_by("rank").values_list("enterprise_id", flat=True)
    )


def test_exactly_one_hundred_by_revenue_and_a_late_reporter_is_out(office, firms):
    late = EnterpriseFactory(town=firms[0].town)
    annual(late, 2025, revenue=900_000_000)  # the largest of all, but reported in May
    written(late, 2025, datetime(2026, 5, 3, tzinfo=TZ))
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    counts = keylists.list_propose(key_list=key_list, acting_user=office)
    ids = on_list(key_list)
    assert len(ids) == 100 == counts["placed"]
    assert ids == [e.pk for e in reversed(firms)][:100]  # largest revenue first
    assert late.pk not in ids
    flagged = key_list.entries.get(enterprise=late)
    assert flagged.state == EntryState.LATE and flagged.rank == 1 and flagged.reason
    assert counts["late"] == 1
    # the office cannot put it back this year
    with pytest.raises(Conflict):
        keylists.list_add(key_list=key_list, enterprise=late, acting_user=office, reason="重点扶持")


def test_fewer_than_one_hundred_qualify(office, firms):
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    keylists.list_rule_edit(key_list=key_list, acting_user=office, changes={"min_revenue": 11_000_000})
    keylists.list_propose(key_list=key_list, acting_user=office)
    assert len(on_list(key_list)) == 31  # 11.00 … 11.30 million (以上 includes the figure)
    assert AuditEvent.objects.filter(verb="key_list_rule_edit").count() == 1


def test_office_removes_and_adds_with_a_reason_and_the_list_stays_at_one_hundred(office, firms):
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office)
    outsider = firms[0]  # the smallest: not on the list
    with pytest.raises(Conflict):  # full
        keylists.list_add(key_list=key_list, enterprise=outsider, acting_user=office, reason="产业链关键企业")
    top = key_list.entries.get(enterprise=firms[-1])
    keylists.list_remove(entry=top, acting_user=office, reason="发生重大安全事故")
    keylists.list_add(key_list=key_list, enterprise=outsider, acting_user=office, reason="产业链关键企业")
    keylists.list_propose(key_list=key_list, acting_user=office)  # a new proposal keeps both decisions
    ids = on_list(key_list)
    assert len(ids) == 100 and outsider.pk in ids and firms[-1].pk not in ids
    assert key_list.entries.get(enterprise=firms[-1]).state == EntryState.REMOVED
    keylists.list_publish(key_list=key_list, acting_user=office)
    key_list.refresh_from_db()
    assert key_list.state == ListState.PUBLISHED
    with pytest.raises(Conflict):
        keylists.list_propose(key_list=key_list, acting_user=office)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"key_list_propose", "key_list_add", "key_list_remove", "key_list_publish"} <= verbs


def test_only_the_office_reviews(world):
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    with pytest.raises(Forbidden):
        keylists.list_propose(key_list=key_list, acting_user=world.users["town_a"])


def test_year_to_year_in_and_out(office, firms):
    # 2025's list ranks 2024 revenue: the reverse order, so the 100 smallest of 2025's figures
    for i, e in enumerate(firms):
        annual(e, 2024, revenue=20_000_000 - i * 10_000)
    IndicatorValue.objects.update(updated_at=datetime(2025, 2, 10, tzinfo=TZ))
    IndicatorValue.objects.filter(year=2025).update(updated_at=datetime(2026, 2, 10, tzinfo=TZ))
    old = keylists.list_for(ListKind.SCALE, 2025)
    keylists.list_propose(key_list=old, acting_user=office)
    keylists.list_publish(key_list=old, acting_user=office)
    new = keylists.list_for(ListKind.SCALE, 2026)
    keylists.list_propose(key_list=new, acting_user=office)
    entered, left = keylists.changes(new)
    assert entered == {e.pk for e in firms[100:]}  # the 30 largest of 2025 were not on 2025's list
    assert left == {e.pk for e in firms[:30]}
    assert len(on_list(new)) == 100


def test_growth_over_two_years_from_a_base_large_enough(office):
    town = TownFactory(code="a")
    fast, slow, tiny = (EnterpriseFactory(town=town) for _ in range(3))
    annual(fast, 2023, revenue=30_000_000)
    annual(fast, 2025, revenue=60_000_000)  # noqa: E702  +100 %
    annual(slow, 2023, revenue=30_000_000)
    annual(slow, 2025, revenue=33_000_000)  # noqa: E702  +10 %
    annual(tiny, 2023, revenue=1_000_000)
    annual(tiny, 2025, revenue=9_000_000)  # noqa: E702  base too small
    IndicatorValue.objects.update(updated_at=datetime(2026, 1, 5, tzinfo=TZ))
    key_list = keylists.list_for(ListKind.GROWTH, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office)
    assert on_list(key_list) == [fast.pk, slow.pk]
    assert key_list.entries.get(enterprise=fast).score == Decimal("1.0000")


def test_strength_takes_each_industrys_first_then_its_second(office):
    town = TownFactory(code="a")
    made = {}
    for industry in ("C39", "C38"):
        for i in range(3):
            e = EnterpriseFactory(town=town, industry_code=industry)
            annual(
                e,
                2025,
                tax_paid=1_000_000 * (i + 1),
                land_area=10,
                rd_expense=100_000 * (i + 1),
                revenue=10_000_000,
            )
            made[(industry, i)] = e
    lonely = EnterpriseFactory(town=town, industry_code="C14")  # alone in its industry: fewer than 3 peers
    annual(lonely, 2025, tax_paid=9_000_000, land_area=1, rd_expense=5_000_000, revenue=10_000_000)
    IndicatorValue.objects.update(updated_at=datetime(2026, 1, 5, tzinfo=TZ))
    key_list = keylists.list_for(ListKind.STRENGTH, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office)
    ids = on_list(key_list)
    assert len(ids) == 6 and lonely.pk not in ids
    assert set(ids[:2]) == {made[("C39", 2)].pk, made[("C38", 2)].pk}
    assert set(ids[4:]) == {made[("C39", 0)].pk, made[("C38", 0)].pk}


def test_rule_settings_are_bounded(office):
    key_list = keylists.list_for(ListKind.STRENGTH, 2026)
    for changes in (
        {"tax_weight": 101},
        {"min_peers": 0},
        {"nope": 1},
        {"report_by": "2030-01-01"},
        {"tax_weight": 0, "rd_weight": 0},
    ):
        with pytest.raises(Exception) as caught:
            keylists.list_rule_edit(key_list=key_list, acting_user=office, changes=changes)
        assert getattr(caught.value, "status", None) == 422
