"""Event quotas per organiser (seed 002 二(一)4 and 二(五)23) and progress through the year."""

from datetime import date

import pytest

from tests.factories import DepartmentFactory, TownFactory
from zhuqi.chains import quotas, selectors, services
from zhuqi.chains.models import Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: date(2026, 12, 31))
    services.quotas_install(
        acting_user=world.users["coordinator"], year=2026, industry_department=world.city_dept
    )
    return world


def held(world, kind, on, *, department=None, town=None):
    return services.event_create(
        acting_user=world.users["coordinator"],
        kind=kind,
        title="对接会",
        held_on=on,
        organiser_department=department,
        organiser_town=town,
        held=True,
    )


def rows(as_of, **kw):
    return {
        (r.quota.kind, r.quota.scope, getattr(r.organiser, "code", None)): r
        for r in quotas.progress(2026, as_of, **kw)
    }


def test_seed_002_quotas_as_data_with_their_paragraphs(year):
    found = {(q.kind, q.scope): q for q in Quota.objects.filter(year=2026)}
    # 二(一)4: 10 产销 in the county, 2 of them by the industry department, at least 1 by each town
    assert found[("supply", "total")].minimum == 10
    assert found[("supply", "department")].minimum == 2
    assert found[("supply", "department")].department == year.city_dept
    assert found[("supply", "each_town")].minimum == 1
    assert "二(一)4" in found[("supply", "total")].source
    # 二(五)23: 用工 30 (fairs counted in them, the reading taken), 招工 10
    assert found[("labour", "total")].minimum == 30
    assert set(found[("labour", "total")].counts) == {"labour", "recruitment"}
    assert found[("recruitment", "total")].minimum == 10
    assert "二(五)23" in found[("recruitment", "total")].source


def test_each_organiser_against_its_quota_through_the_year(year):
    changan, humen = year.towns
    held(year, "supply", date(2026, 2, 10), department=year.city_dept)
    held(year, "supply", date(2026, 7, 1), department=year.city_dept)
    held(year, "supply", date(2026, 3, 3), town=changan)
    # a town-level department's event is its town's too (长安镇经济发展局 → 长安镇)
    held(year, "supply", date(2026, 4, 3), department=year.town_dept)
    # at the end of June: the industry department has 1 of 2 (pace ⌈2×6/12⌉ = 1: on track)
    june = rows(date(2026, 6, 30))
    dept = june[("supply", "department", "miit")]
    assert (dept.done, dept.expected, dept.status) == (1, 1, quotas.ON_TRACK)
    assert dept.by_month == [0, 1, 1, 1, 1, 1]
    assert june[("supply", "each_town", "changan")].done == 2
    assert june[("supply", "each_town", "changan")].status == quotas.MET
    assert june[("supply", "each_town", "humen")].status == quotas.BEHIND  # pace 1 by June, none held
    total = june[("supply", "total", None)]
    assert (total.done, total.expected, total.status) == (3, 5, quotas.BEHIND)  # every organiser counts
    # in July the department meets its 2
    assert rows(date(2026, 7, 31))[("supply", "department", "miit")].status == quotas.MET


def test_only_held_events_of_the_year_up_to_the_day_count(year):
    held(year, "supply", date(2025, 12, 31), department=year.city_dept)
    services.event_create(
        acting_user=year.users["coordinator"],
        kind="supply",
        title="计划中的对接会",
        held_on=date(2026, 3, 1),
        organiser_department=year.city_dept,
    )
    held(year, "supply", date(2026, 5, 5), department=year.city_dept)
    assert rows(date(2026, 5, 4))[("supply", "department", "miit")].done == 0
    assert rows(date(2026, 5, 5))[("supply", "department", "miit")].done == 1


def test_recruitment_fairs_count_towards_labour_matchmaking_not_the_reverse(year):
    hr = DepartmentFactory(code="hrss", name="人社局")
    for month in (1, 2, 3):
        held(year, "recruitment", date(2026, month, 15), department=hr)
    held(year, "labour", date(2026, 3, 20), department=hr)
    march = rows(date(2026, 3, 31))
    assert march[("labour", "total", None)].done == 4
    assert march[("recruitment", "total", None)].done == 3
    assert march[("recruitment", "total", None)].expected == 3  # ⌈10×3/12⌉


def test_a_department_sees_the_totals_and_its_own_rows_only(year):
    TownFactory(code="dalang", name="大朗镇")
    mine = selectors.quota_progress(year.users["city_handler"], 2026, date(2026, 6, 30))
    assert {(r.quota.scope, getattr(r.organiser, "code", None)) for r in mine} == {
        ("total", None),
        ("department", "miit"),
    }
    town = selectors.quota_progress(year.users["town_a"], 2026, date(2026, 6, 30))
    assert {getattr(r.organiser, "code", None) for r in town if r.quota.scope == "each_town"} == {"changan"}
    assert (
        len(
            [
                r
                for r in selectors.quota_progress(year.users["coordinator"], 2026, date(2026, 6, 30))
                if r.quota.scope == "each_town"
            ]
        )
        == 3
    )
    assert selectors.quota_progress(year.users["enterprise_a"], 2026, date(2026, 6, 30)) == []


def test_pace_is_the_minimum_spread_evenly_over_the_months():
    assert [quotas.expected_by(10, m) for m in (1, 6, 12)] == [1, 5, 10]
    assert [quotas.expected_by(1, m) for m in (1, 11, 12)] == [1, 1, 1]
