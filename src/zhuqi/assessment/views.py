"""Survey and assessment pages. Thin: parse, call a selector or a service, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.assessment import exports, lifecycle, periods, questionnaire, scoring, selectors, services
from zhuqi.assessment.models import Row, SupervisionItem
from zhuqi.assessment.supervision import task_states
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import xlsx_response
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole

SCORES = [(5, "很满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "很不满意")]


def _may_see_surveys(user) -> bool:
    return (
        permissions.has(user, Capability.RUN_ASSESSMENTS)
        or selectors.may_read_scores(user)
        or permissions.has(user, Capability.ANSWER_SURVEYS)
    )


def _campaign(request, pk):
    try:
        return selectors.campaign_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def campaign_list(request):
    if not _may_see_surveys(request.user):
        raise Http404
    todo = request.GET.get("todo") == "1"  # an enterprise's open surveys not yet answered (its home's queue)
    found = (
        selectors.surveys_to_answer(request.user) if todo else selectors.campaigns_visible_to(request.user)
    )
    campaigns = list(found.distinct()[:100])
    answered = set()
    if permissions.has(request.user, Capability.ANSWER_SURVEYS) and request.user.enterprise_id:
        answered = set(
            request.user.enterprise.survey_invitations.filter(answered_on__isnull=False).values_list(
                "campaign_id", flat=True
            )
        )
    return render(
        request,
        "assessment/campaign_list.html",
        {
            "campaigns": campaigns,
            "answered": answered,
            "todo": todo,
            "may_run": permissions.has(request.user, Capability.RUN_ASSESSMENTS),
            "default_sample": services.DEFAULT_SAMPLE,
            "periods": periods.recent(("quarter", "half"), date.today()),
            "chosen": periods.recent(("quarter",), date.today())[0][1][0][0],  # the quarter in progress
        },
    )


@login_required
@require_POST
def campaign_new(request):
    if not permissions.has(request.user, Capability.RUN_ASSESSMENTS):
        raise Http404
    try:
        deadline = date.fromisoformat(request.POST.get("deadline", "")[:10])
    except ValueError:
        messages.error(request, _("Choose a deadline."))
        return redirect("assessment:campaigns")
    size = request.POST.get("sample_size", "").strip()
    try:
        campaign = services.campaign_create(
            title=request.POST.get("title", "")[:200],
            period=request.POST.get("period", "")[:8],
            deadline=deadline,
            sample_size=parse_whole(size, 1, 100_000) if size else None,
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessment:campaigns")
    return redirect("assessment:campaign_detail", campaign.pk)


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    user = request.user
    if not (permissions.has(user, Capability.RUN_ASSESSMENTS) or selectors.may_read_scores(user)):
        return redirect("assessment:answer", pk)
    table = selectors.score_table(user, campaign)
    supervision = list(
        SupervisionItem.objects.filter(
            campaign=campaign, department__in=selectors.departments_seen_by(user)
        ).select_related("department", "aspect")
    )
    tasks = task_states(supervision, user)
    return render(
        request,
        "assessment/campaign_detail.html",
        {
            "campaign": campaign,
            "table": table,
            "actions": lifecycle.offered(
                {k: v for k, v in lifecycle.CAMPAIGN_STEPS.items() if k != "answer"}, user, campaign
            ),
            "invited": campaign.invitations.count(),
            "answered": campaign.invitations.filter(answered_on__isnull=False).count(),
            "supervision": [(s, tasks.get(s.pk)) for s in supervision],
            "may_run": permissions.has(user, Capability.RUN_ASSESSMENTS),
        },
    )


@login_required
def campaign_export(request, pk):
    campaign = _campaign(request, pk)
    if not selectors.may_read_scores(request.user):
        raise Http404
    return xlsx_response(exports.scores_xlsx(request.user, campaign), f"survey-{campaign.pk}.xlsx")


ACTIONS = {
    "open": services.campaign_open,
    "remind": services.campaign_remind,
    "close": services.campaign_close,
}


@login_required
@require_POST
def campaign_action(request, pk, action):
    campaign = _campaign(request, pk)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](campaign=campaign, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done."))
    return redirect("assessment:campaign_detail", pk)


@login_required
def answer(request, pk):
    """The enterprise's survey page (phone first): choose a department, score the items, send."""
    campaign = _campaign(request, pk)
    user = request.user
    if not lifecycle.RESPONDENT(user, campaign):
        raise Http404
    items = list(questionnaire.active_items(campaign.questionnaire).select_related("aspect"))
    departments = list(services.rateable_departments(user.enterprise))
    errors, status = [], 200
    if request.method == "POST":
        scores = {}
        for item in items:
            value = parse_whole(request.POST.get(f"item-{item.pk}"), 1, 5)
            if value is not None:
                scores[item.code] = value
        department = next(
            (d for d in departments if str(d.pk) == request.POST.get("department", "")[:20]), None
        )
        try:
            if department is None:
                raise ZhuqiError("no_department", _("Choose the department you rate."), status=422)
            services.survey_answer(
                campaign=campaign,
                acting_user=user,
                department=department,
                scores=scores,
                comment=request.POST.get("comment", "")[:2000],
            )
        except ZhuqiError as exc:
            errors.append(str(exc.message))
            status = 422
        else:
            messages.success(request, _("Thank you. You may rate another department."))
            return redirect("assessment:answer", pk)
    aspects = []
    for item in items:
        if not aspects or aspects[-1][0] != item.aspect:
            aspects.append((item.aspect, []))
        aspects[-1][1].append(item)
    invitation = campaign.invitations.filter(enterprise_id=user.enterprise_id).first()
    return render(
        request,
        "assessment/answer.html",
        {
            "campaign": campaign,
            "aspects": aspects,
            "departments": departments,
            "scores": SCORES,
            "errors": errors,
            "invitation": invitation,
            "open": lifecycle.CAMPAIGN_STEPS["answer"].allows(user, campaign),
        },
        status=status,
    )


