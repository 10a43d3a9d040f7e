from datetime import date, datetime, timedelta
from typing import Annotated

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.accounts.auth import ANY_SCOPE, token_or_session
from zhuqi.core import audit_export, jobs, selectors, services
from zhuqi.core.http import Page
from zhuqi.core.models import CalendarDay
from zhuqi.core.schemas import Id, JobOut, Key, Period, Year, column
from zhuqi.core.scopes import Scope

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: Annotated[list[Id], Field(max_length=1000)] | None = None


class MarkReadOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut])
@paginate(Page)
def notification_list(request, unread: bool = False):
    qs = selectors.notifications_of(request.user)
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post("/notifications/read", response=MarkReadOut)
def notification_mark_read(request, payload: MarkReadIn):
    """Marks the given notifications (or all) read; others' notifications are never touched."""
    return {"marked": services.notifications_mark_read(acting_user=request.user, ids=payload.ids)}


class CalendarDayIn(Schema):
    kind: column(CalendarDay, "kind")
    name: column(CalendarDay, "name") = ""


class CalendarDayOut(Schema):
    date: date
    kind: str
    name: str


@router.get(
    "/calendar", response=list[CalendarDayOut], tags=["settings"], auth=token_or_session(Scope.REFERENCE_READ)
)
def calendar(request, year: Year | None = None):
    """Public holidays and make-up working days (调休); every other weekday is a working day."""
    days = CalendarDay.objects.all()
    return days.filter(date__year=year) if year else days


@router.put("/calendar/{day}", response=CalendarDayOut, tags=["settings"])
def calendar_day_set(request, day: date, payload: CalendarDayIn):
    return services.calendar_day_set(day=day, kind=payload.kind, name=payload.name, acting_user=request.user)


@router.delete("/calendar/{day}", response={204: None}, tags=["settings"])
def calendar_day_remove(request, day: date):
    services.calendar_day_remove(day=day, acting_user=request.user)
    return Status(204, None)


@router.get("/audit-events/export", response={200: None}, tags=["audit"])
def audit_events_export(
    request, start: Period | None = None, end: Period | None = None, format: Key = "xlsx"
):
    """The audit trail of a date range (at most 366 days; by default the last 31) as .xlsx or .csv:
    the coordinating office and the administrator."""
    end = end or timezone.localdate()
    start = start or end - timedelta(days=30)
    content, content_type, filename = audit_export.export(
        acting_user=request.user, start=start, end=end, fmt=format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# A token reads the jobs it started itself (an export with enterprises:read, say): any scope.
@router.get("/jobs", response=list[JobOut], tags=["jobs"], auth=token_or_session(ANY_SCOPE))
@paginate(Page)
def job_list(request):
    """The caller's own background jobs, newest first."""
    return jobs.jobs_of(request.user)


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"], auth=token_or_session(ANY_SCOPE))
def job_detail(request, job_id: Id):
    """A background job's state and progress (done of total); only its owner sees it (else 404)."""
    return jobs.job_of(request.user, job_id)


@router.get("/jobs/{job_id}/file", response={200: None}, tags=["jobs"], auth=token_or_session(ANY_SCOPE))
def job_file(request, job_id: Id):
    """The file a finished job produced, while it is kept (ZHUQI_JOB_KEEP_HOURS; then 410)."""
    path, name = jobs.download(request.user, job_id)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
