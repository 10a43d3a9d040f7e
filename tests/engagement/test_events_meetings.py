"""Major-event reports reach the liaison, the town and the office at once and are followed like a
ledger item; meetings' decisions become tracked tasks."""

from datetime import date

import pytest

from zhuqi.core import findings
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.core.models import OutboxMessage
from zhuqi.engagement import events, meetings
from zhuqi.engagement.lifecycle import EventState
from zhuqi.engagement.models import MajorEvent, Meeting, Task

pytestmark = pytest.mark.django_db


def _report(world, who="enterprise_a"):
    return events.report_event(
        enterprise=world.a,
        kind=MajorEvent.Kind.PRODUCTION_STOP,
        occurred_on=date(2026, 11, 30),
        title="二号车间停产检修",
        description="设备故障，预计停产两周。",
        acting_user=world.users[who],
    )


def test_report_reaches_liaison_town_and_office_at_once(world):
    event = _report(world)
    told = set(
        OutboxMessage.objects.filter(key__startswith=f"major-event-{event.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"leader_a", "town_a", "coordinator"}


def test_only_its_enterprise_or_the_office_reports(world):
    with pytest.raises(Forbidden):
        events.report_event(
            enterprise=world.a,
            kind="relocation",
            occurred_on=date(2026, 11, 1),
            title="x",
            description="y",
            acting_user=world.users["enterprise_b"],
        )
    assert _report(world, "coordinator").reported_by == world.users["coordinator"]


def test_followed_like_a_ledger_item(world):
    event = _report(world)
    (found,) = [
        f for f in findings.kinds()["major_event"].provider(date(2026, 12, 1)) if f.subject_id == event.pk
    ]
    assert found.level == "red" and found.user_ids == (world.users["leader_a"].pk,)
    with pytest.raises(Forbidden):
        events.act_on_event(
            event=event,
            action="acknowledge",
            acting_user=world.users["leader_a"].__class__.objects.get(username="town_handler"),
        )
    with pytest.raises(Conflict):
        events.act_on_event(event=event, action="close", acting_user=world.users["coordinator"], note="x")
    event = events.act_on_event(event=event, action="acknowledge", acting_user=world.users["leader_a"])
    event = events.act_on_event(
        event=event, action="follow_up", acting_user=world.users["town_a"], note="已联系应急局"
    )
    event = events.act_on_event(
        event=event, action="close", acting_user=world.users["leader_a"], note="已复产"
    )
    assert event.state == EventState.CLOSED and event.notes.count() == 3
    assert OutboxMessage.objects.filter(
        key__startswith=f"major-event-{event.pk}-closed", recipient__username="ent_a"
    ).exists()
    assert not [
        f for f in findings.kinds()["major_event"].provider(date(2026, 12, 1)) if f.subject_id == event.pk
    ]


def test_meeting_decisions_become_tasks(world):
    meeting = meetings.record_meeting(
        kind=Meeting.Kind.DISPATCH,
        title="2026年第四季度调度会",
        held_on=date(2026, 11, 20),
        chair=world.users["leader_a"],
        enterprises=[world.a, world.b],
        departments=[world.city_dept],
        minutes="研究解决企业用电、用工问题。",
        decisions=[
            meetings.Decision(
                "协调供电增容", date(2026, 12, 20), owner_department=world.city_dept, enterprise=world.a
            ),
            meetings.Decision("组织招工对接", date(2026, 12, 31), owner_department=world.town_dept),
        ],
        acting_user=world.users["coordinator"],
    )
    made = meetings.tasks_of(meeting)
    assert {t.title for t in made} == {"协调供电增容", "组织招工对接"}
    assert all(t.source == Task.Source.MEETING and t.source_object == meeting for t in made)
    with pytest.raises(Forbidden):
        meetings.record_meeting(
            kind="symposium", title="x", held_on=date(2026, 1, 1), acting_user=world.users["leader_a"]
        )
