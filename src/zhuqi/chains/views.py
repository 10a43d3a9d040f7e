"""Pages of industry chains, matchmaking events and their quotas. Thin: parse, call, render."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.chains import lifecycle, selectors, services
from zhuqi.chains.models import Candidate, EventKind, Gap, Outcome, Partner, Position
from zhuqi.core import attachments as stored_files
from zhuqi.core import jobs, permissions
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.http import form_post
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department, Enterprise

EVENT_FILTERS = ("year", "kind", "chain", "state")


def _browse(request):
    if not permissions.has(request.user, Capability.BROWSE_CHAINS):
        raise Http404


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ZhuqiError("bad_date", _("A date such as 2026-03-31."), status=422, field=field) from None


def _enterprise(uscc: str) -> Enterprise | None:
    """An enterprise named by its code in a chain or event form (any in the directory: a chain's
    members and an event's participants are not limited to the editor's scope)."""
    uscc = (uscc or "").strip().upper()
    if not uscc:
        return None
    found = Enterprise.objects.filter(uscc=uscc).first()
    if found is None:
        raise ZhuqiError(
            "enterprise_not_found", _("No such enterprise."), status=422, field="enterprise_uscc"
        )
    return found


PICK_LIMIT = 20  # enterprises suggested at most
PICK_QUERY_MAX = 50  # characters of a name or code typed


@login_required
def enterprise_options(request):
    """Search as you type for the enterprise fields of chains and events (a chain member, a
    candidate, the enterprise that filled a weak link, an event's participants, an outcome): htmx
    fills a <datalist> with at most 20 enterprises in the user's scope (the directory's scoped
    selector) whose name contains the text or whose code starts with it. Nothing below 2
    characters; more than 50 is refused (422). A code typed in full is still accepted by the forms
    for an enterprise outside the scope, as before."""
    _browse(request)
    q = (request.GET.get("q") or request.GET.get("enterprise_uscc") or "").strip()
    if len(q) > PICK_QUERY_MAX:
        message = Message(_("Type at most %(n)d characters."), {"n": PICK_QUERY_MAX})
        return HttpResponse(str(message), status=422, content_type="text/plain; charset=utf-8")
    options = []
    if len(q) >= 2:
        options = list(directory_selectors.enterprise_search(request.user, q=q)[:PICK_LIMIT])
    return render(request, "chains/_enterprise_options.html", {"options": options})


@login_required
def chain_list(request):
    _browse(request)
    return render(request, "chains/chain_list.html", {"chains": selectors.chain_list(request.user)})


def _tasks(user, chain) -> list:
    """The chain's tasks, each with whether this user may open it on engagement's pages."""
    from zhuqi.engagement.selectors import tasks_visible_to

    tasks = list(services.chain_tasks(chain))
    visible = set(tasks_visible_to(user).filter(pk__in=[t.pk for t in tasks]).values_list("pk", flat=True))
    for task in tasks:
        task.may_open = task.pk in visible
    return tasks


def _chain_context(request, chain, error=None):
    return {
        "chain": chain,
        "figures": selectors.member_figures(chain),
        "gaps": list(chain.gaps.select_related("filled_by").prefetch_related("candidates")),
        "tasks": _tasks(request.user, chain),
        "events": list(
            chain.events.select_related("organiser_department", "organiser_town").order_by("-held_on")[:20]
        ),
        "may_edit": lifecycle.CHAIN_EDITOR(request.user, chain),
        "positions": Position.choices,
        "gap_kinds": Gap.Kind.choices,
        "candidate_statuses": Candidate.Status.choices,
        "departments": Department.objects.all(),
        "plan_files": services.plan_files(chain),
        "error": error,
    }


@login_required
def chain_detail(request, code):
    _browse(request)
    try:
        chain = selectors.chain_get(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "chains/chain_detail.html", _chain_context(request, chain))


@login_required
@require_POST
def chain_action(request, code, action):
    _browse(request)
    try:
        chain = selectors.chain_get(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    post, user = request.POST, request.user

    def act():
        if action == "member":
            return services.chain_member_set(
                chain=chain,
                acting_user=user,
                enterprise=_enterprise(post.get("enterprise_uscc")) or _missing("enterprise_uscc"),
                position=post.get("position", ""),
                product=post.get("product", ""),
            )
        if action == "gap":
            return services.chain_gap_add(
                chain=chain,
                acting_user=user,
                kind=post.get("kind", ""),
                position=post.get("position", ""),
                title=post.get("title", ""),
                note=post.get("note", ""),
            )
        if action == "candidate":
            gap = _gap(chain, post.get("gap"))
            return services.chain_candidate_add(
                gap=gap,
                acting_user=user,
                name=post.get("name", ""),
                enterprise=_enterprise(post.get("enterprise_uscc")),
                note=post.get("note", ""),
            )
        if action == "fill":
            return services.chain_gap_fill(
                gap=_gap(chain, post.get("gap")),
                acting_user=user,
                enterprise=_enterprise(post.get("enterprise_uscc")) or _missing("enterprise_uscc"),
            )
        if action == "task":
            return services.chain_task_add(
                chain=chain,
                acting_user=user,
                title=post.get("title", ""),
                owner=Department.objects.filter(code=post.get("owner", "")).first(),
                due_on=_date(post.get("due_on", ""), "due_on") or _missing("due_on"),
            )
        if action == "plan":
            return services.chain_update(chain=chain, acting_user=user, plan=post.get("plan", ""))
        if action == "plan_file":
            return services.chain_plan_attach(chain=chain, acting_user=user, upload=request.FILES.get("file"))
        raise Http404

    return form_post(
        request,
        act,
        then=reverse("chains:chain_detail", args=[chain.code]),
        hide_forbidden=True,
        refused=lambda exc: render(
            request, "chains/chain_detail.html", _chain_context(request, chain, exc), status=exc.status
        ),
    )


@login_required
def plan_file(request, code, file_pk):
    """A file of the chain's plan, for whoever may open the chain (404 otherwise, as if none)."""
    _browse(request)
    try:
        chain = selectors.chain_get(request.user, code)
        found = stored_files.get(services.PLAN_FILES, chain.pk, file_pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


def _missing(field):
    raise ZhuqiError(f"{field}_missing", _("Fill in this field."), status=422, field=field)


def _gap(chain, value) -> Gap:
    gap = Gap.objects.filter(chain=chain, pk=parse_whole(value, 1, 2**62)).first()
    if gap is None:
        raise Http404
    return gap


def _event_filters(request) -> dict:
    filters = {k: request.GET.get(k, "")[:100] for k in EVENT_FILTERS}
    if not filters["year"]:
        filters["year"] = str(timezone.localdate().year)
    return filters


def _search_args(filters: dict) -> dict:
    return filters | {"year": parse_whole(filters.get("year"), 2000, 2100)}


@login_required
def event_list(request):
    _browse(request)
    filters = _event_filters(request)
    events = selectors.event_search(request.user, **_search_args(filters))
    page = list_page(request, events, 25)
    return render(
        request,
        "chains/event_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": EventKind.choices,
            "totals": selectors.outcome_totals(events),
            "may_record": permissions.has(request.user, Capability.MANAGE_EVENTS)
            or permissions.has(request.user, Capability.ORGANISE_EVENTS),
        },
    )