# --- Assessments ------------------------------------------------------------------------------


def _may_see_assessments(user) -> bool:
    return permissions.has(user, Capability.RUN_ASSESSMENTS) or selectors.may_read_scores(user)


@login_required
def assessment_list(request):
    if not _may_see_assessments(request.user):
        raise Http404
    return render(
        request,
        "assessment/assessment_list.html",
        {
            "assessments": selectors.assessments_visible_to(request.user)[:100],
            "may_run": permissions.has(request.user, Capability.RUN_ASSESSMENTS),
            "weights": _default_weights(),
            # Chosen from a list, not typed as a code (2026Q3): the last quarter that has ended first.
            "periods": periods.recent(("quarter", "half"), date.today()),
            "chosen": periods.recent(("quarter",), date.today())[0][1][1][0],
        },
    )


def _default_weights():
    try:
        return scoring.default_weights(date.today())
    except NotFound:
        return {}


@login_required
@require_POST
def assessment_new(request):
    if not permissions.has(request.user, Capability.RUN_ASSESSMENTS):
        raise Http404
    weights = {c: request.POST.get(f"w_{c}", "")[:8] for c in scoring.COMPONENTS}
    try:
        parsed = {}
        for name, value in weights.items():
            whole = parse_whole(value, 0, 100)
            if whole is None:
                raise ZhuqiError(
                    "bad_weight", _("Each weight is a whole percentage from 0 to 100."), status=422
                )
            parsed[name] = whole
        found = scoring.assessment_compute(
            period=request.POST.get("period", "")[:8], acting_user=request.user, weights=parsed
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessment:assessments")
    return redirect("assessment:assessment_detail", found.period)


def _assessment(request, period):
    try:
        return selectors.assessment_get(request.user, period)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def assessment_detail(request, period):
    found = _assessment(request, period)
    rows = list(selectors.ranking(found))
    towns = [r for r in rows if r.subject == Row.Subject.TOWN]
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "assessment": found,
            "departments": [r for r in rows if r.subject == Row.Subject.DEPARTMENT],
            "towns": towns,
            # A town with neither appeals nor survey answers in the period has nothing to be scored
            # on: named under the table, so that its absence is not read as an omission.
            "towns_unranked": selectors.towns_without_row(found),
            "actions": lifecycle.offered(lifecycle.ASSESSMENT_STEPS, request.user, found),
            "weights": found.weights(),
        },
    )


@login_required
@require_POST
def assessment_publish(request, period):
    found = _assessment(request, period)
    try:
        scoring.assessment_publish(assessment=found, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    return redirect("assessment:assessment_detail", found.period)


@login_required
def assessment_export(request, period):
    found = _assessment(request, period)
    return xlsx_response(exports.assessment_xlsx(found), f"assessment-{found.period}.xlsx")
