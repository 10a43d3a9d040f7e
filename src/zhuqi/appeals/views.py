"""Appeal pages. Thin: parse, call a selector or a service, render."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhuqi.appeals import deadlines, kpis, lifecycle, selectors, services, tracker
from zhuqi.appeals.forms import AppealForm
from zhuqi.appeals.models import DeadlineRule, Rating, State, Urgency
from zhuqi.core import attachments as stored_files
from zhuqi.core import backlinks, jobs, permissions
from zhuqi.core import services as core_services
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.models import CalendarDay
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import BIGINT_MAX, parse_whole
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department, ServiceCategory

# The KPI page's groupings, as the tabs and the ranking's first column read.
KPI_GROUPS = {
    "department": gettext_lazy("Department"),
    "town": gettext_lazy("Town"),
    "category": gettext_lazy("Category"),
    "month": gettext_lazy("Month"),
}
# One form per action, with only the fields its service reads (lifecycle.ACTIONS), so that nothing
# typed for one action is sent with another. Colours by meaning: the step forward is the primary
# button, undoing or sending back is outlined and asks to confirm.
FORWARD = {"dispatch", "accept", "reply", "rate", "decide"}
DESTRUCTIVE = {
    "withdraw": gettext_lazy("Withdraw this appeal?"),
    "return": gettext_lazy("Return this appeal?"),
}
FIELD_OF_ARGUMENT = {"department": "department_code", "owner": "department_code", "reply": "reply"}
FIELD_OF_ARGUMENT |= {"rating": "rating", "into": "into_number"}
COMMENT_LABELS = {
    "return": gettext_lazy("Reason"),
    "transfer": gettext_lazy("Reason"),
    "withdraw": gettext_lazy("Reason"),
    "escalate": gettext_lazy("Reason"),
    "progress": gettext_lazy("Progress report"),
    "decide": gettext_lazy("Decision of the meeting"),
    "instruct": gettext_lazy("Instruction (批示)"),
    "follow-up": gettext_lazy("Notes of the follow-up call (回访)"),
}
FILTERS = ("state", "department", "town", "category", "q", "enterprise", "due", "supervised")


def _appeal(request, number):
    try:
        return selectors.appeal_get(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _filters(request) -> dict[str, str]:
    filters = {k: request.GET.get(k, "")[:100] for k in FILTERS}
    if (
        not request.GET
        and permissions.has(request.user, Capability.HANDLE_APPEALS)
        and request.user.department_id
    ):
        # A handler opens the list on its work to do (待办): open appeals with its department now.
        filters |= {"state": "open", "department": request.user.department.code}
    return filters


def _may_submit_on_page(user) -> bool:
    """Enterprises submit their own appeals and staff record them on this form; a system client posts
    through the API."""
    return permissions.has(user, Capability.SUBMIT_OWN_APPEAL) or permissions.has(
        user, Capability.RECORD_APPEAL
    )


@login_required
def appeal_list(request):
    filters = _filters(request)
    ledger = selectors.appeal_list(request.user, **filters)
    page = list_page(request, ledger, 25)
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "page": page,
            "rows": selectors.with_warnings(page),
            "filters": filters,
            "states": State.choices,
            "departments": Department.objects.all(),
            "towns": directory_selectors.towns(),
            "categories": ServiceCategory.objects.filter(parent__isnull=True),
            "may_submit": _may_submit_on_page(request.user),
        },
    )


@login_required
@require_POST
def appeal_export(request):
    """Queues the ledger export of the listed appeals and opens its job."""
    filters = _filters(request)
    job = jobs.enqueue(kind="export.appeals", owner=request.user, parameters=filters)
    return redirect("web:job_detail", job.pk)


@login_required
def appeal_new(request):
    if not _may_submit_on_page(request.user):
        raise Http404
    form = AppealForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            enterprise = (
                request.user.enterprise
                if permissions.has(request.user, Capability.SUBMIT_OWN_APPEAL)
                else form.enterprise
            )
            result = services.appeal_submit(
                enterprise=enterprise,
                title=c["title"],
                description=c["description"],
                category=c["category"],
                acting_user=request.user,
                urgency=c["urgency"],
                channel=c["channel"],
                within_policy=c["within_policy"],
                contact_name=c["contact_name"],
                contact_phone=c["contact_phone"],
                idempotency_key=request.POST.get("idempotency_key") or None,
                attachments=[c["attachment"]] if c.get("attachment") else [],
            )
        except ZhuqiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            for other in result.possible_duplicates:
                messages.warning(
                    request,
                    _("Possibly the same matter as open appeal %(number)s: %(title)s")
                    % {"number": other.number, "title": other.title},
                )
            messages.success(request, _("Appeal %(number)s submitted.") % {"number": result.appeal.number})
            return redirect("appeals:appeal_detail", result.appeal.number)
    return render(
        request,
        "appeals/appeal_form.html",
        {"form": form, "idempotency_key": uuid.uuid4().hex},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def appeal_similar(request):
    """The form's duplicate hint (htmx): similar open appeals of the same enterprise."""
    found = selectors.similar_open_appeals(
        request.user,
        title=request.GET.get("title", ""),
        enterprise_uscc=request.GET.get("enterprise_uscc", ""),
    )
    return render(request, "appeals/_similar.html", {"similar": found})