@login_required
@require_POST
def event_export(request):
    _browse(request)
    job = jobs.enqueue(kind="export.events", owner=request.user, parameters=_event_filters(request))
    return redirect("web:job_detail", job.pk)


@login_required
def event_new(request):
    _browse(request)
    user = request.user
    if not (
        permissions.has(user, Capability.MANAGE_EVENTS) or permissions.has(user, Capability.ORGANISE_EVENTS)
    ):
        raise Http404
    if request.method == "POST":
        post = request.POST

        def create():
            department = Department.objects.filter(code=post.get("department", "")).first()
            town = directory_selectors.towns().filter(code=post.get("town", "")).first()
            enterprises = [
                e
                for e in (
                    _enterprise(c) for c in post.get("enterprises", "").replace("，", ",").split(",")[:200]
                )
                if e
            ]
            partners = [
                (post.get("partner_kind", "other"), name.strip())
                for name in post.get("partners", "").replace("，", ",").split(",")[:50]
                if name.strip()
            ]
            held_on = _date(post.get("held_on", ""), "held_on") or _missing("held_on")
            return services.event_create(
                acting_user=user,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                held_on=held_on,
                organiser_department=department,
                organiser_town=town,
                place=post.get("place", ""),
                chain=selectors.chains_visible_to(user).filter(code=post.get("chain", "")).first(),
                enterprises=enterprises,
                partners=partners,
                held=post.get("held") == "1",
            )

        return form_post(
            request,
            create,
            success=lambda event: _("Event %(number)s recorded.") % {"number": event.number},
            then=lambda event: reverse("chains:event_detail", args=[event.number]),
            refused=lambda exc: _event_form(request, exc),
        )
    return _event_form(request, None)


