"""Key project pages. Thin: parse, call a selector or a service, render."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.accounts.models import User
from zhuqi.core import audit, jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import form_post
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department, ServiceCategory
from zhuqi.projects import lifecycle, selectors, services
from zhuqi.projects import status as project_status
from zhuqi.projects.lifecycle import STAGES, STATE_LABELS, STOPPED

FILTERS = ("q", "stage", "town", "department", "late")


def _filters(request) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:100] for k in FILTERS}


def _project(request, number):
    try:
        return selectors.project_get(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _may_create(user) -> bool:
    return permissions.has(user, Capability.MANAGE_ANY_PROJECT) or permissions.has(
        user, Capability.MANAGE_PROJECTS
    )


@login_required
def project_list(request):
    if not permissions.has(request.user, Capability.BROWSE_PROJECTS):
        raise Http404
    filters = _filters(request)
    projects = selectors.project_search(request.user, **filters)
    page = list_page(request, projects, 25)
    today = timezone.localdate()
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "rows": selectors.with_status(page, today),
            "filters": filters,
            "stages": [(s, STATE_LABELS[s]) for s in [*STAGES, STOPPED]],
            "counts": [(STATE_LABELS[s], n, s) for s, n in selectors.stage_counts(request.user).items()],
            "towns": directory_selectors.towns(),
            "departments": Department.objects.filter(level=Department.Level.CITY),
            "may_create": _may_create(request.user),
        },
    )


@login_required
@require_POST
def project_export(request):
    if not permissions.has(request.user, Capability.BROWSE_PROJECTS):
        raise Http404
    job = jobs.enqueue(kind="export.projects", owner=request.user, parameters=_filters(request))
    return redirect("web:job_detail", job.pk)


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ZhuqiError("bad_date", _("A date such as 2026-03-31."), status=422, field=field) from None


def _planned_dates(post) -> dict[str, date | None]:
    return {
        s: _date(post.get(f"planned_{s}", ""), f"planned_{s}") for s in STAGES[1:] if post.get(f"planned_{s}")
    }


def _leaders():
    """People who may be a project's liaison leader (those who report on their liaison projects)."""
    return User.objects.filter(
        is_active=True, role__in=permissions.roles_with(Capability.REPORT_PROJECTS), enterprise__isnull=True
    ).order_by("username")


@login_required
def project_new(request):
    if not _may_create(request.user):
        raise Http404
    if request.method == "POST":
        post = request.POST

        def create():
            town = directory_selectors.town_by_code(post.get("town", ""), field="town")
            enterprise = None
            if post.get("enterprise_uscc", "").strip():
                enterprise = directory_selectors.enterprise_get(request.user, post.get("enterprise_uscc", ""))
            department = Department.objects.filter(code=post.get("department", "")).first()
            leader = User.objects.filter(username=post.get("liaison_leader", ""), is_active=True).first()
            return services.project_create(
                acting_user=request.user,
                name=post.get("name", ""),
                town=town,
                investment=post.get("investment", "") or "x",
                enterprise=enterprise,
                department=department,
                liaison_leader=leader,
                description=post.get("description", ""),
                planned_dates=_planned_dates(post),
            )

        return form_post(
            request,
            create,
            success=lambda project: _("Project %(number)s created.") % {"number": project.number},
            then=lambda project: reverse("projects:project_detail", args=[project.number]),
            refused=lambda exc: _new_form(request, exc),
        )
    return _new_form(request, None)


def _new_form(request, error):
    return render(
        request,
        "projects/project_new.html",
        {
            "error": error,
            "post": request.POST,
            "towns": directory_selectors.towns(),
            "departments": Department.objects.all(),
            "leaders": _leaders(),
            "later_stages": [(s, STATE_LABELS[s]) for s in STAGES[1:]],
        },
        status=422 if error else 200,
    )


