"""Engagement endpoints (session only: people, not machine clients). Thin: parse, call a selector or
a service, answer."""

from datetime import date
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Id, JobOut, Key, Period, SearchText, column, text, whole
from zhuqi.directory.models import Department, ServiceCategory
from zhuqi.directory.selectors import enterprise_get
from zhuqi.engagement import cadence, events, liaison, meetings, selectors, tasks, visits
from zhuqi.engagement.models import MajorEvent, Meeting, Task, Visit

router = Router(tags=["engagement"])


class TaskFilters(Schema):
    q: SearchText = ""
    state: Key = ""
    source: Key = ""
    department: Key = ""
    due: Key = ""


class TaskOut(Schema):
    id: int
    title: str
    state: str
    source: str
    due_on: date
    owner_department: str | None = Field(None, alias="owner_department.code")
    owner_user: str | None = Field(None, alias="owner_user.username")
    enterprise: str | None = Field(None, alias="enterprise.uscc")
    close_note: str


class TaskIn(Schema):
    title: column(Task, "title", min_length=1)
    description: text(5000) = ""
    due_on: Period
    owner_department: Key = ""
    owner_user: Key = ""
    enterprise_uscc: Key = ""


class EngagementNoteIn(Schema):
    note: text(2000) = ""


def _department(code: str):
    if not code:
        return None
    found = Department.objects.filter(code=code).first()
    if found is None:
        raise NotFound("department_not_found", _("No such department."))
    return found


def _user(username: str):
    from zhuqi.accounts.models import User

    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise NotFound("user_not_found", _("No such user."))
    return found


def _require(request, capability):
    permissions.require(request.user, capability)


@router.get("/engagement/tasks", response=list[TaskOut])
@paginate(Page)
def task_list(request, filters: Query[TaskFilters]):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    return selectors.task_search(request.user, **filters.dict())


@router.post("/engagement/tasks", response={201: TaskOut})
def task_create(request, payload: TaskIn):
    enterprise = enterprise_get(request.user, payload.enterprise_uscc) if payload.enterprise_uscc else None
    task = tasks.create_task(
        title=payload.title,
        description=payload.description,
        due_on=payload.due_on,
        owner_department=_department(payload.owner_department),
        owner_user=_user(payload.owner_user),
        enterprise=enterprise,
        acting_user=request.user,
    )
    return Status(201, task)


@router.get("/engagement/tasks/{task_id}", response=TaskOut)
def task_detail(request, task_id: Id):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    return selectors.task_get(request.user, task_id)


@router.post("/engagement/tasks/{task_id}/{action}", response=TaskOut)
def task_action(request, task_id: Id, action: Literal["close", "cancel"], payload: EngagementNoteIn):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    task = selectors.task_get(request.user, task_id)
    return tasks.perform(task=task, action=action, acting_user=request.user, note=payload.note)


class LiaisonOut(Schema):
    id: int
    leader: str = Field(..., alias="leader.username")
    enterprise: str = Field(..., alias="enterprise.uscc")
    tier: str
    since: date
    unit: str | None = Field(None, alias="unit.code")


class LiaisonFilters(Schema):
    q: SearchText = ""
    tier: Key = ""
    town: Key = ""
    leader: Key = ""


@router.get("/engagement/liaisons", response=list[LiaisonOut])
@paginate(Page)
def liaison_list(request, filters: Query[LiaisonFilters]):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    return selectors.liaison_search(request.user, **filters.dict())


class LeaderLoadOut(Schema):
    leader: str = Field(..., alias="leader__username")
    total: int
    city: int
    principal: int
    member: int
    tasks: int


@router.get("/engagement/liaisons/loads", response=list[LeaderLoadOut])
def liaison_loads(request):
    _require(request, Capability.COORDINATE_ENGAGEMENT)
    return liaison.leader_loads()


class TierRunOut(Schema):
    checked: int
    proposed: int
    kept: int
    superseded: int


@router.post("/engagement/liaisons/proposals/run", response=TierRunOut)
def proposal_run(request):
    return liaison.propose_tiers(acting_user=request.user)


