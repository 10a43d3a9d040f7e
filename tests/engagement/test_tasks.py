"""Tracked tasks (督办事项): made through the service, closed out (销号) with a note, scoped, exported."""

from datetime import date

import pytest

from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent, OutboxMessage
from zhuqi.engagement import selectors
from zhuqi.engagement.lifecycle import TaskState
from zhuqi.engagement.models import Task
from zhuqi.engagement.tasks import cancel_task, close_task, create_task

pytestmark = pytest.mark.django_db


def _task(world, **kw):
    fields = {
        "title": "协调解决用电增容",
        "due_on": date(2026, 12, 31),
        "owner_department": world.city_dept,
        "acting_user": world.users["coordinator"],
    }
    return create_task(**(fields | kw))


def test_create_audits_and_tells_the_owner_department(world):
    task = _task(world)
    assert task.state == TaskState.OPEN
    assert AuditEvent.objects.filter(verb="task_create", object_id=str(task.pk)).exists()
    told = set(
        OutboxMessage.objects.filter(key__startswith=f"task-{task.pk}-created").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"city_handler"}


def test_a_task_needs_an_owner_and_a_title(world):
    with pytest.raises(ZhuqiError) as exc:
        _task(world, owner_department=None)
    assert exc.value.code == "owner_missing"
    with pytest.raises(ZhuqiError):
        _task(world, title="  ")
    assert not Task.objects.exists()


def test_source_is_a_generic_reference(world):
    task = _task(world, source=Task.Source.SUPERVISION, source_object=world.a)
    task.refresh_from_db()
    assert task.source_object == world.a


def test_enterprise_and_expert_may_not_create(world):
    for who in ("enterprise_a", "expert", "city_handler"):
        with pytest.raises(Forbidden):
            _task(world, acting_user=world.users[who])


def test_the_platform_may_create(world):
    assert _task(world, acting_user=None).created_by is None


def test_owner_closes_out_with_a_note_and_the_creator_is_told(world):
    task = _task(world)
    with pytest.raises(ZhuqiError):
        close_task(task=task, note="", acting_user=world.users["city_handler"])
    with pytest.raises(Forbidden):
        close_task(task=task, note="已办结", acting_user=world.users["town_handler"])
    task = close_task(task=task, note="已协调供电局增容", acting_user=world.users["city_handler"])
    assert task.state == TaskState.DONE and task.close_note == "已协调供电局增容"
    assert OutboxMessage.objects.filter(
        key__startswith=f"task-{task.pk}-closed", recipient__username="coordinator"
    ).exists()
    with pytest.raises(Conflict):
        close_task(task=task, note="again", acting_user=world.users["coordinator"])


def test_only_creator_or_office_cancels(world):
    task = _task(world, acting_user=world.users["town_a"])
    with pytest.raises(Forbidden):
        cancel_task(task=task, note="不需要", acting_user=world.users["city_handler"])
    assert (
        cancel_task(task=task, note="不需要", acting_user=world.users["town_a"]).state == TaskState.CANCELLED
    )


def test_scope(world):
    mine = _task(world)
    other = _task(world, owner_department=world.town_dept)
    assert set(selectors.tasks_visible_to(world.users["city_handler"])) == {mine}
    assert set(selectors.tasks_visible_to(world.users["town_a"])) == {other}  # its town's department
    assert set(selectors.tasks_visible_to(world.users["coordinator"])) == {mine, other}
    assert not selectors.tasks_visible_to(world.users["enterprise_a"]).exists()
    leaders = _task(world, owner_department=None, owner_user=world.users["leader_a"], enterprise=world.a)
    assert set(selectors.tasks_visible_to(world.users["leader_a"])) == {leaders}


def test_overdue_filter(world):
    late = _task(world, due_on=date(2026, 1, 5))
    _task(world, due_on=date(2026, 3, 1))
    found = selectors.task_search(world.users["coordinator"], due="overdue", today=date(2026, 2, 1))
    assert list(found) == [late]


def test_list_page_detail_close_and_export(world, client):
    task = _task(world)
    client.force_login(world.users["city_handler"])
    page = client.get("/engagement/tasks/?state=open")
    assert page.status_code == 200 and task.title in page.content.decode()
    detail = client.get(f"/engagement/tasks/{task.pk}/").content.decode()
    assert 'data-action="close"' in detail and 'data-action="cancel"' not in detail
    client.post(f"/engagement/tasks/{task.pk}/close/", {"note": "已完成"})
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    response = client.post("/engagement/tasks/export/?state=done")
    assert response.status_code == 302
    client.force_login(world.users["town_handler"])
    assert client.get(f"/engagement/tasks/{task.pk}/").status_code == 404


def test_export_writes_the_filtered_rows(world):
    from zhuqi.core import tabular
    from zhuqi.engagement.exports import export_tasks

    _task(world, title="甲事项")
    content = export_tasks(selectors.task_search(world.users["coordinator"]))
    table = tabular.read_rows("t.xlsx", content)
    assert table.rows[0][1]["事项"] == "甲事项"
