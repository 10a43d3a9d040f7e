"""The pages offer exactly what the services allow: for every role, action and state of a tracked
task and of a major event, the service (run for real in a rolled-back savepoint) succeeds exactly
when the lifecycle entry — the one the page reads its buttons from — allows it."""

from datetime import date

import pytest
from django.db import transaction

from zhuqi.core.errors import ZhuqiError
from zhuqi.engagement import events, lifecycle, tasks
from zhuqi.engagement.lifecycle import EventState, TaskState
from zhuqi.engagement.models import MajorEvent, Task

pytestmark = pytest.mark.django_db
ROLES = (
    "admin",
    "coordinator",
    "enterprise_a",
    "town_a",
    "city_handler",
    "town_handler",
    "leader_a",
    "expert",
)


class Rollback(Exception):
    pass


def _succeeds(call) -> bool:
    try:
        with transaction.atomic():
            call()
            raise Rollback
    except Rollback:
        return True
    except ZhuqiError:
        return False


@pytest.mark.parametrize("state", list(TaskState))
def test_tasks(world, state):
    task = tasks.create_task(
        title="协调用电",
        due_on=date(2026, 12, 31),
        owner_department=world.city_dept,
        acting_user=world.users["town_a"],
    )
    Task.objects.filter(pk=task.pk).update(state=state)
    task.refresh_from_db()
    for role in ROLES:
        user = world.users[role]
        for name, action in lifecycle.TASK_ACTIONS.items():
            offered = action in lifecycle.offered(lifecycle.TASK_ACTIONS, user, task)
            done = _succeeds(
                lambda name=name, user=user: tasks.perform(
                    task=task, action=name, acting_user=user, note="说明"
                )
            )
            assert offered == done, (role, name, state)


@pytest.mark.parametrize("state", list(EventState))
def test_major_events(world, state):
    event = events.report_event(
        enterprise=world.a,
        kind="relocation",
        occurred_on=date(2026, 11, 1),
        title="拟搬迁",
        description="拟搬迁至松山湖。",
        acting_user=world.users["enterprise_a"],
    )
    MajorEvent.objects.filter(pk=event.pk).update(state=state)
    event.refresh_from_db()
    for role in ROLES:
        user = world.users[role]
        for name, action in lifecycle.EVENT_ACTIONS.items():
            offered = action in lifecycle.offered(lifecycle.EVENT_ACTIONS, user, event)
            done = _succeeds(
                lambda name=name, user=user: events.act_on_event(
                    event=event, action=name, acting_user=user, note="说明"
                )
            )
            assert offered == done, (role, name, state)
