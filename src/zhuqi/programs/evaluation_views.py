"""Pages of the annual evaluation: the list (with the run form), one evaluation with its items, the
steps its state allows (evaluation_lifecycle.offered) and the office's per-item records."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.models import Attachment
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.programs import evaluation as ev
from zhuqi.programs import evaluation_lifecycle
from zhuqi.programs import monitoring_selectors as sel
from zhuqi.programs.evaluation_models import EvaluationItem, Proposal
from zhuqi.programs.models import Programme
from zhuqi.programs.monitoring_views import _int, _queue, _require


@login_required
def evaluation_list(request):
    _require(request, Capability.FOLLOW_PILOTS)
    evaluations = sel.evaluations_visible_to(request.user).select_related("programme").order_by("-year", "id")
    page = list_page(request, evaluations, 25)
    return render(
        request,
        "pilots/evaluation_list.html",
        {
            "page": page,
            "programmes": Programme.objects.order_by("level", "code"),
            "may_run": permissions.has(request.user, Capability.EVALUATE_PILOTS),
            "last_year": timezone.localdate().year - 1,
        },
    )


@login_required
@require_POST
def evaluation_run(request):
    _require(request, Capability.EVALUATE_PILOTS)
    programme = Programme.objects.filter(pk=_int(request.POST.get("programme"), 1, 10**9)).first()
    year = _int(request.POST.get("year"), 2000, 2100)
    if programme is None or year is None:
        messages.error(request, _("Choose a programme and a year."))
        return redirect("pilots:evaluation_list")
    try:
        evaluation = ev.evaluation_run(programme=programme, year=year, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("pilots:evaluation_list")
    return redirect("pilots:evaluation_detail", evaluation.pk)


def _evaluation(request, pk):
    _require(request, Capability.FOLLOW_PILOTS)
    try:
        return sel.evaluation_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def evaluation_detail(request, pk, failed=None):
    evaluation = _evaluation(request, pk)
    decision = (request.GET.get("decision") or "")[:10]
    decision = decision if decision in Proposal.values else ""
    items = sel.evaluation_items(request.user, evaluation, decision=decision)
    page = list_page(request, items, 50)
    files = {}
    for attachment in Attachment.objects.filter(
        object_type="evaluation_item", object_id__in=[str(i.pk) for i in page]
    ).order_by("id"):
        files.setdefault(int(attachment.object_id), []).append(attachment)
    steps = evaluation_lifecycle.offered(request.user, evaluation)
    return render(
        request,
        "pilots/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "page": page,
            "files": files,
            "counts": ev.counts(evaluation.items.only("decision")),
            "decision": decision,
            "decisions": Proposal.choices,
            "steps": steps,
            "may_amend": "amend"
            in [s.name for s in evaluation_lifecycle.STEPS.values() if s.allows(request.user, evaluation)],
            "trail": audit.trail(evaluation)[:20],
            "today": timezone.localdate(),
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def evaluation_export(request, pk):
    evaluation = _evaluation(request, pk)
    return _queue(request, "export.pilot_evaluation", {"evaluation": evaluation.pk})


def _date(value) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


@login_required
@require_POST
def evaluation_step(request, pk, step):
    evaluation = _evaluation(request, pk)
    if step not in evaluation_lifecycle.STEPS or step == "amend":
        raise Http404
    on = _date(request.POST.get("on")) or timezone.localdate()
    text = (request.POST.get("text") or "")[:500]
    try:
        if step == "rerun":
            ev.evaluation_run(programme=evaluation.programme, year=evaluation.year, acting_user=request.user)
        elif step == "propose":
            ev.evaluation_propose(
                evaluation=evaluation, committee_note=text, proposed_on=on, acting_user=request.user
            )
        elif step == "return":
            ev.evaluation_return(evaluation=evaluation, note=text, acting_user=request.user)
        else:
            ev.evaluation_approve(
                evaluation=evaluation, approval_document=text[:100], approved_on=on, acting_user=request.user
            )
    except ZhuqiError as exc:
        return evaluation_detail(request, pk, failed=exc.message)
    messages.success(request, _("Saved."))
    return redirect("pilots:evaluation_detail", pk)


@login_required
@require_POST
def item_amend(request, pk, item):
    evaluation = _evaluation(request, pk)
    found = EvaluationItem.objects.filter(pk=item, evaluation=evaluation).first()
    if found is None:
        raise Http404
    flag = {"1": True, "0": False}
    try:
        ev.item_amend(
            item=found,
            acting_user=request.user,
            assessment=(request.POST.get("assessment") or "")[:20],
            assessment_note=(request.POST.get("assessment_note") or "")[:300],
            upload=request.FILES.get("file"),
            dishonest=flag.get(request.POST.get("dishonest", "")),
            dishonesty_note=(request.POST.get("dishonesty_note") or "")[:300],
            reenter=flag.get(request.POST.get("reenter", "")),
            decision=(request.POST.get("decision") or "")[:10],
            decision_note=(request.POST.get("decision_note") or "")[:300],
        )
    except ZhuqiError as exc:
        return evaluation_detail(request, pk, failed=exc.message)
    messages.success(request, _("Saved."))
    return redirect("pilots:evaluation_detail", pk)


@login_required
def item_file(request, pk, item, file):
    """A third-party assessment's file, to those who may see the item (its evaluation and pilot)."""
    evaluation = _evaluation(request, pk)
    if not sel.evaluation_items(request.user, evaluation).filter(pk=item).exists():
        raise Http404
    try:
        found = stored_files.get("evaluation_item", item, file)
    except NotFound as exc:
        raise Http404 from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