@login_required
def appeal_detail(request, number, failed=None):
    appeal = _appeal(request, number)
    action_names = lifecycle.offered(request.user, appeal)
    events = list(appeal.events.select_related("actor", "department", "department__head"))
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "warning": selectors.with_warnings([appeal])[0][1],
            "due": deadlines.active_due(appeal),
            "events": events,
            "rounds": tracker.rounds(appeal, events),
            "actions": [(a, lifecycle.ACTIONS[a].button) for a in action_names],
            "action_forms": _action_forms(action_names, failed),
            "action_names": action_names,
            "departments": Department.objects.all(),
            "ratings": Rating.choices,
            "coordination": appeal.coordination_items.select_related("owner"),
            "attachments": stored_files.for_object("appeal", appeal.pk),
            "may_attach": lifecycle.ATTACH.allows(request.user, appeal),
            "backlinks": backlinks.for_object(request.user, "appeals.appeal", appeal.pk),
        },
        status=422 if failed else 200,
    )


def _action_forms(action_names, failed) -> list[dict]:
    """The forms of the actions offered; the one that failed keeps what was typed and shows its
    error next to the field it is about (at the top of the form when it is about no field)."""
    forms = []
    for name in action_names:
        fields = []
        for argument in lifecycle.ACTIONS[name].takes:
            field = FIELD_OF_ARGUMENT.get(argument, "comment")
            if field not in fields:
                fields.append(field)
        mine = failed if failed and failed["action"] == name else None
        error_field = mine and (mine["field"] if mine["field"] in fields else None)
        forms.append(
            {
                "name": name,
                "label": lifecycle.ACTIONS[name].button,
                "fields": fields,
                "comment_label": COMMENT_LABELS.get(name, gettext_lazy("Comment (optional)")),
                "kind": "forward" if name in FORWARD else "danger" if name in DESTRUCTIVE else "other",
                "confirm": DESTRUCTIVE.get(name, ""),
                "values": mine["values"] if mine else {},
                "error": mine["message"] if mine else "",
                "error_field": error_field or "",
            }
        )
    return forms


@login_required
@require_POST
def appeal_attach(request, number):
    appeal = _appeal(request, number)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ZhuqiError("file_missing", _("Choose a file to attach."), field="file")
        services.appeal_attach(appeal=appeal, acting_user=request.user, upload=upload)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("File attached."))
    return redirect("appeals:appeal_detail", number)


@login_required
def appeal_attachment(request, number, pk):
    try:
        found = selectors.appeal_attachment_get(request.user, number, pk)
    except NotFound as exc:
        raise Http404 from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


@login_required
@require_POST
def appeal_action(request, number, action):
    appeal = _appeal(request, number)
    version = request.POST.get("expected_version")
    try:
        services.perform(
            action,
            appeal=appeal,
            acting_user=request.user,
            comment=request.POST.get("comment", ""),
            department_code=request.POST.get("department_code", ""),
            reply=request.POST.get("reply", ""),
            rating=request.POST.get("rating") or None,
            into_number=request.POST.get("into_number", ""),
            expected_version=parse_whole(version, 0, 2147483647),
        )
    except ZhuqiError as exc:
        if exc.status == 409:  # someone else acted first: the page as it is now, with why
            messages.error(request, str(exc.message))
            return redirect("appeals:appeal_detail", number)
        failed = {"action": action, "field": exc.field, "message": str(exc.message), "values": request.POST}
        return appeal_detail(request, number, failed=failed)
    messages.success(request, _("Done."))
    return redirect("appeals:appeal_detail", number)


