"""Reads of appeals that depend on who asks; pages and API share them.

coordinator, admin, system   every appeal
enterprise user              its enterprise's appeals
handler                      appeals routed to its department now or at any hop before, and the
                             appeals of the pilots its department is responsible for
town officer                 appeals of its town's enterprises
leader                       appeals of the enterprises it is assigned to; the principal leader
                             (ZHUQI_PRINCIPAL_LEADER) every appeal (seed 000 四(五)6)
expert                       none
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.appeals import deadlines
from zhuqi.appeals.models import OPEN_STATES, Appeal, AppealEvent, CoordinationItem, State, Supervision
from zhuqi.core import attachments as stored_files
from zhuqi.core import permissions, workdays
from zhuqi.core.errors import NotFound
from zhuqi.core.models import Attachment
from zhuqi.core.permissions import Capability
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.programs.models import Pilot


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING) or permissions.is_principal_leader(user):
        return qs
    if permissions.has(user, Capability.HANDLE_APPEALS):
        routed_before = AppealEvent.objects.filter(appeal=OuterRef("pk"), department_id=user.department_id)
        # Seed 000 四(五)5: a responsible department follows its pilots' appeals wherever they are.
        its_pilot = Pilot.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            department_id=user.department_id,
            state__in=Pilot.CURRENT_STATES,
        )
        return qs.filter(Q(department_id=user.department_id) | Exists(routed_before) | Exists(its_pilot))
    if permissions.has(user, Capability.BROWSE_APPEALS):
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
    due: str = "",
    supervised: str = "",
    now=None,
) -> QuerySet[Appeal]:
    """The appeals in the user's scope, filtered. `due`: "near" (blue) or "overdue" (yellow and
    red), decided in the database; `supervised`: "1" for open appeals with a 督办 order on the
    department that has them now. The home page's work queues link here with these filters."""
    qs = appeals_visible_to(user).select_related("enterprise", "enterprise__town", "department", "category")
    if state == "open":
        qs = qs.filter(state__in=[s.value for s in OPEN_STATES])
    elif state and state != "all":
        qs = qs.filter(state=state)
    if due in DUE_FILTERS:
        qs = qs.filter(DUE_FILTERS[due](now or timezone.now()))
    if supervised == "1":
        qs = qs.filter(SUPERVISED)
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


def _active_due_before(moment) -> Q:
    """The deadline that runs now (deadlines.active_due) is before `moment`."""
    return Q(state=State.SUBMITTED, dispatch_due__lt=moment) | Q(
        state__in=[State.DISPATCHED, State.ACCEPTED, State.ESCALATED], resolve_due__lt=moment
    )


def _near_limit(now) -> datetime:
    """The first moment that is no longer "near": the start of the working day after the last one
    counted as near. An appeal whose deadline is before it and not yet past is blue, exactly as
    deadlines.warning says (at most ZHUQI_NEAR_DEADLINE_DAYS working days left)."""
    day = workdays.add_working_days(now, settings.ZHUQI_NEAR_DEADLINE_DAYS + 1)
    return datetime.combine(day.date(), time.min, tzinfo=day.tzinfo)


def _near(now) -> Q:
    return _active_due_before(_near_limit(now)) & ~_active_due_before(now)


DUE_FILTERS = {"near": _near, "overdue": _active_due_before}
SUPERVISED = Q(state__in=[s.value for s in OPEN_STATES]) & Exists(
    Supervision.objects.filter(appeal=OuterRef("pk"), department=OuterRef("department"))
)


def work_counts(user: User, now=None) -> dict[str, int]:
    """The appeals waiting for someone, counted in one query over the user's scope. The `mine_*`
    counts are of appeals with the user's department now (a handler's own work)."""
    now = now or timezone.now()
    open_ = Q(state__in=[s.value for s in OPEN_STATES])
    mine = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    counts = {
        "open": open_,
        "to_dispatch": Q(state=State.SUBMITTED),
        "escalated": Q(state=State.ESCALATED),
        "replied": Q(state=State.REPLIED),
        "near": _near(now),
        "overdue": _active_due_before(now),
        "supervised": SUPERVISED,
        "mine_to_accept": mine & Q(state=State.DISPATCHED),
        "mine_accepted": mine & Q(state=State.ACCEPTED),
        "mine_near": mine & _near(now),
        "mine_overdue": mine & _active_due_before(now),
        "mine_supervised": mine & SUPERVISED,
    }
    # Every count is of open appeals: the filter lets the database read only those (the state's index).
    return (
        appeals_visible_to(user)
        .filter(open_)
        .aggregate(**{k: Count("pk", filter=q) for k, q in counts.items()})
    )


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
    """A page of appeals with each one's warning colour (deadlines.warning, the definition)."""
    now = now or timezone.now()
    calendar = workdays.exceptions()
    return [(a, deadlines.warning(a, now, calendar)) for a in appeals]


