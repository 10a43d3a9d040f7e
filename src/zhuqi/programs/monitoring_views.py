"""Pages of pilots after selection: the pilot list and page (growth against the doubling path, with
its chart), the programme's progress table, reporting tasks, registration and policy lists. Thin:
parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import backlinks, jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.programs import monitoring, monitoring_services, policy_lists
from zhuqi.programs import monitoring_selectors as sel
from zhuqi.programs.evaluation_models import ReportingTask
from zhuqi.programs.models import Pilot, Programme


def _require(request, capability: Capability) -> None:
    if not permissions.has(request.user, capability):
        raise Http404


def _int(value, low: int, high: int) -> int | None:
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return None
    number = int(text)
    return number if low <= number <= high else None


def _programme(request) -> Programme | None:
    pk = _int(request.GET.get("programme"), 1, 10**9)
    return Programme.objects.filter(pk=pk).first() if pk else Programme.objects.filter(level="city").first()


def _year(request) -> int:
    return _int(request.GET.get("year"), 2000, 2100) or timezone.localdate().year - 1


def _filters(request) -> dict:
    return {
        "state": (request.GET.get("state") or "current")[:12],
        "department": (request.GET.get("department") or "")[:40],
        "q": (request.GET.get("q") or "")[:100],
    }


@login_required
def pilot_list(request):
    _require(request, Capability.FOLLOW_PILOTS)
    programme, year, filters = _programme(request), _year(request), _filters(request)
    pilots = sel.pilot_list(request.user, programme=programme, **filters)
    page = list_page(request, pilots, 50)
    rows = monitoring.progress_rows(list(page), year)
    return render(
        request,
        "pilots/pilot_list.html",
        {
            "page": page,
            "rows": rows,
            "programme": programme,
            "programmes": Programme.objects.order_by("level", "code"),
            "year": year,
            "years": list(range(2017, timezone.localdate().year + 1)),
            "filters": filters,
            "states": Pilot.State.choices,
        },
    )


@login_required
@require_POST
def pilot_export(request):
    """The progress table of the page's pilots, with its filters, written by the worker."""
    _require(request, Capability.FOLLOW_PILOTS)
    programme, year = _programme(request), _year(request)
    parameters = {"programme": programme.pk if programme else "", "year": year, **_filters(request)}
    return _queue(request, "export.pilot_progress", parameters)


def _queue(request, kind: str, parameters: dict):
    try:
        job = jobs.enqueue(kind=kind, owner=request.user, parameters=parameters)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return redirect("web:job_detail", job.pk)


