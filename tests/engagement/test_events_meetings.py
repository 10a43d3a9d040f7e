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


def _report_for_b(world):
    return events.report_event(
        enterprise=world.b,
        kind=MajorEvent.Kind.RELOCATION,
        occurred_on=date(2026, 11, 2),
        title="乙企业拟搬迁",
        description="拟搬迁至外省。",
        acting_user=world.users["coordinator"],
    )


def test_major_events_export_as_a_job_with_the_page_filters_and_scope(world, client):
    from tests.job_helpers import cells, page_export

    stopped, moving = _report(world), _report_for_b(world)
    events.act_on_event(
        event=stopped, action="acknowledge", note="已签收", acting_user=world.users["leader_a"]
    )
    client.force_login(world.users["coordinator"])
    everything = cells(page_export(client, "engagement:event_export"))
    assert {stopped.title, moving.title, world.a.uscc, world.b.name, "搬迁", "已签收，跟踪中"} <= everything
    acknowledged = cells(page_export(client, "engagement:event_export", {"state": "acknowledged"}))
    assert stopped.title in acknowledged and moving.title not in acknowledged
    relocations = cells(page_export(client, "engagement:event_export", {"kind": "relocation"}))
    assert moving.title in relocations and stopped.title not in relocations
    client.force_login(world.users["enterprise_a"])  # its own only, as the list shows it
    own = cells(page_export(client, "engagement:event_export"))
    assert stopped.title in own and moving.title not in own
    page = client.get("/engagement/events/").content.decode()
    assert 'action="/engagement/events/export/' in page


def test_major_events_export_is_refused_to_whoever_may_not_see_them(world, client):
    from zhuqi.core import jobs

    with pytest.raises(Forbidden):
        jobs.enqueue(kind="export.major_events", owner=world.users["expert"], parameters={})
    client.force_login(world.users["expert"])
    assert client.post("/engagement/events/export/").status_code == 404
    client.force_login(world.users["coordinator"])
    answer = client.post("/api/v1/engagement/exports/major-events?state=reported")
    assert answer.status_code == 202 and answer.json()["kind"] == "export.major_events"
    too_long = client.post("/api/v1/engagement/exports/major-events?state=" + "x" * 300)
    assert too_long.status_code == 422