class VisitProblemIn(Schema):
    title: text(200, min_length=1)
    description: text(5000) = ""
    category_code: Key


class VisitIn(Schema):
    enterprise_uscc: Key
    kind: Literal["phone", "wechat", "onsite", "meeting"]
    visited_on: Period
    participants: column(Visit, "participants") = ""
    department_codes: list[Key] = Field(default_factory=list, max_length=20)
    ask_status: text(2000) = ""
    ask_needs: text(2000) = ""
    ask_environment: text(2000) = ""
    brought_service: text(500) = ""
    brought_conduct: bool = True
    help_ideas: text(2000) = ""
    help_transform: text(2000) = ""
    help_solve: text(2000) = ""
    help_longterm: text(2000) = ""
    summary: text(2000) = ""
    problems: list[VisitProblemIn] = Field(default_factory=list, max_length=visits.MAX_PROBLEMS)


class VisitOut(Schema):
    id: int
    enterprise: str = Field(..., alias="enterprise.uscc")
    leader: str = Field(..., alias="leader.username")
    kind: str
    visited_on: date
    appeals: list[str]

    @staticmethod
    def resolve_appeals(visit) -> list[str]:
        return [a.number for a in visit.appeals.all()]


class VisitFilters(Schema):
    q: SearchText = ""
    kind: Key = ""
    leader: Key = ""
    problems: Key = ""


@router.get("/engagement/visits", response=list[VisitOut])
@paginate(Page)
def visit_list(request, filters: Query[VisitFilters]):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    return selectors.visit_search(request.user, **filters.dict()).prefetch_related("appeals")


@router.post("/engagement/visits", response={201: VisitOut})
def visit_record(request, payload: VisitIn):
    permissions.require(request.user, Capability.RECORD_VISITS)
    enterprise = enterprise_get(request.user, payload.enterprise_uscc)
    departments = list(Department.objects.filter(code__in=payload.department_codes))
    problems = []
    for p in payload.problems:
        category = ServiceCategory.objects.filter(code=p.category_code, parent__isnull=False).first()
        if category is None:
            raise ZhuqiError("bad_category", _("Unknown category."), status=422, field="category_code")
        problems.append(visits.Problem(p.title, p.description or p.title, category))
    texts = payload.dict(
        exclude={"enterprise_uscc", "kind", "visited_on", "department_codes", "brought_conduct", "problems"}
    )
    recorded = visits.record_visit(
        enterprise=enterprise,
        kind=payload.kind,
        visited_on=payload.visited_on,
        departments=departments,
        brought_conduct=payload.brought_conduct,
        problems=problems,
        acting_user=request.user,
        **texts,
    )
    return Status(201, recorded.visit)


class ComplianceIn(Schema):
    year: whole(2000, 2100) | None = None
    quarter: whole(1, 4) | None = None


class ComplianceRowOut(Schema):
    name: str
    rule: str
    owed: int
    done: int
    due: int
    overdue: int


class ComplianceOut(Schema):
    start: date
    end: date
    by_leader: list[ComplianceRowOut]
    by_unit: list[ComplianceRowOut]
    by_town: list[ComplianceRowOut]


@router.get("/engagement/compliance", response=ComplianceOut)
def compliance(request, filters: Query[ComplianceIn]):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    today = timezone.localdate()
    year = filters.year or today.year
    quarter = filters.quarter or (today.month - 1) // 3 + 1
    start = date(year, 3 * quarter - 2, 1)
    end = cadence.period_end(start, "quarter")
    view = selectors.compliance_view(request.user, start=start, end=end, today=today)

    def rows(table):
        return [
            {
                "name": t["name"],
                "rule": t["rule"],
                "owed": t["row"].owed,
                "done": t["row"].done,
                "due": t["row"].due,
                "overdue": t["row"].overdue,
            }
            for t in table
        ]

    return {
        "start": start,
        "end": end,
        "by_leader": rows(view["by_leader"]),
        "by_unit": rows(view["by_unit"]),
        "by_town": rows(view["by_town"]),
    }


