from datetime import timedelta

import pytest
from django.utils import timezone

from zhuqi.appeals import lifecycle, services
from zhuqi.appeals.models import Appeal, CoordinationItem, State
from zhuqi.core import outbox, worker
from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def submit(w, category=None, **kw):
    return services.appeal_submit(
        enterprise=w.a,
        title=kw.pop("title", "贷款贴息迟迟未到账"),
        description="2025年贷款贴息申请已三个月未拨付。",
        category=category or w.cats.loan,
        acting_user=w.users["enterprise_a"],
        **kw,
    ).appeal


def trail(appeal):
    return [
        (e.action, e.from_state, e.to_state, e.actor.username if e.actor else None)
        for e in appeal.events.order_by("id")
    ]


def test_full_walk_with_the_audit_trail(loop):
    w = loop
    appeal = submit(w)
    assert appeal.state == State.DISPATCHED and appeal.department == w.city_dept  # routed by rule
    handler = w.users["city_handler"]
    appeal = services.appeal_accept(appeal=appeal, acting_user=handler)
    appeal = services.appeal_progress(appeal=appeal, acting_user=handler, comment="已联系财政局")
    appeal = services.appeal_reply(appeal=appeal, acting_user=handler, reply="贴息已于本周拨付。")
    appeal = services.appeal_rate(appeal=appeal, acting_user=w.users["enterprise_a"], rating="satisfied")
    assert appeal.state == State.CLOSED and appeal.close_reason == "rated" and appeal.on_time
    assert trail(appeal) == [
        ("submit", "", "submitted", "ent_a"),
        ("dispatch", "submitted", "dispatched", None),
        ("accept", "dispatched", "accepted", "city_handler"),
        ("progress", "accepted", "accepted", "city_handler"),
        ("reply", "accepted", "replied", "city_handler"),
        ("rate", "replied", "closed", "ent_a"),
    ]


def test_town_matters_go_to_the_town_department_and_unrouted_to_dispatch(loop):
    w = loop
    assert submit(w, w.cats.recruit, title="招工难").department == w.town_dept
    # 虎门镇 has no town department: the city department handling 用工 takes it.
    b = services.appeal_submit(
        enterprise=w.b,
        title="招工难",
        description="缺普工",
        category=w.cats.recruit,
        acting_user=w.users["enterprise_b"],
    ).appeal
    assert b.department == w.city_dept
    unrouted = submit(w, w.cats.other, title="其他问题")
    assert unrouted.state == State.SUBMITTED and unrouted.department is None
    services.appeal_dispatch(appeal=unrouted, department=w.town_dept, acting_user=w.users["coordinator"])
    assert Appeal.objects.get(pk=unrouted.pk).department == w.town_dept


def test_return_and_transfer_keep_every_hop(loop):
    w = loop
    appeal = submit(w)
    with pytest.raises(ZhuqiError):
        services.appeal_return(appeal=appeal, acting_user=w.users["city_handler"], comment="")
    appeal = services.appeal_return(
        appeal=appeal, acting_user=w.users["city_handler"], comment="不属于本局职能"
    )
    assert appeal.state == State.SUBMITTED and appeal.department is None
    appeal = services.appeal_dispatch(
        appeal=appeal, department=w.town_dept, acting_user=w.users["coordinator"]
    )
    appeal = services.appeal_transfer(
        appeal=appeal, department=w.city_dept, acting_user=w.users["town_handler"], comment="应由市工信局办理"
    )
    assert [e.action for e in appeal.events.order_by("id")] == [
        "submit",
        "dispatch",
        "return",
        "dispatch",
        "transfer",
    ]
    assert appeal.events.get(action="return").comment == "不属于本局职能"


