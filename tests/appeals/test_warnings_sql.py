"""The warnings in SQL (selectors.warning_list) equal the colours deadlines.warning gives each appeal in
Python, the worst first and then the oldest, on a random world around weekends and a holiday."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from zhuqi.appeals import deadlines, selectors
from zhuqi.appeals.models import Appeal, State
from zhuqi.core import services as core_services
from zhuqi.core import workdays

pytestmark = pytest.mark.django_db

OPEN = [State.SUBMITTED, State.DISPATCHED, State.ACCEPTED, State.REPLIED, State.ESCALATED]


def _python_warnings(user, now):
    """The list as computed before issue 16: every open appeal coloured in Python, sorted in Python."""
    calendar = workdays.exceptions()
    rows = [(a, deadlines.warning(a, now, calendar)) for a in selectors.appeal_list(user, state="open")]
    order = {"red": 0, "yellow": 1, "blue": 2}
    rows = sorted(((a, level) for a, level in rows if level), key=lambda r: (order[r[1]], r[0].created_at))
    return [(a.number, level, deadlines.active_due(a)) for a, level in rows]


def _world(w, rng, n=160):
    around = datetime(2026, 9, 28, 4, 0, tzinfo=UTC)  # the national-day holidays are near
    appeals = []
    for i in range(n):
        state = rng.choice([*OPEN, State.CLOSED, State.WITHDRAWN])
        due = around + timedelta(minutes=rng.randrange(-20 * 24 * 60, 20 * 24 * 60))
        if i % 7 == 0:  # the last second of a day, as add_working_days sets them
            due = datetime.combine(
                due.astimezone(workdays.SHANGHAI).date(), workdays.END_OF_DAY, workdays.SHANGHAI
            )
        appeals.append(
            Appeal(
                number=f"W{i:05d}",
                enterprise=rng.choice([w.a, w.b]),
                title=f"诉求{i}",
                description="d",
                category=w.cats.loan,
                submitted_by=w.users["system"],
                state=state,
                department=rng.choice([w.city_dept, w.town_dept, None]),
                created_at=around - timedelta(days=30) + timedelta(minutes=rng.randrange(0, 9) * 60 * 24),
                dispatch_due=due if rng.random() < 0.9 else None,
                resolve_due=due + timedelta(days=rng.choice([0, 3, 9])) if rng.random() < 0.9 else None,
            )
        )
    Appeal.objects.bulk_create(appeals)


@pytest.mark.parametrize("red_after", [0, 3])
def test_sql_warnings_equal_the_python_colours(loop, red_after):
    w = loop
    core_services.calendar_day_set(
        day=date(2026, 10, 1), kind="holiday", name="国庆节", acting_user=w.users["coordinator"]
    )
    core_services.calendar_day_set(
        day=date(2026, 10, 10), kind="workday", name="国庆调休", acting_user=w.users["coordinator"]
    )
    _world(w, random.Random(red_after))
    moments = [
        datetime(2026, 9, 28, 4, 0, tzinfo=UTC),  # a Monday at noon in Shanghai
        datetime(2026, 10, 2, 17, 0, tzinfo=UTC),  # a holiday Saturday, 1 a.m. in Shanghai
        datetime(2026, 10, 11, 15, 59, 59, tzinfo=UTC),  # the last second of a Sunday in Shanghai
        datetime(2026, 10, 6, 23, 0, tzinfo=UTC),
    ]
    with override_settings(ZHUQI_RED_AFTER_DAYS=red_after):
        for user in (w.users["coordinator"], w.users["city_handler"], w.users["town_a"]):
            for now in moments:
                expected = _python_warnings(user, now)
                got = [(a.number, a.level, a.active_due) for a in selectors.warning_list(user, now)]
                assert got == expected, (user.username, now)
                assert {level for _n, level, _d in got} >= (
                    {"red", "yellow"} if user.role == "coordinator" else set()
                )


def test_warning_page_and_api_read_one_page_in_sql(client, loop, django_assert_max_num_queries):
    w = loop
    _world(w, random.Random(5), n=120)
    client.force_login(w.users["coordinator"])
    total = selectors.warning_list(w.users["coordinator"]).count()
    assert total > 25
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/appeal-warnings?page=2").json()
    assert body["count"] == total and len(body["items"]) == 25
    first = selectors.warning_list(w.users["coordinator"])[25]
    assert body["items"][0]["number"] == first.number and body["items"][0]["level"] == first.level
    with django_assert_max_num_queries(20):
        page = client.get("/appeals/warnings/?page=2")
    assert page.status_code == 200 and first.number in page.content.decode()