def _require_oversight(request) -> None:
    """Warnings, the coordination list and KPIs are the staff's tools; an enterprise follows its own
    appeals on their tracker."""
    if not permissions.has(request.user, permissions.Capability.OVERSEE_APPEALS):
        raise Http404


@login_required
def warning_list(request):
    _require_oversight(request)
    page = list_page(request, selectors.warning_list(request.user), 25)
    return render(request, "appeals/warnings.html", {"rows": page, "page": page})


@login_required
def coordination_list(request):
    _require_oversight(request)
    page = list_page(request, selectors.coordination_list(request.user), 25)
    return render(request, "appeals/coordination.html", {"items": page, "page": page})


@login_required
def kpi_page(request):
    _require_oversight(request)
    by = request.GET.get("by", "department")
    if by not in kpis.GROUPS:
        by = "department"
    overall, rows = kpis.overall_and_groups(selectors.appeals_visible_to(request.user), by, rollup=True)
    return render(
        request,
        "appeals/kpis.html",
        {
            "by": by,
            "by_label": KPI_GROUPS[by],
            "groups": [(g, KPI_GROUPS[g]) for g in kpis.GROUPS if g in KPI_GROUPS],
            "overall": overall,
            "rows": rows,
        },
    )


def _calendar_year(request) -> int:
    text = request.GET.get("year", "")
    return parse_whole(text, 2000, 2100) or timezone.localdate().year


@login_required
def deadline_settings(request):
    """The coordinating office's page for deadline rules and the working-day calendar."""
    if not permissions.has(request.user, Capability.EDIT_SETTINGS):
        raise Http404
    year = _calendar_year(request)
    status = 200
    if request.method == "POST":
        try:
            _deadline_settings_change(request)
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
            status = 422
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "appeals/deadline_settings.html",
        {
            "rules": DeadlineRule.objects.select_related("category__parent").order_by(
                "category__code", "urgency"
            ),
            "defaults": [(Urgency(u).label, *d) for u, d in deadlines.DEFAULTS.items()],
            "categories": ServiceCategory.objects.select_related("parent"),
            "urgencies": Urgency.choices,
            "kinds": CalendarDay.Kind.choices,
            "days": CalendarDay.objects.filter(date__year=year),
            "year": year,
        },
        status=status,
    )


def _whole(request, name) -> int:
    days = parse_whole(request.POST.get(name), 0, 32767)
    if days is None:
        raise ZhuqiError("bad_days", _("Working days must be whole numbers."), field=name)
    return days


def _deadline_settings_change(request) -> None:
    op = request.POST.get("op")
    user = request.user
    if op == "rule_set":
        code = request.POST.get("category", "")
        category = ServiceCategory.objects.filter(code=code).first() if code else None
        if code and category is None:
            raise ZhuqiError("unknown_category", _("Unknown category."))
        deadlines.deadline_rule_set(
            category=category,
            urgency=request.POST.get("urgency", ""),
            dispatch_days=_whole(request, "dispatch_days"),
            progress_days=_whole(request, "progress_days"),
            resolve_days=_whole(request, "resolve_days"),
            acting_user=user,
        )
    elif op == "rule_remove":
        rule_id = parse_whole(request.POST.get("rule"), 1, BIGINT_MAX)
        rule = DeadlineRule.objects.filter(pk=rule_id).first() if rule_id else None
        if rule is None:
            raise ZhuqiError("not_found", _("Not found."))
        deadlines.deadline_rule_remove(rule=rule, acting_user=user)
    elif op in ("day_set", "day_remove"):
        try:
            day = date.fromisoformat(request.POST.get("date", ""))
        except ValueError as exc:
            raise ZhuqiError("bad_date", _("Give the date as YYYY-MM-DD."), field="date") from exc
        if op == "day_set":
            core_services.calendar_day_set(
                day=day,
                kind=request.POST.get("kind", ""),
                name=request.POST.get("name", ""),
                acting_user=user,
            )
        else:
            core_services.calendar_day_remove(day=day, acting_user=user)
    else:
        raise ZhuqiError("bad_action", _("Unknown action."))
