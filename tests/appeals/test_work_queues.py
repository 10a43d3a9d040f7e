"""Work queues on the home page: counts per role, computed in the database in a fixed number of
queries, each linking to a list that shows exactly what it counted."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnterpriseFactory
from zhuqi.appeals import deadlines, selectors, services
from zhuqi.appeals.models import Appeal, State, Supervision
from zhuqi.core import workdays
from zhuqi.monitoring import selectors as monitoring_selectors
from zhuqi.web.queues import queues_for

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "coordinator",
    "enterprise_a",
    "town_a",
    "city_handler",
    "town_handler",
    "leader_a",
    "expert",
]


def submit(w, category, title="贷款贴息迟迟未到账", enterprise=None):
    enterprise = enterprise or w.a
    user = w.users["enterprise_a"] if enterprise == w.a else w.users["enterprise_b"]
    return services.appeal_submit(
        enterprise=enterprise, title=title, description="d", category=category, acting_user=user
    ).appeal


@pytest.fixture
def busy(loop):
    """Appeals in every state a queue counts: waiting for dispatch, dispatched, accepted, replied,
    escalated, closed; one overdue with a supervision order, one near its deadline."""
    w = loop
    handler = w.users["city_handler"]
    submit(w, w.cats.other, "无人受理的问题")  # submitted, waits for dispatch
    submit(w, w.cats.loan, "待受理")  # dispatched to 市工信局
    accepted = services.appeal_accept(appeal=submit(w, w.cats.loan, "办理中"), acting_user=handler)
    replied = services.appeal_accept(appeal=submit(w, w.cats.loan, "待评价"), acting_user=handler)
    services.appeal_reply(appeal=replied, acting_user=handler, reply="已办")
    closed = services.appeal_accept(appeal=submit(w, w.cats.loan, "已办结的事"), acting_user=handler)
    closed = services.appeal_reply(appeal=closed, acting_user=handler, reply="已办")
    services.appeal_rate(appeal=closed, acting_user=w.users["enterprise_a"], rating="satisfied")
    services.appeal_escalate(
        appeal=submit(w, w.cats.loan, "协调会"), acting_user=w.users["coordinator"], comment="复杂"
    )
    submit(w, w.cats.recruit, "镇里的招工问题")  # 长安镇经济发展局
    submit(w, w.cats.loan, "乙企业的问题", enterprise=w.b)
    now = timezone.now()
    Appeal.objects.filter(pk=accepted.pk).update(resolve_due=now - timedelta(days=10))
    Supervision.objects.create(appeal=accepted, department=w.city_dept, level="red")
    near = Appeal.objects.get(title="待受理")
    near.resolve_due = workdays.add_working_days(now, 1)
    near.save()
    return w


@pytest.mark.parametrize("role", ROLES)
def test_every_queue_links_to_a_list_showing_what_it_counts(busy, role):
    user = busy.users[role]
    found = queues_for(user)
    for queue in found:
        path, query = urlsplit(queue.url)[2:4]
        params = dict(parse_qsl(query))
        if path == reverse("appeals:appeal_list"):
            assert selectors.appeal_list(user, **params).count() == queue.count, queue
        elif path == reverse("monitoring:warnings"):
            assert monitoring_selectors.warning_list(user, **params).count() == queue.count, queue
        elif path == reverse("assessment:campaigns"):
            assert params == {"todo": "1"} and queue.count == 0, queue  # no survey in this world
        elif path == reverse("programs:my_reviews"):
            assert queue.count == 0, queue  # nothing is drawn for the expert in this world
        else:
            assert path in (reverse("policies:application_list"), reverse("policies:offer_list"))
    if role == "expert":
        # An expert's only work is scoring the programme applications drawn for it (issue 9).
        assert [(q.key, q.count) for q in found] == [("to_score", 0)]


def counts(w, role):
    # The warnings centre's queue is tested with the centre (tests/monitoring).
    return {q.key: q.count for q in queues_for(w.users[role]) if q.key != "warnings"}


def test_each_role_gets_its_own_queues(busy):
    assert counts(busy, "coordinator") | {"applications": 0, "to_batch": 0} == {
        "to_dispatch": 1,
        "near": 2,  # 待受理, and the one waiting for dispatch (due within 1 working day)
        "overdue": 1,
        "supervised": 1,
        "escalated": 1,
        "applications": 0,
        "to_batch": 0,
    }
    handler = counts(busy, "city_handler")
    assert (handler["to_accept"], handler["accepted"], handler["overdue"], handler["supervised"]) == (
        2,
        1,
        1,
        1,
    )
    assert handler["near"] == 1
    assert counts(busy, "town_handler")["to_accept"] == 1
    enterprise = counts(busy, "enterprise_a")
    assert (enterprise["appeals_open"], enterprise["to_rate"]) == (6, 1)
    assert enterprise["to_confirm"] == 0 and enterprise["my_applications"] == 0
    assert counts(busy, "town_a")["appeals_open"] == 6  # 长安镇's enterprise only, not 乙 of 虎门镇
    assert counts(busy, "leader_a")["appeals_open"] == 6


def test_near_and_overdue_in_the_database_agree_with_the_warning_colour(busy):
    now = timezone.now()
    appeal = Appeal.objects.get(title="待受理")
    calendar = workdays.exceptions()
    for hours in (-200, -30, -1, 1, 20, 30, 50, 80, 120, 200, 400):
        appeal.resolve_due = now + timedelta(hours=hours)
        appeal.save()
        colour = deadlines.warning(appeal, now, calendar)
        coordinator = busy.users["coordinator"]
        near = selectors.appeal_list(coordinator, due="near", now=now).filter(pk=appeal.pk).exists()
        overdue = selectors.appeal_list(coordinator, due="overdue", now=now).filter(pk=appeal.pk).exists()
        assert near == (colour == "blue"), hours
        assert overdue == (colour in ("yellow", "red")), hours


@pytest.mark.parametrize("role", ROLES)
def test_queues_take_a_fixed_number_of_queries(busy, role, django_assert_max_num_queries):
    user = busy.users[role]
    workdays.exceptions()  # the calendar is cached per process; counted once, not per queue
    with django_assert_max_num_queries(4):
        queues_for(user)
    for n in range(5):  # more data, same number of queries
        EnterpriseFactory(town=busy.towns[0])
        submit(busy, busy.cats.loan, f"又一个问题{n}")
    with django_assert_max_num_queries(4):
        queues_for(user)


def test_home_page_shows_the_queues_as_links(client, busy):
    client.force_login(busy.users["city_handler"])
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-queue="to_accept" data-count="2"' in page
    assert "state=dispatched&amp;department=miit" in page
    client.force_login(busy.users["expert"])
    assert 'data-queue="to_score" data-count="0"' in client.get(reverse("web:home")).content.decode()


def test_the_handler_list_opens_on_its_work_to_do(client, busy):
    client.force_login(busy.users["city_handler"])
    todo = client.get(reverse("appeals:appeal_list")).content.decode()
    assert "办理中" in todo and "已办结的事" not in todo
    everything = client.get(reverse("appeals:appeal_list"), {"state": "all"}).content.decode()
    assert "已办结的事" in everything


def test_enterprises_do_not_get_the_staff_tools(client, busy):
    client.force_login(busy.users["enterprise_a"])
    page = client.get(reverse("appeals:appeal_list")).content.decode()
    for name in ("appeals:warnings", "appeals:coordination", "appeals:kpis"):
        assert reverse(name) not in page
        assert client.get(reverse(name)).status_code == 404
    client.force_login(busy.users["town_a"])
    page = client.get(reverse("appeals:appeal_list")).content.decode()
    assert all(reverse(n) in page for n in ("appeals:warnings", "appeals:coordination", "appeals:kpis"))
    assert client.get(reverse("appeals:kpis")).status_code == 200


def test_overdue_state_filter_is_open_only(busy):
    coordinator = busy.users["coordinator"]
    closed = Appeal.objects.get(title="已办结的事")
    Appeal.objects.filter(pk=closed.pk).update(resolve_due=timezone.now() - timedelta(days=30))
    assert closed.state == State.CLOSED
    assert not selectors.appeal_list(coordinator, due="overdue").filter(pk=closed.pk).exists()


def test_the_api_gives_the_same_queues(client, busy):
    client.force_login(busy.users["city_handler"])
    body = client.get("/api/v1/work-queues").json()
    assert {q["key"]: q["count"] for q in body if q["key"] != "warnings"} == counts(busy, "city_handler")
    assert next(q for q in body if q["key"] == "to_accept")["label"] == "待受理"
