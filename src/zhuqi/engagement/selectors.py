"""Reads of engagement that depend on who asks; pages, the API and exports go through these.

Scope (README, "Engagement"): the coordinating office sees everything; a leader what concerns its
liaison enterprises and itself; a town officer its town's; a handler its department's. An object
outside the scope answers 404.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.engagement.lifecycle import TaskState
from zhuqi.engagement.models import Task


def _active_liaison_enterprises(user):
    from zhuqi.directory.models import LiaisonAssignment

    return LiaisonAssignment.objects.active().filter(leader=user).values("enterprise_id")


def tasks_visible_to(user) -> QuerySet[Task]:
    qs = Task.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return qs.none()
    who = Q(owner_user=user) | Q(created_by=user)
    if user.department_id:
        who |= Q(owner_department_id=user.department_id)
    if user.town_id:
        who |= Q(owner_department__town_id=user.town_id) | Q(enterprise__town_id=user.town_id)
    who |= Q(enterprise_id__in=_active_liaison_enterprises(user))
    return qs.filter(who)


TASK_FILTERS = ("q", "state", "source", "department", "due")


def task_search(user, *, q="", state="", source="", department="", due="", today=None) -> QuerySet[Task]:
    today = today or date.today()
    qs = tasks_visible_to(user).select_related("owner_department", "owner_user", "enterprise")
    if q := (q or "").strip()[:100]:
        qs = qs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    if state in TaskState.values:
        qs = qs.filter(state=state)
    if source in Task.Source.values:
        qs = qs.filter(source=source)
    if department:
        qs = qs.filter(owner_department__code=department[:40])
    if due == "overdue":
        qs = qs.filter(state=TaskState.OPEN, due_on__lt=today)
    elif due == "week":
        qs = qs.filter(
            state=TaskState.OPEN, due_on__gte=today, due_on__lte=date.fromordinal(today.toordinal() + 7)
        )
    return qs.order_by("state", "due_on", "id")


def task_get(user, pk: int) -> Task:
    task = task_search(user).filter(pk=pk).first()
    if task is None:
        raise NotFound("task_not_found", _("No such tracked task."))
    return task


def task_counts(user, today=None) -> dict[str, int]:
    """The home page's queue: open tasks the user answers for, and those overdue (one query)."""
    from django.db.models import Count

    today = today or date.today()
    mine = Q(owner_user=user)
    if user.department_id:
        mine |= Q(owner_department_id=user.department_id)
    if permissions.has(user, Capability.COORDINATE_ENGAGEMENT):
        mine = Q()
    row = (
        tasks_visible_to(user)
        .filter(mine, state=TaskState.OPEN)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    )
    return {"tasks_open": row["open"] or 0, "tasks_overdue": row["overdue"] or 0}
