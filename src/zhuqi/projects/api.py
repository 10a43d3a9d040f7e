"""Key project endpoints (signed-in people; no token scope). Thin: parse, call, answer."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from zhuqi.accounts.models import User
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.schemas import Key, Period, SearchText, column, text, whole
from zhuqi.directory.selectors import category_by_code, department_by_code, enterprise_get, town_by_code
from zhuqi.projects import selectors, services
from zhuqi.projects import status as project_status
from zhuqi.projects.lifecycle import STATE_LABELS
from zhuqi.projects.models import MonthFigure, Project

router = Router(tags=["projects"])


class ProjectFilters(Schema):
    q: SearchText = ""
    stage: Key = ""
    town: Key = ""
    department: Key = ""
    page: whole(1, 1_000_000) = 1
    page_size: whole(1, 200) = 25


class ProjectStatusOut(Schema):
    level: str | None = Field(None, description="green, yellow, red; null in production or stopped")
    late_days: int
    target_stage: str | None
    target_planned_on: date | None
    planned_to_date: Decimal
    actual_to_date: Decimal


class ProjectOut(Schema):
    number: str
    name: str
    enterprise_uscc: str | None
    enterprise_name: str | None
    investment: Decimal
    town: str
    department: str | None
    liaison_leader: str | None
    stage: str
    state: str
    state_label: str
    stopped_on: date | None
    status: ProjectStatusOut


class ProjectPageOut(Schema):
    count: int
    items: list[ProjectOut]


class ProjectMilestoneOut(Schema):
    stage: str
    planned_on: date | None
    actual_on: date | None


class ProjectMonthOut(Schema):
    year: int
    month: int
    planned: Decimal
    actual: Decimal | None
    progress: str


class ProjectDetailOut(ProjectOut):
    description: str
    milestones: list[ProjectMilestoneOut]
    months: list[ProjectMonthOut]
    appeals: list[str] = Field(description="numbers of the appeals raised on the project")


def _out(project: Project, st) -> dict:
    return {
        "number": project.number,
        "name": project.name,
        "enterprise_uscc": project.enterprise.uscc if project.enterprise else None,
        "enterprise_name": project.enterprise.name if project.enterprise else None,
        "investment": project.investment,
        "town": project.town.code,
        "department": project.department.code if project.department else None,
        "liaison_leader": project.liaison_leader.username if project.liaison_leader else None,
        "stage": project.stage,
        "state": project.state,
        "state_label": str(STATE_LABELS[project.state]),
        "stopped_on": project.stopped_on,
        "status": st.__dict__,
    }


def _detail(user, number: str) -> dict:
    project = selectors.project_get(user, number)
    out = _out(project, project_status.status_of(project, timezone.localdate()))
    out.update(
        description=project.description,
        milestones=list(project.milestones.values("stage", "planned_on", "actual_on")),
        months=list(project.months.values("year", "month", "planned", "actual", "progress")),
        appeals=list(project.problems.values_list("appeal__number", flat=True)),
    )
    return out


@router.get("/projects", response=ProjectPageOut)
def project_list(request, filters: Query[ProjectFilters]):
    """Key projects in the caller's scope, the largest first, each with its colour."""
    f = filters.dict()
    page, size = f.pop("page"), f.pop("page_size")
    qs = selectors.project_search(request.user, **f)
    rows = selectors.with_status(qs[(page - 1) * size : page * size], timezone.localdate())
    return {"count": qs.count(), "items": [_out(p, st) for p, st in rows]}


@router.get("/projects/{number}", response=ProjectDetailOut)
def project_detail(request, number: Key):
    return _detail(request.user, number)


class ProjectPlannedDates(Schema):
    signed: Period | None = None
    landed: Period | None = None
    started: Period | None = None
    advancing: Period | None = None
    completed: Period | None = None
    producing: Period | None = None


class ProjectIn(Schema):
    name: column(Project, "name", min_length=1)
    town_code: Key
    investment: column(Project, "investment")
    enterprise_uscc: Key = ""
    department_code: Key = ""
    liaison_leader: text(150) = ""
    description: text(services.DESCRIPTION_MAX) = ""
    planned_dates: ProjectPlannedDates = ProjectPlannedDates()


@router.post("/projects", response={201: ProjectDetailOut})
def project_create(request, payload: ProjectIn):
    """A new project at 谋划 with the planned date of each later stage."""
    department = department_by_code(payload.department_code) if payload.department_code else None
    leader = None
    if payload.liaison_leader:
        leader = User.objects.filter(username=payload.liaison_leader, is_active=True).first()
        if leader is None:
            raise ZhuqiError("unknown_user", _("No such user."), status=422, field="liaison_leader")
    project = services.project_create(
        acting_user=request.user,
        name=payload.name,
        town=town_by_code(payload.town_code),
        investment=payload.investment,
        enterprise=enterprise_get(request.user, payload.enterprise_uscc) if payload.enterprise_uscc else None,
        department=department,
        liaison_leader=leader,
        description=payload.description,
        planned_dates={k: v for k, v in payload.planned_dates.dict().items() if v},
    )
    return Status(201, _detail(request.user, project.number))


class ProjectAdvanceIn(Schema):
    on: Period | None = None
    comment: text(500) = ""


@router.post("/projects/{number}/advance", response=ProjectDetailOut)
def project_advance(request, number: Key, payload: ProjectAdvanceIn):
    """The project reaches its next stage (on the given day, today by default)."""
    project = selectors.project_get(request.user, number)
    services.project_advance(
        project=project, acting_user=request.user, on=payload.on, comment=payload.comment
    )
    return _detail(request.user, number)


class ProjectReportIn(Schema):
    year: whole(2000, 2100)
    month: whole(1, 12)
    actual: column(MonthFigure, "actual")
    progress: text(services.PROGRESS_MAX) = ""


@router.post("/projects/{number}/reports", response=ProjectDetailOut)
def project_report(request, number: Key, payload: ProjectReportIn):
    """The monthly progress report: the investment made in the month and what was done."""
    project = selectors.project_get(request.user, number)
    services.project_report(
        project=project,
        acting_user=request.user,
        year=payload.year,
        month=payload.month,
        actual=payload.actual,
        progress=payload.progress,
    )
    return _detail(request.user, number)


class ProjectProblemIn(Schema):
    title: text(200, min_length=1)
    description: text(4800, min_length=1)
    category_code: Key


class ProjectProblemOut(Schema):
    project: str
    appeal: str


@router.post("/projects/{number}/problems", response={201: ProjectProblemOut})
def project_problem(request, number: Key, payload: ProjectProblemIn):
    """A problem on the project becomes an appeal of its enterprise, linked to the project."""
    project = selectors.project_get(request.user, number)
    problem = services.project_raise_problem(
        project=project,
        acting_user=request.user,
        title=payload.title,
        description=payload.description,
        category=category_by_code(payload.category_code),
    )
    return Status(201, {"project": project.number, "appeal": problem.appeal.number})


class ProjectStopIn(Schema):
    reason: text(500, min_length=1)


@router.post("/projects/{number}/stop", response=ProjectDetailOut)
def project_stop(request, number: Key, payload: ProjectStopIn):
    project = selectors.project_get(request.user, number)
    services.project_stop(project=project, acting_user=request.user, reason=payload.reason)
    return _detail(request.user, number)
