"""The sweep costs what changed: idle, it is a fixed handful of queries whatever the number of appeals;
with N deadlines passed its queries do not grow with N; and it does what it did (one order per appeal,
department and level, the head told, unrated replies closed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal, AppealEvent, State, Supervision
from zhuqi.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _dispatched(w, n, *, department=None, title="诉求"):
    made = []
    for i in range(n):
        appeal = services.appeal_submit(
            enterprise=w.a,
            title=f"{title}{i}",
            description="d",
            category=w.cats.other,
            acting_user=w.users["enterprise_a"],
        ).appeal
        made.append(
            services.appeal_dispatch(
                appeal=appeal, department=department or w.city_dept, acting_user=w.users["coordinator"]
            )
        )
    return made


def _queries(now):
    with CaptureQueriesContext(connection) as ctx:
        result = services.sweep(now)
    return result, len(ctx.captured_queries)


def test_an_idle_sweep_is_a_few_queries(loop, django_assert_max_num_queries):
    w = loop
    appeals = _dispatched(w, 12)
    late = max(a.resolve_due for a in appeals) + timedelta(days=40)
    assert services.sweep(late)["supervised"] == 12  # all red now; nothing left to look at
    _dispatched(w, 5, title="新")  # deadlines days ahead
    with django_assert_max_num_queries(4):
        assert services.sweep(late - timedelta(days=40) - timedelta(days=30)) == {
            "supervised": 0,
            "closed_unrated": 0,
        }
    with django_assert_max_num_queries(10):  # read, orders, events, heads, messages, sweep_at moved
        assert services.sweep(late)["supervised"] == 5
    with django_assert_max_num_queries(4):
        assert services.sweep(late) == {"supervised": 0, "closed_unrated": 0}


def test_a_sweep_does_not_grow_its_queries_with_the_thresholds_passed(loop):
    w = loop
    few = _dispatched(w, 3, title="少")
    many = _dispatched(w, 3, department=w.town_dept, title="多") + _dispatched(w, 25, title="多多")
    for group in (few, many):
        Appeal.objects.filter(pk__in=[a.pk for a in group]).update(sweep_at=None)
    Appeal.objects.filter(pk__in=[a.pk for a in few]).update(sweep_at=timezone.now() - timedelta(days=1))
    now = max(a.resolve_due for a in few + many) + timedelta(seconds=1)  # yellow: just overdue
    result_few, queries_few = _queries(now)
    assert result_few["supervised"] == 3
    Appeal.objects.filter(pk__in=[a.pk for a in many]).update(sweep_at=timezone.now() - timedelta(days=1))
    result_many, queries_many = _queries(now)
    assert result_many["supervised"] == 28
    assert queries_many <= queries_few + 1  # the town department has no head: its people, once
    orders = Supervision.objects.filter(level="yellow")
    assert orders.count() == 31 and orders.filter(department=w.town_dept).count() == 3
    assert AppealEvent.objects.filter(action="supervise").count() == 31
    head_messages = OutboxMessage.objects.filter(recipient=w.head, key__startswith="appeal-event-")
    assert head_messages.filter(subject__contains="督办").count() >= 28
    town_people = OutboxMessage.objects.filter(recipient=w.users["town_handler"], subject__contains="督办")
    assert town_people.count() >= 3
    # Red later: one more order each, once.
    red = now + timedelta(days=30)
    assert services.sweep(red)["supervised"] == 31
    assert services.sweep(red)["supervised"] == 0


def test_unrated_replies_close_in_one_pass(loop):
    w = loop
    appeals = _dispatched(w, 4)
    replied = []
    for appeal in appeals:
        appeal = services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
        replied.append(
            services.appeal_reply(appeal=appeal, acting_user=w.users["city_handler"], reply="已办")
        )
    soon = replied[-1].replied_at + timedelta(days=1)
    assert services.sweep(soon)["closed_unrated"] == 0
    later = replied[-1].replied_at + timedelta(days=20)
    assert services.sweep(later)["closed_unrated"] == 4
    closed = Appeal.objects.filter(pk__in=[a.pk for a in appeals])
    assert {a.state for a in closed} == {State.CLOSED} and all(a.handling_days is not None for a in closed)
    assert all(a.sweep_at is None for a in closed)
    assert AppealEvent.objects.filter(action="close_unrated").count() == 4