def _red_limit(now) -> datetime:
    """The first moment whose deadline is not yet "long overdue": a deadline before it is more than
    ZHUQI_RED_AFTER_DAYS working days late today (deadlines.warning counts the working days after the
    deadline's day up to today), so red is `due < _red_limit(now)`, decided in the database."""
    calendar = workdays.exceptions()
    day, late = timezone.localtime(now, workdays.SHANGHAI).date(), 0
    while late <= settings.ZHUQI_RED_AFTER_DAYS:
        if workdays.is_working_day(day, calendar):
            late += 1
        day -= timedelta(days=1)
    # `day` is the latest day whose deadlines are red; they end before the next day starts.
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=workdays.SHANGHAI)


ACTIVE_DUE = Case(
    When(state=State.SUBMITTED, then=F("dispatch_due")),
    When(state__in=[State.DISPATCHED, State.ACCEPTED, State.ESCALATED], then=F("resolve_due")),
    default=None,
    output_field=DateTimeField(),
)
LEVEL_RANK = {"red": 0, "yellow": 1, "blue": 2}


def with_levels(appeals, now=None) -> QuerySet[Appeal]:
    """These appeals, those of them blue, yellow or red, each with its `level` and `active_due`, the
    worst first, then the oldest: filtered, coloured, ordered and paged in SQL. The two working-day
    limits are computed once per call, so the colour is a comparison of the deadline with two moments.
    The warnings centre (monitoring, kind `appeal_deadline`) reads the same colours through here."""
    now = now or timezone.now()
    red_limit, near_limit = _red_limit(now), _near_limit(now)
    level = Case(
        When(active_due__lt=red_limit, then=Value("red")),
        When(active_due__lt=now, then=Value("yellow")),
        default=Value("blue"),
        output_field=CharField(),
    )
    rank = Case(
        *(When(level=name, then=Value(n)) for name, n in LEVEL_RANK.items()), output_field=IntegerField()
    )
    return (
        appeals.filter(_active_due_before(near_limit))  # every open appeal with a deadline before "near" ends
        .select_related("enterprise", "department")
        .annotate(active_due=ACTIVE_DUE)
        .annotate(level=level)
        .annotate(level_rank=rank)
        .order_by("level_rank", "created_at", "-id")
    )


def level_limits(now=None) -> dict[str, datetime]:
    """The three moments `with_levels` compares the running deadlines with: red before "red", yellow
    before "now", blue before "near"."""
    now = now or timezone.now()
    return {"red": _red_limit(now), "now": now, "near": _near_limit(now)}


def levels_moved(before: dict[str, datetime], after: dict[str, datetime]) -> bool:
    """Whether some open appeal has another colour (or is coloured, or no longer) under the limits
    `after` than under `before`: its running deadline lies between a limit's two positions. One
    query over the open appeals; the warnings sweep asks it before recolouring them all."""
    moved = Q(pk__in=[])
    for name in ("red", "now", "near"):
        low, high = sorted((before[name], after[name]))
        if low != high:
            moved |= _active_due_before(high) & ~_active_due_before(low)
    return Appeal.objects.filter(moved).exists()


def warning_list(user: User, now=None) -> QuerySet[Appeal]:
    """Every open appeal in the user's scope that is blue, yellow or red (`with_levels`)."""
    return with_levels(appeals_visible_to(user), now)


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
    return stored_files.get("appeal", appeal_get(user, number).pk, attachment_id)


SIMILAR_MIN_CHARS = 4  # fewer characters match too much to help


def similar_open_appeals(user: User, *, title: str, enterprise_uscc: str = "") -> list[Appeal]:
    """For the submission form's hint: open appeals of the enterprise being written for whose title
    looks like `title` (services.possible_duplicates, the lookup used after submission), limited to
    those the user may open. Nothing for a short title or an enterprise outside the user's scope."""
    from zhuqi.appeals.services import possible_duplicates
    from zhuqi.directory.selectors import enterprises_visible_to

    title = (title or "").strip()[:200]
    if len(title) < SIMILAR_MIN_CHARS:
        return []
    if permissions.has(user, Capability.SUBMIT_OWN_APPEAL):
        enterprise = user.enterprise
    else:
        code = (enterprise_uscc or "").strip().upper()[:18]
        enterprise = enterprises_visible_to(user).filter(uscc=code).first() if code else None
    if enterprise is None:
        return []
    found = possible_duplicates(enterprise, title)
    visible = set(appeals_visible_to(user).filter(pk__in=[a.pk for a in found]).values_list("pk", flat=True))
    return [a for a in found if a.pk in visible]
