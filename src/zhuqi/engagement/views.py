"""Engagement pages. Thin: parse, call a selector or a service, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.accounts.models import User
from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import form_post
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department, LiaisonAssignment, Town
from zhuqi.engagement import cadence, events, liaison, lifecycle, meetings, selectors, tasks, visits
from zhuqi.engagement.forms import MajorEventForm, MeetingForm, TaskForm, VisitForm
from zhuqi.engagement.lifecycle import EventState, ProposalState, TaskState
from zhuqi.engagement.models import MajorEvent, Task, TierProposal, VisitKind


def _require(request, capability: Capability) -> None:
    if not permissions.has(request.user, capability):
        raise Http404


def _filters(request, names) -> dict[str, str]:
    return {k: (request.GET.get(k) or "")[:100] for k in names}


@login_required
def task_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    filters = _filters(request, selectors.TASK_FILTERS)
    page = list_page(request, selectors.task_search(request.user, **filters), 25)
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
    if request.method != "POST":
        return render(request, "engagement/task_form.html", {"form": TaskForm()})
    form = TaskForm(request.POST)
    return form_post(
        request,
        lambda data: tasks.create_task(
            title=data["title"],
            description=data["description"],
            owner_department=data["owner_department"],
            owner_user=data["owner_user"],
            due_on=data["due_on"],
            acting_user=request.user,
        ),
        form=form,
        success=_("Saved."),
        then=lambda task: reverse("engagement:task_detail", args=[task.pk]),
        refused=lambda exc: render(request, "engagement/task_form.html", {"form": form}, status=422),
    )


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
    return form_post(
        request,
        lambda: tasks.perform(
            task=task, action=action, acting_user=request.user, note=request.POST.get("note", "")[:3000]
        ),
        success=_("Done."),
        then=reverse("engagement:task_detail", args=[pk]),
        refused=lambda exc: _refused_action(request, exc, "engagement:task_detail", pk, action, task_detail),
    )


def _refused_action(request, exc, url_name, pk, action, detail):
    """A refused action on a detail page: a state that moved on meanwhile (409) is said above the
    page; anything else is shown beside the action's form, with the page's status 422."""
    if exc.status == 409:
        messages.error(request, str(exc.message))
        return redirect(url_name, pk)
    return detail(request, pk, failed={"action": action, "message": str(exc.message)})


# ---------------------------------------------------------------------------------------------
# Liaisons


def _leaders():
    return User.objects.filter(
        is_active=True, role__in=permissions.roles_with(Capability.INSTRUCT_APPEALS)
    ).order_by("username")


@login_required
def liaison_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    filters = _filters(request, selectors.LIAISON_FILTERS)
    page = list_page(request, selectors.liaison_search(request.user, **filters), 25)
    office = permissions.has(request.user, Capability.COORDINATE_ENGAGEMENT)
    return render(
        request,
        "engagement/liaison_list.html",
        {
            "page": page,
            "filters": filters,
            "tiers": LiaisonAssignment.Tier.choices,
            "towns": Town.objects.all(),
            "loads": liaison.leader_loads() if office else [],
            "office": office,
            "leaders": _leaders() if office else [],
            "units": Department.objects.order_by("level", "code") if office else [],
            "pending": TierProposal.objects.filter(state=ProposalState.PENDING).count() if office else 0,
        },
    )


def _office(request) -> None:
    _require(request, Capability.COORDINATE_ENGAGEMENT)


def _date(value, default=None):
    try:
        return date.fromisoformat((value or "")[:10]) if value else default
    except ValueError:
        raise ZhuqiError("bad_date", _("Give a valid date."), status=422) from None


def _user(pk) -> User | None:
    number = parse_whole(pk, 1, 2**62)
    return User.objects.filter(pk=number).first() if number else None


@login_required
@require_POST
def liaison_assign(request):
    _office(request)

    def assign():
        enterprise = (
            directory_selectors.enterprises_visible_to(request.user)
            .filter(uscc=(request.POST.get("uscc") or "")[:18])
            .first()
        )
        leader = _user(request.POST.get("leader"))
        if enterprise is None or leader is None:
            raise ZhuqiError("field_missing", _("Choose an enterprise and a leader."), status=422)
        unit = Department.objects.filter(pk=parse_whole(request.POST.get("unit"), 1, 2**62) or 0).first()
        return liaison.assign_liaison(
            leader=leader,
            enterprise=enterprise,
            tier=request.POST.get("tier", "")[:16],
            since=_date(request.POST.get("since"), timezone.localdate()),
            unit=unit,
            acting_user=request.user,
        )

    return form_post(request, assign, success=_("Done."), then=reverse("engagement:liaison_list"))


@login_required
@require_POST
def liaison_change(request, pk, action):
    _office(request)
    assignment = LiaisonAssignment.objects.active().filter(pk=pk).select_related("enterprise").first()
    if assignment is None or action not in ("end", "hand_over"):
        raise Http404

    def change():
        on = _date(request.POST.get("on"), timezone.localdate())
        reason = request.POST.get("reason", "")[:200]
        if action == "end":
            return liaison.end_liaison(
                assignment=assignment, ended_on=on, reason=reason, acting_user=request.user
            )
        successor = _user(request.POST.get("leader"))
        if successor is None:
            raise ZhuqiError("leader_missing", _("Name the leader who takes the enterprise."), status=422)
        return liaison.hand_over_liaison(
            assignment=assignment, successor=successor, on=on, reason=reason, acting_user=request.user
        )

    return form_post(request, change, success=_("Done."), then=reverse("engagement:liaison_list"))


@login_required
def proposal_list(request):
    _office(request)
    state = request.GET.get("state") or ProposalState.PENDING
    proposals = TierProposal.objects.select_related("enterprise", "enterprise__town", "assignment__leader")
    if state in ProposalState.values:
        proposals = proposals.filter(state=state)
    page = list_page(request, proposals.order_by("-created_at", "-id"), 25)
    suggested = liaison.suggested_leaders(p for p in page if p.state == ProposalState.PENDING)
    for proposal in page:
        proposal.suggested_leader_id = suggested.get(proposal.pk)
    return render(
        request,
        "engagement/proposal_list.html",
        {
            "page": page,
            "state": state,
            "states": ProposalState.choices,
            "leaders": _leaders(),
            "tiers": dict(LiaisonAssignment.Tier.choices),
        },
    )


@login_required
@require_POST
def proposal_run(request):
    _office(request)
    result = liaison.propose_tiers(acting_user=request.user)
    messages.success(
        request,
        _("%(checked)d enterprises checked, %(proposed)d changes proposed.")
        % {"checked": result.checked, "proposed": result.proposed},
    )
    return redirect("engagement:proposal_list")


@login_required
@require_POST
def proposal_decide(request, pk, action):
    _office(request)
    proposal = TierProposal.objects.filter(pk=pk).first()
    if proposal is None or action not in lifecycle.PROPOSAL_ACTIONS:
        raise Http404
    note = request.POST.get("note", "")[:500]
    if action == "accept":
        leader = _user(request.POST.get("leader"))

        def decide():
            return liaison.accept_proposal(
                proposal=proposal, leader=leader, note=note, acting_user=request.user
            )
    else:

        def decide():
            return liaison.reject_proposal(proposal=proposal, note=note, acting_user=request.user)

    return form_post(request, decide, success=_("Done."), then=reverse("engagement:proposal_list"))


# ---------------------------------------------------------------------------------------------
# Visits


@login_required
def visit_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    filters = _filters(request, selectors.VISIT_FILTERS)
    page = list_page(request, selectors.visit_search(request.user, **filters), 25)
    return render(
        request,
        "engagement/visit_list.html",
        {"page": page, "filters": filters, "kinds": VisitKind.choices},
    )


@login_required
def visit_new(request):
    _require(request, Capability.RECORD_VISITS)
    enterprises = selectors.visit_enterprises(request.user)
    if request.method != "POST":
        form = VisitForm(
            enterprises=enterprises, initial={"visited_on": timezone.localdate(), "kind": VisitKind.ONSITE}
        )
        return render(request, "engagement/visit_form.html", {"form": form})
    form = VisitForm(request.POST, request.FILES, enterprises=enterprises)
    return form_post(
        request,
        lambda data: visits.record_visit(
            enterprise=data["enterprise"],
            kind=data["kind"],
            visited_on=data["visited_on"],
            departments=list(data["departments"]),
            participants=data["participants"],
            ask_status=data["ask_status"],
            ask_needs=data["ask_needs"],
            ask_environment=data["ask_environment"],
            brought_service=data["brought_service"],
            brought_conduct=data["brought_conduct"],
            help_ideas=data["help_ideas"],
            help_transform=data["help_transform"],
            help_solve=data["help_solve"],
            help_longterm=data["help_longterm"],
            summary=data["summary"],
            problems=form.problems(),
            attachments=[data["photo"]] if data.get("photo") else [],
            acting_user=request.user,
        ),
        form=form,
        success=lambda recorded: (
            _("Visit recorded; appeal %(numbers)s submitted.")
            % {"numbers": "、".join(a.number for a in recorded.appeals)}
            if recorded.appeals
            else _("Visit recorded.")
        ),
        then=lambda recorded: reverse("engagement:visit_detail", args=[recorded.visit.pk]),
        refused=lambda exc: render(request, "engagement/visit_form.html", {"form": form}, status=422),
    )


@login_required
def visit_detail(request, pk):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    visit = selectors.visit_search(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return render(
        request,
        "engagement/visit_detail.html",
        {
            "visit": visit,
            "appeals": visit.appeals.all(),
            # Linked only where the reader may open the appeal (a department taken along may not).
            "visible_appeals": set(
                appeal_selectors.appeals_visible_to(request.user)
                .filter(visits=visit)
                .values_list("pk", flat=True)
            ),
            "files": stored_files.for_object("visit", visit.pk),
            "trail": audit.trail(visit),
        },
    )


@login_required
def visit_file(request, pk, file_pk):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    visit = selectors.visit_search(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    try:
        found = stored_files.get("visit", visit.pk, file_pk)
    except NotFound as exc:
        raise Http404 from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


# ---------------------------------------------------------------------------------------------
# Compliance


@login_required
def compliance_page(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    today = timezone.localdate()
    year = parse_whole(request.GET.get("year"), 2000, 2100) or today.year
    quarter = parse_whole(request.GET.get("quarter"), 1, 4) or (today.month - 1) // 3 + 1
    start = date(year, 3 * quarter - 2, 1)
    end = cadence.period_end(start, "quarter")
    status = request.GET.get("status", "")
    if status not in ("", "due", "overdue", "done"):
        status = ""
    view = selectors.compliance_view(request.user, start=start, end=end, today=today, status=status)
    return render(
        request,
        "engagement/compliance.html",
        view
        | {
            "year": year,
            "quarter": quarter,
            "status": status,
            "start": start,
            "end": end,
            "years": range(today.year - 2, today.year + 1),
        },
    )


# ---------------------------------------------------------------------------------------------
# Meetings


@login_required
def meeting_list(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    page = list_page(request, selectors.meetings_visible_to(request.user), 25)
    return render(request, "engagement/meeting_list.html", {"page": page})


@login_required
def meeting_new(request):
    _office(request)
    if request.method != "POST":
        form = MeetingForm(initial={"held_on": timezone.localdate()})
        return render(request, "engagement/meeting_form.html", {"form": form})
    form = MeetingForm(request.POST)
    return form_post(
        request,
        lambda data: meetings.record_meeting(
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            chair=data["chair"],
            place=data["place"],
            enterprises=form.enterprises(request.user),
            departments=list(data["departments"]),
            minutes=data["minutes"],
            decisions=form.decisions(),
            acting_user=request.user,
        ),
        form=form,
        success=_("Saved."),
        then=lambda meeting: reverse("engagement:meeting_detail", args=[meeting.pk]),
        refused=lambda exc: render(request, "engagement/meeting_form.html", {"form": form}, status=422),
    )


@login_required
def meeting_detail(request, pk):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    meeting = selectors.meetings_visible_to(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return render(
        request,
        "engagement/meeting_detail.html",
        {
            "meeting": meeting,
            "tasks": meetings.tasks_of(meeting),
            "visible_tasks": set(
                selectors.tasks_visible_to(request.user)
                .filter(pk__in=meetings.tasks_of(meeting).values("pk"))
                .values_list("pk", flat=True)
            ),
            "trail": audit.trail(meeting),
        },
    )


# ---------------------------------------------------------------------------------------------
# Major events


def _may_see_events(request) -> None:
    if not (
        permissions.has(request.user, Capability.FOLLOW_ENGAGEMENT)
        or permissions.has(request.user, Capability.REPORT_MAJOR_EVENTS)
    ):
        raise Http404


@login_required
def event_list(request):
    _may_see_events(request)
    filters = _filters(request, selectors.EVENT_FILTERS)
    page = list_page(request, selectors.event_search(request.user, **filters), 25)
    return render(
        request,
        "engagement/event_list.html",
        {
            "page": page,
            "filters": filters,
            "states": EventState.choices,
            "kinds": MajorEvent.Kind.choices,
            "may_report": permissions.has(request.user, Capability.REPORT_MAJOR_EVENTS)
            or permissions.has(request.user, Capability.COORDINATE_ENGAGEMENT),
        },
    )


@login_required
@require_POST
def event_export(request):
    _may_see_events(request)
    job = jobs.enqueue(
        kind="export.major_events", owner=request.user, parameters=_filters(request, selectors.EVENT_FILTERS)
    )
    return redirect("web:job_detail", job.pk)


@login_required
def event_new(request):
    own = permissions.has(request.user, Capability.REPORT_MAJOR_EVENTS)
    if not (own or permissions.has(request.user, Capability.COORDINATE_ENGAGEMENT)):
        raise Http404
    if request.method != "POST":
        form = MajorEventForm(own=own, initial={"occurred_on": timezone.localdate()})
        return render(request, "engagement/event_form.html", {"form": form})
    form = MajorEventForm(request.POST, own=own)

    def report(data):
        enterprise = request.user.enterprise if own else form.enterprise(request.user)
        if enterprise is None:
            raise ZhuqiError(
                "enterprise_missing", _("Choose an enterprise."), status=422, field="enterprise_uscc"
            )
        return events.report_event(
            enterprise=enterprise,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            title=data["title"],
            description=data["description"],
            acting_user=request.user,
        )

    return form_post(
        request,
        report,
        form=form,
        success=_("Reported."),
        then=lambda event: reverse("engagement:event_detail", args=[event.pk]),
        refused=lambda exc: render(request, "engagement/event_form.html", {"form": form}, status=422),
    )


@login_required
def event_detail(request, pk, failed=None):
    _may_see_events(request)
    event = selectors.events_visible_to(request.user).filter(pk=pk).select_related("enterprise").first()
    if event is None:
        raise Http404
    return render(
        request,
        "engagement/event_detail.html",
        {
            "event": event,
            "notes": event.notes.select_related("actor"),
            "actions": lifecycle.offered(lifecycle.EVENT_ACTIONS, request.user, event),
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def event_action(request, pk, action):
    _may_see_events(request)
    event = selectors.events_visible_to(request.user).filter(pk=pk).first()
    if event is None or action not in lifecycle.EVENT_ACTIONS:
        raise Http404
    return form_post(
        request,
        lambda: events.act_on_event(
            event=event, action=action, note=request.POST.get("note", "")[:3000], acting_user=request.user
        ),
        success=_("Done."),
        then=reverse("engagement:event_detail", args=[pk]),
        refused=lambda exc: _refused_action(
            request, exc, "engagement:event_detail", pk, action, event_detail
        ),
    )


@login_required
@require_POST
def visit_export(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    job = jobs.enqueue(
        kind="export.visits", owner=request.user, parameters=_filters(request, selectors.VISIT_FILTERS)
    )
    return redirect("web:job_detail", job.pk)


@login_required
@require_POST
def compliance_export(request):
    _require(request, Capability.FOLLOW_ENGAGEMENT)
    today = timezone.localdate()
    parameters = {
        "year": request.GET.get("year") or str(today.year),
        "quarter": request.GET.get("quarter") or str((today.month - 1) // 3 + 1),
        "status": request.GET.get("status", ""),
    }
    return form_post(
        request,
        lambda: jobs.enqueue(kind="export.compliance", owner=request.user, parameters=parameters),
        then=lambda job: reverse("web:job_detail", args=[job.pk]),
        back=reverse("engagement:compliance"),
    )