def _detail_context(request, project, error=None, action=None):
    today = timezone.localdate()
    milestones = {m.stage: m for m in project.milestones.all()}
    rows = []
    for stage in STAGES:
        m = milestones.get(stage)
        late = None
        if m and m.planned_on and m.actual_on and m.actual_on > m.planned_on:
            late = (m.actual_on - m.planned_on).days
        rows.append(
            {
                "stage": STATE_LABELS[stage],
                "code": stage,
                "m": m,
                "late": late,
                "current": stage == project.stage,
            }
        )
    offered = lifecycle.offered(request.user, project)
    problems = list(project.problems.select_related("appeal"))
    from zhuqi.appeals.selectors import appeals_visible_to

    open_appeals = set(
        appeals_visible_to(request.user)
        .filter(pk__in=[p.appeal_id for p in problems])
        .values_list("pk", flat=True)
    )
    for problem in problems:
        problem.may_open = problem.appeal_id in open_appeals
    enterprise_visible = (
        project.enterprise_id is not None
        and directory_selectors.enterprises_visible_to(request.user).filter(pk=project.enterprise_id).exists()
    )
    return {
        "enterprise_visible": enterprise_visible,
        "project": project,
        "state_label": STATE_LABELS[project.state],
        "status": project_status.status_of(project, today),
        "milestones": rows,
        "months": list(project.months.all()),
        "problems": problems,
        "offered": offered,
        "actions": {name: lifecycle.ACTIONS[name].label for name in offered},
        "next_stage": STATE_LABELS.get(lifecycle.next_stage(project.stage) or "", ""),
        "categories": ServiceCategory.objects.select_related("parent").order_by("sort", "code"),
        "trail": audit.trail(project).order_by("-created_at", "-id")[:50],
        "error": error,
        "failed_action": action,
        "today": today,
        "later_stages": [(s, STATE_LABELS[s], milestones[s]) for s in STAGES[1:] if s in milestones],
        "this_year": today.year,
        "this_month": today.month,
    }


@login_required
def project_detail(request, number):
    project = _project(request, number)
    return render(request, "projects/project_detail.html", _detail_context(request, project))


@login_required
@require_POST
def project_action(request, number, action):
    project = _project(request, number)
    if action not in lifecycle.ACTIONS:
        raise Http404
    post = request.POST

    def act():
        if action == "advance":
            return services.project_advance(
                project=project,
                acting_user=request.user,
                on=_date(post.get("on", ""), "on"),
                comment=post.get("comment", ""),
            )
        if action == "plan":
            months = []
            year, month = parse_whole(post.get("year"), 2000, 2100), parse_whole(post.get("month"), 1, 12)
            if post.get("planned", "").strip():
                if year is None or month is None:
                    raise ZhuqiError(
                        "bad_month", _("A month is a year from 2000 to 2100 and a month 1–12."), status=422
                    )
                months.append((year, month, post.get("planned", "")))
            return services.project_plan(
                project=project, acting_user=request.user, planned_dates=_planned_dates(post), months=months
            )
        if action == "report":
            year, month = parse_whole(post.get("year"), 2000, 2100), parse_whole(post.get("month"), 1, 12)
            if year is None or month is None:
                raise ZhuqiError(
                    "bad_month", _("A month is a year from 2000 to 2100 and a month 1–12."), status=422
                )
            return services.project_report(
                project=project,
                acting_user=request.user,
                year=year,
                month=month,
                actual=post.get("actual", "") or "x",
                progress=post.get("progress", ""),
            )
        if action == "problem":
            category = directory_selectors.category_by_code(post.get("category", ""), field="category")
            return services.project_raise_problem(
                project=project,
                acting_user=request.user,
                title=post.get("title", ""),
                description=post.get("description", ""),
                category=category,
            )
        if action == "stop":
            return services.project_stop(
                project=project, acting_user=request.user, reason=post.get("reason", "")
            )
        if action == "resume":
            return services.project_resume(
                project=project, acting_user=request.user, comment=post.get("comment", "")
            )
        changes = {}  # edit
        if post.get("investment", "").strip():
            changes["investment"] = post["investment"]
        if "description" in post:
            changes["description"] = post.get("description", "")
        return services.project_edit(project=project, acting_user=request.user, **changes)

    return form_post(
        request,
        act,
        success=lambda done: (
            _("Appeal %(number)s submitted.") % {"number": done.appeal.number}
            if action == "problem"
            else None
        ),
        then=reverse("projects:project_detail", args=[project.number]),
        hide_forbidden=True,
        refused=lambda exc: render(
            request,
            "projects/project_detail.html",
            _detail_context(request, _project(request, number), exc, action),
            status=exc.status,
        ),
    )
