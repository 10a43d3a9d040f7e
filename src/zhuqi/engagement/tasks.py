"""Tracked tasks (督办事项): the one way to make, close out (销号) and cancel one.

Other apps make tasks here (stream F's chain tasks, stream H's supervision items):

    from zhuqi.engagement.tasks import create_task
    create_task(title=…, due_on=…, owner_department=…, source=Task.Source.CHAIN, source_object=chain_task,
                acting_user=user_or_None)

Each function checks the lifecycle entry (tasks: open → done / cancelled), writes the audit event
and queues the message to the owner in one transaction. acting_user None is the platform itself (a
service of another app acting on its own authority, a sweep)."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, formats, outbox, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.engagement.lifecycle import TASK_ACTIONS, TaskState
from zhuqi.engagement.models import Task

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
NOTE_MAX = 2000


def link(task: Task) -> str:
    return f"/engagement/tasks/{task.pk}/"


def owner_people(task: Task) -> list[User]:
    """Who answers for a task: its owner, and the members and head of its owner department."""
    who = Q(pk=task.owner_user_id) if task.owner_user_id else Q(pk__in=[])
    if task.owner_department_id:
        who |= Q(department_id=task.owner_department_id)
        if task.owner_department.head_id:
            who |= Q(pk=task.owner_department.head_id)
    return list(User.objects.filter(who, is_active=True))


def _text(value: str, limit: int, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError("field_missing", _("This field is required."), status=422, field=field)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long",
            Message(_("At most %(n)d characters."), {"n": limit}),
            status=422,
            field=field,
        )
    return value


@transaction.atomic
def create_task(
    *,
    title: str,
    due_on: date,
    acting_user,
    owner_department=None,
    owner_user=None,
    description: str = "",
    enterprise=None,
    source: str = Task.Source.MANUAL,
    source_object=None,
) -> Task:
    if acting_user is not None and not (
        permissions.has(acting_user, Capability.ASSIGN_TASKS)
        or permissions.has(acting_user, Capability.COORDINATE_ENGAGEMENT)
    ):
        permissions.require(acting_user, Capability.ASSIGN_TASKS)
    title = _text(title, TITLE_MAX, "title", required=True)
    description = _text(description, DESCRIPTION_MAX, "description", required=False)
    if owner_department is None and owner_user is None:
        raise ZhuqiError(
            "owner_missing", _("A task needs an owner: a department or a person."), status=422, field="owner"
        )
    if owner_user is not None and not owner_user.is_active:
        raise ZhuqiError("owner_inactive", _("The owner's account is disabled."), status=422, field="owner")
    if not isinstance(due_on, date):
        raise ZhuqiError("bad_date", _("Give a due date."), status=422, field="due_on")
    if source not in Task.Source.values:
        raise ZhuqiError("bad_source", _("Unknown source."), status=422, field="source")
    task = Task.objects.create(
        title=title,
        description=description,
        owner_department=owner_department,
        owner_user=owner_user,
        enterprise=enterprise,
        due_on=due_on,
        source=source,
        source_type=ContentType.objects.get_for_model(source_object) if source_object is not None else None,
        source_id=source_object.pk if source_object is not None else None,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit.record(
        actor=acting_user,
        verb="task_create",
        obj=task,
        data={"title": title, "due_on": due_on.isoformat(), "source": source},
    )
    outbox.enqueue(
        event_key=f"task-{task.pk}-created",
        recipients=owner_people(task),
        subject=str(Message(_("New tracked task: %(title)s"), {"title": title[:60]})),
        body=str(
            Message(
                _("Due %(due)s. %(description)s"),
                {"due": formats.day(due_on), "description": description[:400]},
            )
        ),
        link=link(task),
    )
    return task


def _locked(task: Task, action: str, acting_user) -> Task:
    current = Task.objects.select_for_update(of=("self",)).select_related("owner_department").get(pk=task.pk)
    TASK_ACTIONS[action].check(acting_user, current)
    return current


@transaction.atomic
def close_task(*, task: Task, note: str, acting_user) -> Task:
    """销号: the task is done; the note says how."""
    task = _locked(task, "close", acting_user)
    note = _text(note, NOTE_MAX, "note", required=True)
    task.state = TaskState.DONE
    task.close_note = note
    task.closed_at = timezone.now()
    task.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    task.save(update_fields=["state", "close_note", "closed_at", "closed_by"])
    audit.record(actor=acting_user, verb="task_close", obj=task, data={"comment": note})
    if task.created_by_id and task.created_by_id != getattr(acting_user, "pk", None):
        outbox.enqueue(
            event_key=f"task-{task.pk}-closed",
            recipients=[task.created_by],
            subject=str(Message(_("Tracked task closed out: %(title)s"), {"title": task.title[:60]})),
            body=note[:500],
            link=link(task),
        )
    return task


@transaction.atomic
def cancel_task(*, task: Task, note: str, acting_user) -> Task:
    task = _locked(task, "cancel", acting_user)
    note = _text(note, NOTE_MAX, "note", required=True)
    task.state = TaskState.CANCELLED
    task.close_note = note
    task.closed_at = timezone.now()
    task.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    task.save(update_fields=["state", "close_note", "closed_at", "closed_by"])
    audit.record(actor=acting_user, verb="task_cancel", obj=task, data={"reason": note})
    outbox.enqueue(
        event_key=f"task-{task.pk}-cancelled",
        recipients=owner_people(task),
        subject=str(Message(_("Tracked task cancelled: %(title)s"), {"title": task.title[:60]})),
        body=note[:500],
        link=link(task),
    )
    return task


def perform(*, task: Task, action: str, acting_user, note: str = "") -> Task:
    """Pages and the API name the action; this calls its service."""
    if action == "close":
        return close_task(task=task, note=note, acting_user=acting_user)
    if action == "cancel":
        return cancel_task(task=task, note=note, acting_user=acting_user)
    raise ZhuqiError("bad_action", _("Unknown action."), status=422)


def reassign_open_tasks(*, from_user: User, to_user: User, acting_user, enterprise_ids=None) -> int:
    """The successor of a handed-over liaison inherits its open tasks (of those enterprises)."""
    tasks = Task.objects.filter(owner_user=from_user, state=TaskState.OPEN)
    if enterprise_ids is not None:
        tasks = tasks.filter(enterprise_id__in=list(enterprise_ids))
    moved = list(tasks.select_related("owner_department"))
    for task in moved:
        task.owner_user = to_user
        task.save(update_fields=["owner_user"])
        audit.record(actor=acting_user, verb="task_reassign", obj=task, data={"comment": str(to_user)})
        outbox.enqueue(
            event_key=f"task-{task.pk}-to-{to_user.pk}",
            recipients=[to_user],
            subject=str(Message(_("Tracked task handed over to you: %(title)s"), {"title": task.title[:60]})),
            body=task.description[:500],
            link=link(task),
        )
    return len(moved)