def _pilot(request, pk) -> Pilot:
    _require(request, Capability.FOLLOW_PILOTS)
    try:
        return sel.pilot_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def pilot_detail(request, pk, failed=None):
    pilot = _pilot(request, pk)
    last_year = max(timezone.localdate().year - 1, monitoring.base_year_of(pilot))
    values = monitoring.annual_values(
        [pilot.enterprise_id], range(monitoring.base_year_of(pilot), last_year + 1), monitoring.SERIES
    )
    series = monitoring.path_series(pilot, last_year, values)
    chart = {
        "years": [str(r["year"]) for r in series],
        "revenue": [float(r["revenue_ratio"]) if r["revenue_ratio"] is not None else None for r in series],
        "tax": [float(r["tax_ratio"]) if r["tax_ratio"] is not None else None for r in series],
        "path": [float(r["needed"]) for r in series],
        "labels": [_("Main-business revenue"), _("Tax paid"), _("Doubling path")],
    }
    return render(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "series": series,
            "chart": chart,
            "rate": monitoring.yearly_rate(pilot.commitment_years),
            "registration_due": monitoring_services.registration_due(pilot),
            "registered": monitoring_services.registered(pilot),
            "tasks": pilot.reporting_tasks.order_by("-year", "-half")[:10],
            "entries": pilot.policy_list.select_related("clause").order_by("id"),
            "items": pilot.evaluation_items.select_related("evaluation").order_by("-evaluation__year")[:10],
            "can_keep_list": policy_lists.KEEP(request.user, pilot),
            "liaison": backlinks.for_object(request.user, "directory.enterprise", pilot.enterprise_id),
            "clauses": policy_lists.clause_choices() if policy_lists.KEEP(request.user, pilot) else [],
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def policy_list_add(request, pk):
    pilot = _pilot(request, pk)
    try:
        policy_lists.entry_add(
            pilot=pilot,
            clause_code=(request.POST.get("clause") or "")[:60],
            note=(request.POST.get("note") or "")[:300],
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        return pilot_detail(request, pk, failed=exc.message)
    messages.success(request, _("Saved."))
    return redirect("pilots:pilot_detail", pk)


@login_required
@require_POST
def policy_list_done(request, pk, entry):
    pilot = _pilot(request, pk)
    try:
        policy_lists.entry_done(pilot=pilot, entry_id=entry, acting_user=request.user)
    except ZhuqiError as exc:
        return pilot_detail(request, pk, failed=exc.message)
    return redirect("pilots:pilot_detail", pk)


# ---------------------------------------------------------------------------------------------
# Reporting tasks


def _task_filters(request) -> dict:
    state = (request.GET.get("state") or "")[:12]
    return {
        "year": _int(request.GET.get("year"), 2000, 2100),
        "half": _int(request.GET.get("half"), 1, 2),
        "state": state if state in ("open", "submitted", "cancelled", "overdue") else "",
    }


@login_required
def task_list(request):
    _require(request, Capability.FOLLOW_PILOTS)
    filters = _task_filters(request)
    today = timezone.localdate()
    page = list_page(request, sel.task_list(request.user, today=today, **filters), 50)
    return render(
        request,
        "pilots/task_list.html",
        {
            "page": page,
            "filters": filters,
            "today": today,
            "states": ReportingTask.State.choices,
            "programmes": Programme.objects.order_by("level", "code"),
            "default": monitoring_services.default_half(today),
        },
    )


@login_required
@require_POST
def task_export(request):
    _require(request, Capability.FOLLOW_PILOTS)
    filters = {k: v or "" for k, v in _task_filters(request).items()}
    return _queue(request, "export.pilot_tasks", filters)


@login_required
@require_POST
def task_issue(request):
    _require(request, Capability.MANAGE_GROWTH_REPORTS)
    programme = Programme.objects.filter(pk=_int(request.POST.get("programme"), 1, 10**9)).first()
    year, half = _int(request.POST.get("year"), 2000, 2100), _int(request.POST.get("half"), 1, 2)
    if programme is None or year is None or half is None:
        messages.error(request, _("Choose a programme, a year and a half."))
        return redirect("pilots:task_list")
    try:
        n = monitoring_services.tasks_issue(
            programme=programme, year=year, half=half, acting_user=request.user
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)d reporting tasks issued.") % {"n": n})
    return redirect("pilots:task_list")


def _task(request, pk) -> ReportingTask:
    _require(request, Capability.FOLLOW_PILOTS)
    try:
        return monitoring_services.task_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def task_detail(request, pk, failed=None, posted=None):
    task = _task(request, pk)
    fields = monitoring_services.report_fields()
    given = posted if posted is not None else task.figures
    return render(
        request,
        "pilots/task_detail.html",
        {
            "task": task,
            "fields": [(key, label, given.get(key, "")) for key, label in fields],
            "status": (posted or {}).get("operating_status", task.operating_status),
            "may_submit": monitoring_services.SUBMIT(request.user, task) and task.state != "cancelled",
            "may_cancel": monitoring_services.CANCEL(request.user, task) and task.state == "open",
            "overdue": task.state == "open" and task.due_on < timezone.localdate(),
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def task_submit(request, pk):
    task = _task(request, pk)
    keys = [k for k, _label in monitoring_services.report_fields()]
    figures = {k: (request.POST.get(k) or "").strip()[:24] for k in keys}
    status = (request.POST.get("operating_status") or "")[:2100]
    try:
        monitoring_services.task_submit(
            task=task, figures=figures, operating_status=status, acting_user=request.user
        )
    except ZhuqiError as exc:
        return task_detail(request, pk, failed=exc.message, posted=figures | {"operating_status": status})
    messages.success(request, _("Report submitted."))
    return redirect("pilots:task_detail", pk)


@login_required
@require_POST
def task_cancel(request, pk):
    task = _task(request, pk)
    try:
        monitoring_services.task_cancel(
            task=task, note=(request.POST.get("note") or "")[:300], acting_user=request.user
        )
    except ZhuqiError as exc:
        return task_detail(request, pk, failed=exc.message)
    return redirect("pilots:task_detail", pk)


# ---------------------------------------------------------------------------------------------
# Registration (四(五)3)


@login_required
def registration(request):
    _require(request, Capability.FOLLOW_PILOTS)
    today = timezone.localdate()
    pilots = monitoring_services.unregistered(sel.pilot_list(request.user))
    page = list_page(request, pilots, 50)
    rows = [(p, monitoring_services.registration_due(p)) for p in page]
    return render(
        request,
        "pilots/registration.html",
        {
            "page": page,
            "rows": rows,
            "today": today,
            "may_remind": permissions.has(request.user, Capability.MANAGE_GROWTH_REPORTS),
        },
    )


@login_required
@require_POST
def remind(request):
    _require(request, Capability.MANAGE_GROWTH_REPORTS)
    done = monitoring_services.remind(today=timezone.localdate())
    messages.success(
        request,
        _("Reminded: %(reports)d reports due, %(registration)d unregistered pilots.") % done,
    )
    return redirect("pilots:registration")