class MeetingDecisionIn(Schema):
    title: text(200, min_length=1)
    due_on: Period
    owner_department: Key


class MeetingIn(Schema):
    kind: Literal["dispatch", "symposium", "breakfast", "onsite_office"]
    title: column(Meeting, "title", min_length=1)
    held_on: Period
    place: column(Meeting, "place") = ""
    chair: Key = ""
    enterprise_usccs: list[Key] = Field(default_factory=list, max_length=meetings.MAX_ATTENDEES)
    department_codes: list[Key] = Field(default_factory=list, max_length=100)
    minutes: text(20000) = ""
    decisions: list[MeetingDecisionIn] = Field(default_factory=list, max_length=meetings.MAX_DECISIONS)


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    held_on: date


@router.get("/engagement/meetings", response=list[MeetingOut])
@paginate(Page)
def meeting_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    return selectors.meetings_visible_to(request.user)


@router.post("/engagement/meetings", response={201: MeetingOut})
def meeting_record(request, payload: MeetingIn):
    from zhuqi.directory.selectors import enterprises_visible_to

    permissions.require(request.user, Capability.COORDINATE_ENGAGEMENT)
    meeting = meetings.record_meeting(
        kind=payload.kind,
        title=payload.title,
        held_on=payload.held_on,
        place=payload.place,
        chair=_user(payload.chair),
        enterprises=list(enterprises_visible_to(request.user).filter(uscc__in=payload.enterprise_usccs)),
        departments=list(Department.objects.filter(code__in=payload.department_codes)),
        minutes=payload.minutes,
        decisions=[
            meetings.Decision(d.title, d.due_on, owner_department=_department(d.owner_department))
            for d in payload.decisions
        ],
        acting_user=request.user,
    )
    return Status(201, meeting)


class MajorEventIn(Schema):
    enterprise_uscc: Key = ""
    kind: Literal[tuple(MajorEvent.Kind.values)]  # type: ignore[valid-type]
    occurred_on: Period
    title: column(MajorEvent, "title", min_length=1)
    description: text(5000, min_length=1)


class MajorEventOut(Schema):
    id: int
    enterprise: str = Field(..., alias="enterprise.uscc")
    kind: str
    state: str
    occurred_on: date
    title: str


class MajorEventFilters(Schema):
    state: Key = ""
    kind: Key = ""


@router.get("/engagement/events", response=list[MajorEventOut])
@paginate(Page)
def event_list(request, filters: Query[MajorEventFilters]):
    return selectors.event_search(request.user, **filters.dict())


@router.post("/engagement/events", response={201: MajorEventOut})
def event_report(request, payload: MajorEventIn):
    if permissions.has(request.user, Capability.REPORT_MAJOR_EVENTS):
        enterprise = request.user.enterprise
    else:
        permissions.require(request.user, Capability.COORDINATE_ENGAGEMENT)
        enterprise = enterprise_get(request.user, payload.enterprise_uscc)
    event = events.report_event(
        enterprise=enterprise,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        title=payload.title,
        description=payload.description,
        acting_user=request.user,
    )
    return Status(201, event)


@router.post("/engagement/exports/major-events", response={202: JobOut}, tags=["jobs"])
def event_export(request, filters: Query[MajorEventFilters]):
    """Queues the .xlsx of the major-event list with these filters (a job: poll it, then download)."""
    return Status(
        202, jobs.enqueue(kind="export.major_events", owner=request.user, parameters=filters.dict())
    )


@router.post("/engagement/events/{event_id}/{action}", response=MajorEventOut)
def event_action(
    request, event_id: Id, action: Literal["acknowledge", "follow_up", "close"], payload: EngagementNoteIn
):
    event = selectors.events_visible_to(request.user).filter(pk=event_id).first()
    if event is None:
        raise NotFound("event_not_found", _("No such major event."))
    return events.act_on_event(event=event, action=action, note=payload.note, acting_user=request.user)
