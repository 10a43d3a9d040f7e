"""Reads of pilots' growth, reports, policy lists and evaluations that depend on who asks; pages and
the API share them. Pilots by membership (as programs.selectors): the office (and admin, system) and
the principal leader every pilot; an enterprise user its own; a handler its department's pilots (a
town-level department: its town's); a town officer its town's; a leader its liaison enterprises'."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, LiaisonAssignment
from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem, PolicyListEntry, ReportingTask
from zhuqi.programs.models import Pilot, Programme


def _scope(user) -> Q | None:
    """The pilots' condition for this user: Q() for all, None for none."""
    if not permissions.has(user, Capability.FOLLOW_PILOTS):
        return None
    if permissions.has(user, Capability.SEE_EVERYTHING) or permissions.is_principal_leader(user):
        return Q()
    if user.enterprise_id:
        return Q(enterprise_id=user.enterprise_id)
    if user.department_id:
        department = Department.objects.only("level", "town_id").get(pk=user.department_id)
        if department.level == Department.Level.TOWN:
            return Q(enterprise__town_id=department.town_id)
        return Q(department_id=user.department_id)
    if user.town_id:
        return Q(enterprise__town_id=user.town_id)
    return Q(enterprise_id__in=LiaisonAssignment.objects.filter(leader=user).values("enterprise_id"))


def pilots_visible_to(user) -> QuerySet[Pilot]:
    scope = _scope(user)
    if scope is None:
        return Pilot.objects.none()
    return Pilot.objects.filter(scope)


def pilot_list(
    user, *, programme: Programme | None = None, state: str = "", department: str = "", q: str = ""
):
    qs = pilots_visible_to(user).select_related("enterprise", "enterprise__town", "department", "programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if state == "current":
        qs = qs.filter(state__in=Pilot.CURRENT_STATES)
    elif state:
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department__code=department)
    if q := q.strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__istartswith=q.upper()))
    return qs.order_by("enterprise__name", "id")


def pilot_get(user, pk: int) -> Pilot:
    found = pilot_list(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("pilot_not_found", _("No such pilot."))
    return found


def tasks_visible_to(user) -> QuerySet[ReportingTask]:
    return ReportingTask.objects.filter(pilot__in=pilots_visible_to(user))


def task_list(user, *, year=None, half=None, state: str = "", today=None):
    qs = tasks_visible_to(user).select_related("pilot__enterprise", "pilot__department")
    if year:
        qs = qs.filter(year=year)
    if half:
        qs = qs.filter(half=half)
    if state == "overdue" and today is not None:
        qs = qs.filter(state=ReportingTask.State.OPEN, due_on__lt=today)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-year", "-half", "due_on", "pilot__enterprise__name", "id")


def policy_lists_visible_to(user) -> QuerySet[PolicyListEntry]:
    return PolicyListEntry.objects.filter(pilot__in=pilots_visible_to(user))


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    """The evaluation lists are the office's and the leaders' business; others read their own
    pilots' items (evaluation_items_visible_to)."""
    if permissions.has(user, Capability.EVALUATE_PILOTS) or permissions.is_principal_leader(user):
        return Evaluation.objects.all()
    if permissions.has(user, Capability.FOLLOW_PILOTS):
        return Evaluation.objects.filter(items__pilot__in=pilots_visible_to(user)).distinct()
    return Evaluation.objects.none()


def evaluation_get(user, pk: int) -> Evaluation:
    found = evaluations_visible_to(user).select_related("programme").filter(pk=pk).first()
    if found is None:
        raise NotFound("evaluation_not_found", _("No such evaluation."))
    return found


def evaluation_items(user, evaluation: Evaluation, *, decision: str = "") -> QuerySet[EvaluationItem]:
    qs = evaluation.items.filter(pilot__in=pilots_visible_to(user)).select_related(
        "pilot__enterprise", "pilot__department", "candidate"
    )
    if decision:
        qs = qs.filter(decision=decision)
    return qs.order_by("pilot__enterprise__name", "id")
