"""Reads of appeals that depend on who asks; pages and API share them.

coordinator, admin, system   every appeal
enterprise user              its enterprise's appeals
handler                      appeals routed to its department now or at any hop before
town officer                 appeals of its town's enterprises
leader                       appeals of the enterprises it is assigned to
expert                       none
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.appeals import deadlines
from zhuqi.appeals.models import OPEN_STATES, Appeal, AppealEvent, CoordinationItem
from zhuqi.core import attachments as stored_files
from zhuqi.core import workdays
from zhuqi.core.errors import NotFound
from zhuqi.core.models import Attachment
from zhuqi.directory.selectors import enterprises_visible_to


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    role = user.role
    if role in (Role.COORDINATOR, Role.ADMIN, Role.SYSTEM):
        return qs
    if role == Role.HANDLER:
        routed_before = AppealEvent.objects.filter(appeal=OuterRef("pk"), department_id=user.department_id)
        return qs.filter(Q(department_id=user.department_id) | Exists(routed_before))
    if role in (Role.ENTERPRISE, Role.TOWN_OFFICER, Role.LEADER):
        # The enterprises one may see decide the appeals one may see: one source of that scope.
        return qs.filter(enterprise__in=enterprises_visible_to(user))
    return qs.none()


def appeal_list(
    user: User,
    *,
    state: str = "",
    department: str = "",
    town: str = "",
    category: str = "",
    q: str = "",
    enterprise: str = "",
) -> QuerySet[Appeal]:
    qs = appeals_visible_to(user).select_related("enterprise", "enterprise__town", "department", "category")
    if state == "open":
        qs = qs.filter(state__in=[s.value for s in OPEN_STATES])
    elif state:
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department__code=department)
    if town:
        qs = qs.filter(enterprise__town__code=town)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if enterprise:
        qs = qs.filter(enterprise__uscc=enterprise.upper())
    if q := q.strip():
        qs = qs.filter(Q(title__icontains=q) | Q(number__iexact=q) | Q(enterprise__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def appeal_get(user: User, number: str) -> Appeal:
    found = (
        appeals_visible_to(user)
        .select_related("enterprise", "enterprise__town", "department", "category", "category__parent")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("appeal_not_found", _("No such appeal."))
    return found


def with_warnings(appeals, now=None) -> list[tuple[Appeal, str]]:
    now = now or timezone.now()
    calendar = workdays.exceptions()
    return [(a, deadlines.warning(a, now, calendar)) for a in appeals]


def warning_list(user: User, now=None) -> list[tuple[Appeal, str]]:
    """Every open appeal in the user's scope that is blue, yellow or red, the worst first."""
    order = {"red": 0, "yellow": 1, "blue": 2}
    rows = [(a, level) for a, level in with_warnings(appeal_list(user, state="open"), now) if level]
    return sorted(rows, key=lambda r: (order[r[1]], r[0].created_at))


def coordination_list(user: User) -> QuerySet[CoordinationItem]:
    return (
        CoordinationItem.objects.filter(appeal__in=appeals_visible_to(user))
        .order_by("-created_at", "-id")
        .select_related("appeal", "appeal__enterprise", "owner")
    )


def appeal_attachments(user: User, number: str) -> list[Attachment]:
    return stored_files.for_object("appeal", appeal_get(user, number).pk)


def appeal_attachment_get(user: User, number: str, attachment_id: int) -> Attachment:
    """A file of an appeal the user may see; NotFound for anything else, as if it did not exist."""
    appeal = appeal_get(user, number)
    found = Attachment.objects.filter(
        object_type="appeal", object_id=str(appeal.pk), pk=attachment_id
    ).first()
    if found is None:
        raise NotFound("attachment_not_found", _("No such file."))
    return found
