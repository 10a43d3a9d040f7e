"""The KPIs in SQL equal the KPIs as computed before (tests/appeals/kpis_reference.py: rows into Polars and
a day-by-day working-day loop) on a random world, on SQLite and PostgreSQL alike."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.appeals import kpis_reference
from tests.factories import DepartmentFactory, EnterpriseFactory, TownFactory
from zhuqi.appeals import kpis, services
from zhuqi.appeals.models import Appeal, CloseReason, KpiRollup, Rating, State
from zhuqi.core import services as core_services
from zhuqi.core import workdays
from zhuqi.core.models import WorkdayOrdinal

pytestmark = pytest.mark.django_db

STATES = [State.SUBMITTED, State.DISPATCHED, State.ACCEPTED, State.REPLIED, State.ESCALATED]
STATES += [State.CLOSED] * 4 + [State.WITHDRAWN, State.MERGED]


def _random_world(w, rng: random.Random, n: int = 240) -> None:
    towns = [*w.towns, TownFactory(code="dalang", name="大朗镇")]
    enterprises = [w.a, w.b, *(EnterpriseFactory(town=t) for t in towns)]
    departments = [
        w.city_dept,
        w.town_dept,
        DepartmentFactory(code="tax", name="国家税务总局东莞市税务局", short_name="市税务局"),
        None,
    ]
    categories = [w.cats.loan, w.cats.recruit, w.cats.other, w.cats.labour]
    submitter = w.users["system"]
    start = datetime(2025, 9, 1, tzinfo=UTC)
    appeals = []
    for i in range(n):
        created = start + timedelta(minutes=rng.randrange(0, 200 * 24 * 60))
        if i == 0:  # 1 February 00:30 in Shanghai: January in UTC, February in the KPIs
            created = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)
        state = State.CLOSED if i == 0 else rng.choice(STATES)
        replied = created + timedelta(hours=rng.randrange(1, 600)) if rng.random() < 0.8 else None
        closed = None
        if state == State.CLOSED or state in (State.WITHDRAWN, State.MERGED):
            closed = (replied or created) + timedelta(hours=rng.randrange(0, 400))
        reason, rating = "", ""
        if state == State.CLOSED:
            reason = rng.choice([CloseReason.RATED, CloseReason.RATED, CloseReason.UNRATED])
            rating = rng.choice(list(Rating)) if reason == CloseReason.RATED else ""
        appeals.append(
            Appeal(
                number=f"T{i:06d}",
                enterprise=rng.choice(enterprises),
                title=f"诉求{i}",
                description="d",
                category=rng.choice(categories),
                submitted_by=submitter,
                state=state,
                department=rng.choice(departments),
                reopen_count=rng.choice([0, 0, 0, 1, 2]),
                created_at=created,
                replied_at=replied if state not in (State.SUBMITTED, State.DISPATCHED) else None,
                closed_at=closed,
                close_reason=reason,
                rating=rating,
                on_time=rng.choice([True, False, None]),
            )
        )
    Appeal.objects.bulk_create(appeals)


def _by_group(rows):
    return {row["group"]: row for row in rows}


def _assert_same(scope, by, **period):
    expected = _by_group(kpis_reference.compute(scope, by, **period))
    got = _by_group(kpis.compute(scope, by, **period))
    assert got.keys() == expected.keys(), by
    for group, row in expected.items():
        for field, value in row.items():
            assert got[group][field] == pytest.approx(value), (by, group, field)
    return got


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_kpis_equal_the_python_kpis_on_a_random_world(loop, seed):
    w = loop
    _random_world(w, random.Random(seed))
    # A holiday in the past, set after the appeals closed: the stored handling times follow it once
    # recomputed by the command, as the Python loop follows the calendar at once.
    core_services.calendar_day_set(
        day=date(2025, 10, 15), kind="holiday", name="测试假日", acting_user=w.users["coordinator"]
    )
    call_command("appeals", "recompute-handling")
    assert Appeal.objects.filter(state=State.CLOSED, handling_days__isnull=True).count() == 0

    scope = Appeal.objects.all()
    for by in kpis.GROUPS:
        _assert_same(scope, by)
    boundary = Appeal.objects.get(number="T000000")
    by_month = _assert_same(scope.filter(pk=boundary.pk), "month")
    assert list(by_month) == ["2026-02"]  # counted in Shanghai's month, not UTC's
    assert _assert_same(scope, "town", start=date(2025, 11, 1), end=date(2026, 1, 31))

    overall, rows = kpis.overall_and_groups(scope, "category")
    assert overall == kpis.compute(scope)[0]
    assert rows == kpis.compute(scope, "category")


def test_closing_stores_the_handling_time(loop):
    w = loop
    ent = w.users["enterprise_a"]
    appeal = services.appeal_submit(
        enterprise=w.a, title="贴息", description="d", category=w.cats.loan, acting_user=ent
    ).appeal
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=10))
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal = services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
    appeal = services.appeal_reply(appeal=appeal, acting_user=w.users["city_handler"], reply="已办")
    services.appeal_rate(appeal=appeal, acting_user=ent, rating="satisfied")
    appeal.refresh_from_db()
    assert appeal.handling_days == workdays.working_days_between(appeal.created_at, appeal.closed_at)
    assert appeal.handling_days >= 6


def test_calendar_edits_shift_the_working_day_ordinals(loop):
    coordinator = loop.users["coordinator"]
    workdays.ensure_ordinals()

    def ordinal(day):
        return WorkdayOrdinal.objects.get(date=day).ordinal

    monday, next_monday = date(2030, 3, 4), date(2030, 3, 11)
    assert ordinal(next_monday) - ordinal(monday) == 5
    core_services.calendar_day_set(day=date(2030, 3, 6), kind="holiday", acting_user=coordinator)
    assert ordinal(next_monday) - ordinal(monday) == 4
    core_services.calendar_day_set(day=date(2030, 3, 9), kind="workday", name="调休", acting_user=coordinator)
    assert ordinal(next_monday) - ordinal(monday) == 5
    core_services.calendar_day_remove(day=date(2030, 3, 6), acting_user=coordinator)
    assert ordinal(next_monday) - ordinal(monday) == 6
    calendar = workdays.exceptions()
    for day in (date(2030, 3, 5), date(2030, 3, 9), date(2030, 3, 10)):
        start = datetime.combine(monday, datetime.min.time(), tzinfo=workdays.SHANGHAI)
        end = datetime.combine(day, datetime.min.time(), tzinfo=workdays.SHANGHAI)
        assert ordinal(day) - ordinal(monday) == workdays.working_days_between(start, end, calendar)


def test_the_rollup_gives_the_live_kpis_and_serves_only_the_whole_ledger(loop, settings):
    """Province scale: the worker's rollup (kpis.refresh_rollup) summed by the pages equals the live
    aggregate for every grouping, over whole months too (the Shanghai-month boundary included);
    scoped views and periods cut inside a month stay live; below the threshold there is no rollup."""
    w = loop
    _random_world(w, random.Random(3))
    call_command("appeals", "recompute-handling")
    scope = Appeal.objects.all()
    live = {by: kpis.compute(scope, by) for by in kpis.GROUPS}
    months = {"start": date(2025, 11, 1), "end": date(2026, 2, 28)}
    live_months = kpis.compute(scope, "month", **months)
    assert "2026-02" in {r["group"] for r in live_months}

    settings.ZHUQI_KPI_ROLLUP_FROM = 10**9
    assert kpis.worker_refresh() is None and not KpiRollup.objects.exists()  # a small ledger: all live
    settings.ZHUQI_KPI_ROLLUP_FROM = 1
    assert kpis.worker_refresh() > 0
    assert kpis.worker_refresh() is None  # still fresh at the next pass: not rebuilt
    for by in kpis.GROUPS:
        assert kpis.compute(scope, by, rollup=True) == live[by], by
    assert kpis.compute(scope, "month", **months, rollup=True) == live_months
    assert kpis.compute(scope, "month", **months) == live_months  # not asked: live
    overall, rows = kpis.overall_and_groups(scope, "department", rollup=True)
    assert overall["as_of"] == KpiRollup.objects.get().refreshed_at and rows == live["department"]

    # An appeal withdrawn after the refresh: the rollup's figures are as of its time; what it does
    # not serve (a scope, a period cut inside a month) is live and sees the change at once.
    counted = Appeal.objects.exclude(state__in=[State.WITHDRAWN, State.MERGED]).first()
    Appeal.objects.filter(pk=counted.pk).update(state=State.WITHDRAWN)
    before = live["all"][0]["count"]
    assert kpis.compute(scope, rollup=True)[0]["count"] == before
    assert kpis.compute(scope)[0]["count"] == before - 1
    assert kpis.compute(scope.filter(pk__gt=0), rollup=True)[0]["count"] == before - 1
    assert kpis.overall_and_groups(scope.filter(pk__gt=0), "all", rollup=True)[0]["as_of"] is None
    cut = {"start": date(2025, 9, 15)}
    expected = _by_group(_assert_same(scope, "town", **cut).values())
    assert _by_group(kpis.compute(scope, "town", **cut, rollup=True)) == expected
    _assert_same(scope.filter(pk__gt=0), "category")

    settings.ZHUQI_KPI_ROLLUP_FROM = 10**9  # below the threshold again: the rollup is dropped
    kpis.worker_refresh(now=timezone.now() + timedelta(hours=1))
    assert (
        not KpiRollup.objects.exists()
        and kpis.overall_and_groups(scope, "all", rollup=True)[0]["as_of"] is None
    )


def test_the_worker_rebuilds_the_rollup_only_when_the_appeals_changed(loop, settings):
    """On PostgreSQL an unchanged ledger keeps its rollup (said true as of the pass, core/changes.py);
    any change to the appeals has it rebuilt at the next pass. Elsewhere it is rebuilt every time."""
    w = loop
    _random_world(w, random.Random(4), n=60)
    settings.ZHUQI_KPI_ROLLUP_FROM = 1
    assert kpis.worker_refresh() > 0
    built = KpiRollup.objects.get()
    later = timezone.now() + timedelta(hours=1)
    again = kpis.worker_refresh(now=later)
    if connection.vendor == "postgresql":
        assert again == 0 and KpiRollup.objects.get().refreshed_at == later
        assert KpiRollup.objects.get().stamp == built.stamp
    else:
        assert again > 0 and not KpiRollup.objects.get().stamp
    counted = Appeal.objects.exclude(state__in=[State.WITHDRAWN, State.MERGED]).first()
    Appeal.objects.filter(pk=counted.pk).update(state=State.WITHDRAWN)
    assert kpis.worker_refresh(now=later + timedelta(hours=1)) > 0
    assert kpis.compute(Appeal.objects.all(), rollup=True)[0]["count"] == built.appeals - 1