def _event_form(request, error):
    """The new-event form, again with the refusal when there is one (422: even one for a department or
    town the user may not organise for is a mistake in the form)."""
    user = request.user
    return render(
        request,
        "chains/event_new.html",
        {
            "error": error,
            "post": request.POST,
            "kinds": EventKind.choices,
            "partner_kinds": Partner.Kind.choices,
            "departments": Department.objects.all(),
            "towns": directory_selectors.towns(),
            "chains": selectors.chains_visible_to(user),
        },
        status=422 if error else 200,
    )


def _event_context(request, event, error=None):
    offered = lifecycle.offered(request.user, event)
    return {
        "event": event,
        "state_label": lifecycle.STATE_LABELS[event.state],
        "enterprises": list(event.enterprises.select_related("town")),
        "partners": list(event.partners.all()),
        "outcomes": list(event.outcomes.select_related("enterprise")),
        "offered": offered,
        "actions": {name: lifecycle.EVENT_ACTIONS[name].label for name in offered},
        "outcome_kinds": Outcome.Kind.choices,
        "chain_visible": event.chain_id is not None
        and selectors.chains_visible_to(request.user).filter(pk=event.chain_id).exists(),
        "error": error,
        "today": timezone.localdate(),
    }


def _event(request, number):
    try:
        return selectors.event_get(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def event_detail(request, number):
    _browse(request)
    return render(request, "chains/event_detail.html", _event_context(request, _event(request, number)))


@login_required
@require_POST
def event_action(request, number, action):
    _browse(request)
    event = _event(request, number)
    post, user = request.POST, request.user

    def act():
        if action == "hold":
            return services.event_hold(
                event=event, acting_user=user, held_on=_date(post.get("held_on", ""), "held_on")
            )
        if action == "cancel":
            return services.event_cancel(event=event, acting_user=user, reason=post.get("reason", ""))
        if action == "outcome":
            return services.event_add_outcome(
                event=event,
                acting_user=user,
                kind=post.get("kind", ""),
                enterprise=_enterprise(post.get("enterprise_uscc")),
                partner=post.get("partner", ""),
                value=post.get("value", "").strip() or None,
                people=parse_whole(post.get("people"), 0, 1_000_000),
                follow_up_on=_date(post.get("follow_up_on", ""), "follow_up_on"),
            )
        if action == "follow_up":
            outcome = Outcome.objects.filter(
                event=event, pk=parse_whole(post.get("outcome"), 1, 2**62)
            ).first()
            if outcome is None:
                raise Http404
            return services.outcome_follow_up(outcome=outcome, acting_user=user, note=post.get("note", ""))
        raise Http404

    return form_post(
        request,
        act,
        then=reverse("chains:event_detail", args=[event.number]),
        hide_forbidden=True,
        refused=lambda exc: render(
            request,
            "chains/event_detail.html",
            _event_context(request, _event(request, number), exc),
            status=exc.status,
        ),
    )


@login_required
def quota_progress(request):
    _browse(request)
    today = timezone.localdate()
    year = parse_whole(request.GET.get("year"), 2000, 2100) or today.year
    rows = selectors.quota_progress(request.user, year, today)
    return render(
        request,
        "chains/quota_progress.html",
        {
            "rows": rows,
            "year": year,
            "as_of": min(today, date(year, 12, 31)),
            "years": [today.year - 1, today.year],
        },
    )
