"""Appeal pages. Thin: parse, call a selector or a service, render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhuqi.appeals import deadlines, kpis, selectors, services
from zhuqi.appeals.forms import AppealForm
from zhuqi.appeals.ledger import export_ledger
from zhuqi.appeals.models import Rating, State
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department, ServiceCategory

BUTTONS = {
    "dispatch": gettext_lazy("Dispatch"),
    "accept": gettext_lazy("Accept"),
    "return": gettext_lazy("Return as not ours"),
    "transfer": gettext_lazy("Transfer"),
    "progress": gettext_lazy("Report progress"),
    "reply": gettext_lazy("Reply"),
    "rate": gettext_lazy("Rate"),
    "escalate": gettext_lazy("Send to the coordination meeting"),
    "decide": gettext_lazy("Record the meeting's decision"),
    "withdraw": gettext_lazy("Withdraw"),
    "merge": gettext_lazy("Merge"),
    "instruct": gettext_lazy("Add an instruction (批示)"),
    "follow-up": gettext_lazy("Record a follow-up call (回访)"),
}
FILTERS = ("state", "department", "town", "category", "q", "enterprise")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _appeal(request, number):
    try:
        return selectors.appeal_get(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def appeal_list(request):
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    page = Paginator(selectors.appeal_list(request.user, **filters), 25).get_page(request.GET.get("page"))
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
        },
    )


@login_required
def appeal_export(request):
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    response = HttpResponse(export_ledger(selectors.appeal_list(request.user, **filters)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="appeal-ledger.xlsx"'
    return response


@login_required
def appeal_new(request):
    if request.user.role in ("expert", "system"):
        raise Http404
    form = AppealForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            enterprise = (
                request.user.enterprise
                if request.user.role == "enterprise"
                else directory_selectors.enterprise_get(request.user, c["enterprise_uscc"])
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
            )
        except ZhuqiError as exc:
            form.add_error(None, str(exc.message))
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
def appeal_detail(request, number):
    appeal = _appeal(request, number)
    action_names = services.actions_for(request.user, appeal)
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "warning": selectors.with_warnings([appeal])[0][1],
            "due": deadlines.active_due(appeal),
            "events": appeal.events.select_related("actor", "department"),
            "actions": [(a, BUTTONS[a]) for a in action_names],
            "action_names": action_names,
            "departments": Department.objects.all(),
            "ratings": Rating.choices,
            "coordination": appeal.coordination_items.select_related("owner"),
        },
    )


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
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done."))
    return redirect("appeals:appeal_detail", number)


@login_required
def warning_list(request):
    page = Paginator(selectors.warning_list(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "appeals/warnings.html", {"rows": page, "page": page})


@login_required
def coordination_list(request):
    page = Paginator(selectors.coordination_list(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "appeals/coordination.html", {"items": page, "page": page})


@login_required
def kpi_page(request):
    by = request.GET.get("by", "department")
    if by not in kpis.GROUPS:
        by = "department"
    scope = selectors.appeals_visible_to(request.user)
    return render(
        request,
        "appeals/kpis.html",
        {
            "by": by,
            "groups": [g for g in kpis.GROUPS if g != "all"],
            "overall": kpis.compute(scope)[0],
            "rows": kpis.compute(scope, by),
        },
    )