@pytest.mark.parametrize("action", sorted(lifecycle.TRANSITIONS))
def test_every_action_is_refused_from_a_closed_appeal_and_changes_nothing(loop, action):
    w = loop
    appeal = submit(w)
    Appeal.objects.filter(pk=appeal.pk).update(state=State.CLOSED)
    before = (
        Appeal.objects.filter(pk=appeal.pk).values().get(),
        appeal.events.count(),
        OutboxMessage.objects.count(),
    )
    calls = {
        "dispatch": lambda: services.appeal_dispatch(
            appeal=appeal, department=w.city_dept, acting_user=w.users["coordinator"]
        ),
        "accept": lambda: services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"]),
        "return": lambda: services.appeal_return(
            appeal=appeal, acting_user=w.users["city_handler"], comment="x"
        ),
        "transfer": lambda: services.appeal_transfer(
            appeal=appeal, department=w.town_dept, acting_user=w.users["coordinator"], comment="x"
        ),
        "progress": lambda: services.appeal_progress(
            appeal=appeal, acting_user=w.users["city_handler"], comment="x"
        ),
        "reply": lambda: services.appeal_reply(appeal=appeal, acting_user=w.users["city_handler"], reply="x"),
        "rate": lambda: services.appeal_rate(
            appeal=appeal, acting_user=w.users["enterprise_a"], rating="satisfied"
        ),
        "close_unrated": lambda: services._locked(appeal, "close_unrated"),
        "escalate": lambda: services.appeal_escalate(
            appeal=appeal, acting_user=w.users["coordinator"], comment="x"
        ),
        "decide": lambda: services.appeal_decide(
            appeal=appeal, acting_user=w.users["coordinator"], decision="x", owner=w.city_dept
        ),
        "withdraw": lambda: services.appeal_withdraw(appeal=appeal, acting_user=w.users["enterprise_a"]),
        "merge": lambda: services.appeal_merge(
            appeal=appeal, into=appeal, acting_user=w.users["coordinator"]
        ),
    }
    with pytest.raises(Conflict) as exc:
        calls[action]()
    assert exc.value.code == "invalid_transition" and exc.value.status == 409
    after = (
        Appeal.objects.filter(pk=appeal.pk).values().get(),
        appeal.events.count(),
        OutboxMessage.objects.count(),
    )
    assert after == before


def test_only_the_routed_department_may_act(loop):
    w = loop
    appeal = submit(w)
    with pytest.raises(Forbidden):
        services.appeal_accept(appeal=appeal, acting_user=w.users["town_handler"])
    appeal = _reply(w, appeal)
    with pytest.raises(Forbidden):
        services.appeal_rate(appeal=appeal, acting_user=w.users["enterprise_b"], rating="satisfied")
    assert Appeal.objects.get(pk=appeal.pk).state == State.REPLIED


def test_stale_version_is_a_conflict(loop):
    w = loop
    appeal = submit(w)
    seen = appeal.version
    services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
    with pytest.raises(Conflict) as exc:
        services.appeal_reply(
            appeal=appeal, acting_user=w.users["city_handler"], reply="x", expected_version=seen
        )
    assert exc.value.code == "appeal_changed"


def _reply(w, appeal):
    services.appeal_accept(
        appeal=appeal, acting_user=w.users["city_handler"]
    ) if appeal.state == "dispatched" else None
    return services.appeal_reply(
        appeal=Appeal.objects.get(pk=appeal.pk), acting_user=w.users["city_handler"], reply="已处理"
    )


def test_second_unsatisfied_rating_goes_to_the_coordination_meeting(loop):
    """Seed 000, 三(四): 系统两次发还重办的问题 … 以“一企一策”方式纳入市政府重大项目协调会议事范畴."""
    w = loop
    ent = w.users["enterprise_a"]
    appeal = _reply(w, submit(w))
    Appeal.objects.filter(pk=appeal.pk).update(resolve_due=timezone.now() - timedelta(days=30))
    appeal = services.appeal_rate(appeal=appeal, acting_user=ent, rating="unsatisfied", comment="仍未到账")
    assert appeal.state == State.DISPATCHED and appeal.department == w.city_dept and appeal.reopen_count == 1
    assert not CoordinationItem.objects.exists()
    stored = Appeal.objects.get(pk=appeal.pk)
    # 发还重办 starts the clock again: 7 working days from the reopening, kept in the database.
    assert stored.resolve_due == appeal.resolve_due
    assert stored.resolve_due > timezone.now() and stored.events.last().action == "reopen"
    appeal = _reply(w, appeal)
    appeal = services.appeal_rate(appeal=appeal, acting_user=ent, rating="unsatisfied", comment="还是没有")
    assert appeal.state == State.ESCALATED and appeal.reopen_count == 2
    item = CoordinationItem.objects.get(appeal=appeal)
    assert item.reason == "reopened_twice"
    appeal = services.appeal_decide(
        appeal=appeal,
        acting_user=w.users["coordinator"],
        decision="由市工信局牵头,财政局配合",
        owner=w.city_dept,
    )
    item.refresh_from_db()
    assert appeal.state == State.DISPATCHED and item.owner == w.city_dept and item.decided_at
    assert [e.action for e in appeal.events.order_by("id")][-4:] == ["reply", "rate", "escalate", "decide"]


def test_outside_the_policy_list_goes_straight_to_the_meeting(loop):
    appeal = submit(loop, within_policy=False)
    assert appeal.state == State.ESCALATED
    assert CoordinationItem.objects.get(appeal=appeal).reason == "outside_policy"


