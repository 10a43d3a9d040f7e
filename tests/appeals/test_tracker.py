"""The appeal tracker: rounds and steps built from the trail, the promised date of the next step,
and the page the enterprise reads."""

import pytest
from django.urls import reverse

from zhuqi.appeals import services, tracker
from zhuqi.appeals.models import State

pytestmark = pytest.mark.django_db


def submit(w, category=None):
    return services.appeal_submit(
        enterprise=w.a,
        title="贷款贴息迟迟未到账",
        description="2025年贷款贴息申请已三个月未拨付。",
        category=category or w.cats.loan,
        acting_user=w.users["enterprise_a"],
    ).appeal


def rounds_of(appeal):
    appeal.refresh_from_db()
    events = list(appeal.events.select_related("actor", "department", "department__head"))
    return tracker.rounds(appeal, events)


def done(round_):
    return [s.key for s in round_.steps if s.done]


def test_a_new_appeal_promises_the_next_step_by_its_deadline(loop):
    appeal = submit(loop, loop.cats.other)  # nobody handles 其他: it waits for dispatch
    (first,) = rounds_of(appeal)
    assert done(first) == ["submit"]
    assert first.current.key == "dispatch" and first.current.due == appeal.dispatch_due
    routed = submit(loop)
    (first,) = rounds_of(routed)
    assert done(first) == ["submit", "dispatch"] and first.department == loop.city_dept
    assert first.current.key == "accept" and first.current.due == routed.resolve_due
    assert first.contact == loop.head  # before anyone accepts: the department's head


def test_unsatisfied_rating_opens_a_second_round_with_its_own_reply_and_rating(loop):
    w = loop
    handler, ent = w.users["city_handler"], w.users["enterprise_a"]
    appeal = submit(w)
    appeal = services.appeal_accept(appeal=appeal, acting_user=handler)
    appeal = services.appeal_reply(appeal=appeal, acting_user=handler, reply="已转财政局。")
    appeal = services.appeal_rate(appeal=appeal, acting_user=ent, rating="unsatisfied", comment="仍未到账")
    first, second = rounds_of(appeal)
    assert done(first) == ["submit", "dispatch", "accept", "reply", "rate"]
    assert (
        first.reply == "已转财政局。" and first.rating == "unsatisfied" and first.rating_comment == "仍未到账"
    )
    assert first.contact == handler and first.current.key == "close" and first.current.due is None
    assert [s.key for s in second.steps] == ["dispatch", "accept", "reply", "rate", "close"]
    assert done(second) == ["dispatch"] and second.current.due == appeal.resolve_due
    appeal = services.appeal_accept(appeal=appeal, acting_user=handler)
    appeal = services.appeal_reply(appeal=appeal, acting_user=handler, reply="贴息已拨付。")
    first, second = rounds_of(appeal)
    assert second.current.key == "rate" and second.current.due > appeal.replied_at
    appeal = services.appeal_rate(appeal=appeal, acting_user=ent, rating="satisfied")
    first, second = rounds_of(appeal)
    assert appeal.state == State.CLOSED and second.current is None
    assert second.reply == "贴息已拨付。" and second.rating == "satisfied" and first.reply == "已转财政局。"


def test_a_return_sends_the_round_back_to_dispatch(loop):
    w = loop
    appeal = submit(w)
    appeal = services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
    appeal = services.appeal_return(appeal=appeal, acting_user=w.users["city_handler"], comment="非本局职能")
    (first,) = rounds_of(appeal)
    assert done(first) == ["submit"] and first.department is None and first.current.key == "dispatch"
    services.appeal_dispatch(appeal=appeal, department=w.town_dept, acting_user=w.users["coordinator"])
    (first,) = rounds_of(appeal)
    assert done(first) == ["submit", "dispatch"] and first.department == w.town_dept


def test_the_enterprise_reads_the_tracker_and_the_timeline(client, loop):
    w = loop
    handler = w.users["city_handler"]
    appeal = submit(w)
    appeal = services.appeal_accept(appeal=appeal, acting_user=handler)
    appeal = services.appeal_reply(appeal=appeal, acting_user=handler, reply="已转财政局。")
    services.appeal_rate(appeal=appeal, acting_user=w.users["enterprise_a"], rating="unsatisfied")
    client.force_login(w.users["enterprise_a"])
    page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    assert 'data-round="1"' in page and 'data-round="2"' in page
    assert "发还重办" in page and "不满意" in page and "已转财政局。" in page
    assert w.city_dept.name in page and 'data-step="accept"' in page
    assert '<ol class="timeline">' in page and '<table id="trail"' not in page


def test_the_api_gives_the_same_rounds(client, loop):
    w = loop
    handler = w.users["city_handler"]
    appeal = submit(w)
    appeal = services.appeal_accept(appeal=appeal, acting_user=handler)
    appeal = services.appeal_reply(appeal=appeal, acting_user=handler, reply="已转财政局。")
    services.appeal_rate(appeal=appeal, acting_user=w.users["enterprise_a"], rating="unsatisfied")
    client.force_login(w.users["enterprise_a"])
    body = client.get(f"/api/v1/appeals/{appeal.number}").json()
    first, second = body["rounds"]
    assert first["reply"] == "已转财政局。" and first["rating"] == "unsatisfied"
    assert first["contact_name"] == "city_handler" and first["department_code"] == "miit"
    assert [s["key"] for s in second["steps"] if s["done_at"]] == ["dispatch"]
    assert next(s for s in second["steps"] if s["key"] == "accept")["due"] is not None
