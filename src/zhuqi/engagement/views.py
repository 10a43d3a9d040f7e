"""Engagement pages. Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department
from zhuqi.engagement import lifecycle, selectors, tasks
from zhuqi.engagement.forms import TaskForm
from zhuqi.engagement.lifecycle import TaskState
from zhuqi.engagement.models import Task


def _require(request, capability: Capability) -> None:
    if not permissions.has(request.user, capability):
        raise Http404


def _filters(request, names) -> dict[str, str]:
    return {k: (request.GET.get(k) or "")[:100] for k in names}


@login_required
def task_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    filters = _filters(request, selectors.TASK_FILTERS)
    page = Paginator(selectors.task_search(request.user, **filters), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "states": TaskState.choices,
        "sources": Task.Source.choices,
        "departments": Department.objects.order_by("level", "code"),
        "can_assign": permissions.has(request.user, Capability.ASSIGN_TASKS),
    }
    template = (
        "engagement/_task_rows.html" if request.headers.get("HX-Request") else "engagement/task_list.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def task_export(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    job = jobs.enqueue(
        kind="export.tasks", owner=request.user, parameters=_filters(request, selectors.TASK_FILTERS)
    )
    return redirect("web:job_detail", job.pk)


@login_required
def task_new(request):
    _require(request, Capability.ASSIGN_TASKS)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = tasks.create_task(
                    title=data["title"],
                    description=data["description"],
                    owner_department=data["owner_department"],
                    owner_user=data["owner_user"],
                    due_on=data["due_on"],
                    acting_user=request.user,
                )
            except ZhuqiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("engagement:task_detail", task.pk)
        status = 422
    else:
        form = TaskForm()
    return render(request, "engagement/task_form.html", {"form": form}, status=status)


def _task(request, pk) -> Task:
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    try:
        return selectors.task_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def task_detail(request, pk, failed=None):
    task = _task(request, pk)
    return render(
        request,
        "engagement/task_detail.html",
        {
            "task": task,
            "actions": lifecycle.offered(lifecycle.TASK_ACTIONS, request.user, task),
            "trail": audit.trail(task),
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def task_action(request, pk, action):
    task = _task(request, pk)
    if action not in lifecycle.TASK_ACTIONS:
        raise Http404
    try:
        tasks.perform(
            task=task, action=action, acting_user=request.user, note=request.POST.get("note", "")[:3000]
        )
    except ZhuqiError as exc:
        if exc.status == 409:
            messages.error(request, str(exc.message))
            return redirect("engagement:task_detail", pk)
        return task_detail(request, pk, failed={"action": action, "message": str(exc.message)})
    messages.success(request, _("Done."))
    return redirect("engagement:task_detail", pk)