def test_leader_instruction_reaches_the_handler(loop):
    w = loop
    appeal = submit(w)
    services.appeal_instruct(
        appeal=appeal, acting_user=w.users["leader_a"], instruction="请市工信局本周内办结"
    )
    event = appeal.events.get(action="instruct")
    recipients = set(
        OutboxMessage.objects.filter(key__startswith=f"appeal-event-{event.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"city_handler", "miit_head"} <= recipients
    other_leader = w.users["expert"]
    with pytest.raises(Forbidden):
        services.appeal_instruct(appeal=appeal, acting_user=other_leader, instruction="x")


def test_submission_notifies_liaison_leader_and_department_heads(loop, settings):
    w = loop
    settings.ZHUQI_PRINCIPAL_LEADER = "admin"
    appeal = submit(w)
    event = appeal.events.get(action="submit")
    # The submission queues one row naming its audience; the worker fans it out.
    (fanout,) = OutboxMessage.objects.filter(key__startswith=f"appeal-event-{event.pk}:")
    assert fanout.key == f"appeal-event-{event.pk}:fanout" and fanout.recipient is None
    assert fanout.audience == {
        "name": "appeal_submitted",
        "args": {"enterprise_id": w.a.pk, "department_id": w.city_dept.pk},
    }
    assert worker.deliver_due(channels=["fanout"]) == 1
    queued = OutboxMessage.objects.filter(key__startswith=f"appeal-event-{event.pk}:").exclude(
        channel="fanout"
    )
    recipients = set(queued.values_list("recipient__username", flat=True))
    assert recipients == {"admin", "leader_a", "miit_head", "city_handler"}
    # The head has a mobile: an SMS is queued besides the in-app message.
    assert queued.filter(recipient=w.head, channel="sms", address="13900000001").exists()
    assert all(m.subject == fanout.subject and m.link == fanout.link for m in queued)
    # A fan-out delivered again (a worker killed before marking it sent) queues nothing twice.
    fanout.refresh_from_db()
    assert fanout.status == OutboxMessage.Status.SENT
    before = queued.count()
    outbox.fan_out(fanout)
    assert queued.count() == before


def test_idempotency_key_and_duplicate_hint(loop):
    w = loop
    first = services.appeal_submit(
        enterprise=w.a,
        title="贷款贴息迟迟未到账",
        description="x",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
        idempotency_key="k-1",
    )
    again = services.appeal_submit(
        enterprise=w.a,
        title="贷款贴息迟迟未到账",
        description="x",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
        idempotency_key="k-1",
    )
    assert first.created and not again.created and again.appeal.pk == first.appeal.pk
    assert Appeal.objects.count() == 1
    similar = services.appeal_submit(
        enterprise=w.a,
        title="贷款贴息一直未到账",
        description="y",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
    )
    assert [a.pk for a in similar.possible_duplicates] == [first.appeal.pk]


def test_a_retry_finds_its_appeal_however_many_open_ones_come_first(loop):
    """The retry lookup shares one query with the duplicate candidates (issue 16, item 5): the
    retried appeal sorts first even when it is closed and older than every candidate."""
    w = loop
    first = services.appeal_submit(
        enterprise=w.a,
        title="首次提交",
        description="x",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
        idempotency_key="k-old",
    ).appeal
    Appeal.objects.filter(pk=first.pk).update(state=State.CLOSED)
    now = timezone.now()
    Appeal.objects.bulk_create(
        Appeal(
            number=f"N{i}",
            enterprise=w.a,
            title=f"其他{i}",
            description="d",
            category=w.cats.loan,
            created_at=now,
            dispatch_due=now,
            resolve_due=now,
            submitted_by=w.users["enterprise_a"],
        )
        for i in range(services.DUPLICATE_CANDIDATES + 2)
    )
    again = services.appeal_submit(
        enterprise=w.a,
        title="首次提交",
        description="x",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
        idempotency_key="k-old",
    )
    assert not again.created and again.appeal.pk == first.pk and again.appeal.description == "x"
    # The same key from another submitter is another appeal.
    other = services.appeal_submit(
        enterprise=w.b,
        title="首次提交",
        description="x",
        category=w.cats.loan,
        acting_user=w.users["enterprise_b"],
        idempotency_key="k-old",
    )
    assert other.created and other.appeal.pk != first.pk


def test_a_routed_submission_is_a_handful_of_statements_with_its_trail_in_order(
    loop, django_assert_num_queries
):
    w = loop

    def submit(key):
        return services.appeal_submit(
            enterprise=w.a,
            title=f"贴息 {key}",
            description="x",
            category=w.cats.loan,
            acting_user=w.users["enterprise_a"],
            idempotency_key=key,
        ).appeal

    submit("warm")  # the deadline rules, calendar and routing table are read once, then cached
    # duplicate candidates, savepoint, reference counter (routing's cached table), the appeal already
    # dispatched, its number, trail (both events), the outbox's one fan-out row, release
    with django_assert_num_queries(8):
        appeal = submit("k-2")
    trail = list(appeal.events.order_by("id").values_list("action", "from_state", "to_state"))
    assert trail == [("submit", "", State.SUBMITTED), ("dispatch", State.SUBMITTED, State.DISPATCHED)]
