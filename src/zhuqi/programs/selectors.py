"""Reads of the programmes that depend on who asks; pages and the API both go through these.

Applications by role: the coordinating office (and admin, system) every one; an enterprise user its
own enterprise's; a town officer its town's enterprises'; a handler those of the classes its
department is responsible for, and those its department recommended (a town-level department: its
town's enterprises'); a leader its liaison enterprises'; an expert only those drawn for it (in a
review group it belongs to). Anything else answers 404, as if it did not exist.

Pilots by role: the office all; a handler its department's pilots (a town-level department: its
town's); a town officer its town's; a leader its liaison enterprises'; an enterprise its own.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department
from zhuqi.programs.models import (
    Application,
    Expert,
    Pilot,
    Programme,
    ProgrammeClass,
    ReviewGroup,
    Round,
    Score,
)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.all()
    if not _active(user):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    role = user.role
    if role == Role.EXPERT:
        expert = Expert.objects.filter(user=user).first()
        if expert is None:
            return qs.none()
        return qs.filter(groups__experts=expert).distinct()
    if role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if role == Role.TOWN_OFFICER:
        return qs.filter(enterprise__town_id=user.town_id)
    if role == Role.HANDLER:
        department = user.department
        if department.level == Department.Level.TOWN:
            return qs.filter(enterprise__town_id=department.town_id)
        classes = ProgrammeClass.objects.filter(department=department).values_list(
            "programme_id", "enterprise_class"
        )
        match = Q(recommended_by_department=department) | Q(department=department)
        for programme_id, enterprise_class in classes:
            match |= Q(round__programme_id=programme_id, enterprise_class=enterprise_class)
        return qs.filter(match)
    if role == Role.LEADER:
        return qs.filter(enterprise__liaisons__leader=user).distinct()
    return qs.none()


def application_get(user, number: str) -> Application:
    found = (
        applications_visible_to(user)
        .select_related("round__programme", "enterprise__town", "department")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("application_not_found", _("No such application."))
    return found


def pilots_visible_to(user) -> QuerySet[Pilot]:
    qs = Pilot.objects.all()
    if not _active(user):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    role = user.role
    if role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if role == Role.TOWN_OFFICER:
        return qs.filter(enterprise__town_id=user.town_id)
    if role == Role.HANDLER:
        department = user.department
        if department.level == Department.Level.TOWN:
            return qs.filter(enterprise__town_id=department.town_id)
        return qs.filter(department=department)
    if role == Role.LEADER:
        return qs.filter(enterprise__liaisons__leader=user).distinct()
    return qs.none()


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes are public knowledge to every signed-in user except experts (who see their work)."""
    if not _active(user) or user.role == Role.EXPERT:
        return Programme.objects.none()
    return Programme.objects.all()


def round_get(user, pk: int) -> Round:
    found = (
        Round.objects.select_related("programme")
        .filter(pk=pk, programme__in=programmes_visible_to(user))
        .first()
    )
    if found is None:
        raise NotFound("round_not_found", _("No such round."))
    return found


def expert_of(user) -> Expert | None:
    if not _active(user):
        return None
    return Expert.objects.filter(user=user).first()


def _assignments(expert: Expert | None) -> QuerySet:
    """The expert's (application, review group) pairs: every application drawn for a group it belongs
    to, each with `scored` (its score for that group is in)."""
    through = ReviewGroup.applications.through
    if expert is None:
        return through.objects.none()
    return (
        through.objects.filter(reviewgroup__experts=expert)
        .annotate(
            scored=Exists(
                Score.objects.filter(
                    expert=expert, application=OuterRef("application_id"), group=OuterRef("reviewgroup_id")
                )
            )
        )
        .select_related("application__enterprise", "application__round", "reviewgroup")
        .order_by("application__number", "reviewgroup_id", "pk")
    )


def to_score(user) -> QuerySet:
    """What the expert can still score: applications in review drawn for a group of its, its score
    for that group not yet in (an expert taken off the pool scores nothing). The expert's page and its
    home (the count and the list) all read this."""
    expert = expert_of(user)
    if expert is None or not expert.active:
        return _assignments(None)
    return _assignments(expert).filter(application__state=Application.State.IN_REVIEW, scored=False)


def reviewed(user) -> QuerySet:
    """The expert's other drawn applications, read-only: scored, or no longer in review."""
    expert = expert_of(user)
    qs = _assignments(expert)
    if expert is None or not expert.active:
        return qs
    return qs.exclude(application__state=Application.State.IN_REVIEW, scored=False)


def to_score_count(user) -> int:
    """Applications in review drawn for this expert that it has not scored yet (one per group)."""
    return to_score(user).count()
