"""Endpoints of pilots after selection (session sign-in; no token scope): progress against the
doubling path, half-yearly reports, annual evaluations. Thin: parse, call a selector or a service,
answer; outside the caller's scope is 404."""

from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Id, Period, Year, amount, column, text, whole
from zhuqi.programs import evaluation as ev
from zhuqi.programs import monitoring, monitoring_services
from zhuqi.programs import monitoring_selectors as sel
from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem, ReportingTask
from zhuqi.programs.models import Programme

router = Router(tags=["pilots"])


def _require(request, capability) -> None:
    if not permissions.has(request.user, capability):
        raise Http404


class PilotProgressOut(Schema):
    pilot_id: int
    enterprise_uscc: str
    enterprise_name: str
    enterprise_class: str
    department: str
    commitment_years: int
    state: str
    base_year: int
    base_revenue: Decimal | None
    revenue: Decimal | None
    base_tax: Decimal | None
    tax: Decimal | None
    revenue_ratio: Decimal | None
    tax_ratio: Decimal | None
    needed_ratio: Decimal
    on_path: bool | None
    doubled: bool
    land_productivity: Decimal | None
    total_assets: Decimal | None
    exports: Decimal | None
    added_value: Decimal | None


class PilotProgressFilters(Schema):
    programme: Id | None = None
    year: Year | None = None
    state: text(12) = "current"
    q: text(100) = ""


def _progress(row) -> dict:
    p, s = row["pilot"], row["standing"]
    return {
        "pilot_id": p.pk,
        "enterprise_uscc": p.enterprise.uscc,
        "enterprise_name": p.enterprise.name,
        "enterprise_class": p.enterprise_class,
        "department": p.department.code,
        "commitment_years": p.commitment_years,
        "state": p.state,
        "base_year": s.base_year,
        "base_revenue": s.base_revenue,
        "revenue": s.revenue,
        "base_tax": s.base_tax,
        "tax": s.tax,
        "revenue_ratio": s.revenue_ratio,
        "tax_ratio": s.tax_ratio,
        "needed_ratio": s.needed,
        "on_path": s.on_path,
        "doubled": s.doubled,
        "land_productivity": row["land_productivity"],
        "total_assets": row["assets"],
        "exports": row["exports"],
        "added_value": row["added_value"],
    }


@router.get("/pilot-progress", response=list[PilotProgressOut])
def pilot_progress(request, filters: Query[PilotProgressFilters], page: whole(1, 1_000_000) = 1):
    """Each pilot's main revenue and tax of the year against its base year and doubling path, with
    the auxiliary indicators; 50 a page."""
    _require(request, Capability.FOLLOW_PILOTS)
    programme = Programme.objects.filter(pk=filters.programme).first() if filters.programme else None
    year = filters.year or timezone.localdate().year - 1
    pilots = sel.pilot_list(request.user, programme=programme, state=filters.state, q=filters.q)
    start = (page - 1) * 50
    return [_progress(r) for r in monitoring.progress_rows(list(pilots[start : start + 50]), year)]


class PilotReportOut(Schema):
    id: int
    pilot_id: int
    enterprise_name: str = Field(alias="pilot.enterprise.name")
    year: int
    half: int
    issued_on: date
    due_on: date
    state: str
    overdue: bool
    figures: dict
    operating_status: str
    flags: list

    @staticmethod
    def resolve_overdue(t) -> bool:
        return t.state == "open" and t.due_on < timezone.localdate()


class PilotReportFilters(Schema):
    year: Year | None = None
    half: whole(1, 2) | None = None
    state: text(12) = ""


@router.get("/pilot-reports", response=list[PilotReportOut])
@paginate(Page)
def task_list(request, filters: Query[PilotReportFilters]):
    _require(request, Capability.FOLLOW_PILOTS)
    return sel.task_list(
        request.user, year=filters.year, half=filters.half, state=filters.state, today=timezone.localdate()
    )


def _task(request, pk: int) -> ReportingTask:
    _require(request, Capability.FOLLOW_PILOTS)
    try:
        return monitoring_services.task_get(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@router.get("/pilot-reports/{pk}", response=PilotReportOut)
def task_detail(request, pk: Id):
    return _task(request, pk)


Money = amount(18, 2, ge=None)


class PilotReportIn(Schema):
    main_revenue: Money
    tax_paid: Money
    revenue: Money | None = None
    total_profit: Money | None = None
    exports: Money | None = None
    added_value: Money | None = None
    staff: whole(0, 10_000_000) | None = None
    land_area: Money | None = None
    total_assets: Money | None = None
    operating_status: text(2000) = ""


@router.post("/pilot-reports/{pk}/submit", response=PilotReportOut)
def task_submit(request, pk: Id, payload: PilotReportIn):
    task = _task(request, pk)
    data = payload.dict()
    status = data.pop("operating_status")
    figures = {k: str(v) for k, v in data.items() if v is not None}
    return monitoring_services.task_submit(
        task=task, figures=figures, operating_status=status, acting_user=request.user
    )


class PilotReportIssueIn(Schema):
    programme: Id
    year: Year
    half: whole(1, 2)


class PilotCountOut(Schema):
    count: int


@router.post("/pilot-reports", response=PilotCountOut)
def task_issue(request, payload: PilotReportIssueIn):
    _require(request, Capability.MANAGE_GROWTH_REPORTS)
    programme = Programme.objects.filter(pk=payload.programme).first()
    if programme is None:
        raise Http404
    n = monitoring_services.tasks_issue(
        programme=programme, year=payload.year, half=payload.half, acting_user=request.user
    )
    return {"count": n}


class PilotEvaluationItemOut(Schema):
    id: int
    pilot_id: int
    enterprise_name: str = Field(alias="pilot.enterprise.name")
    base_year: int
    years: int
    commitment_years: int
    revenue_ratio: Decimal | None
    tax_ratio: Decimal | None
    needed_ratio: Decimal
    proposal: str
    reason: str
    decision: str
    decision_note: str
    assessment_feasible: bool | None
    dishonest: bool
    reenter: bool
    candidate_id: int | None
    candidate_from: str
    candidate_score: Decimal | None


class PilotEvaluationOut(Schema):
    id: int
    programme_id: int
    year: int
    state: str
    committee_note: str
    proposed_on: date | None
    approval_document: str
    approved_on: date | None
    offered: list[str]


def _evaluation_out(request, evaluation: Evaluation) -> dict:
    from zhuqi.programs import evaluation_lifecycle

    return {
        "id": evaluation.pk,
        "programme_id": evaluation.programme_id,
        "year": evaluation.year,
        "state": evaluation.state,
        "committee_note": evaluation.committee_note,
        "proposed_on": evaluation.proposed_on,
        "approval_document": evaluation.approval_document,
        "approved_on": evaluation.approved_on,
        "offered": evaluation_lifecycle.offered(request.user, evaluation),
    }


@router.get("/pilot-evaluations", response=list[PilotEvaluationOut])
def evaluation_list(request):
    _require(request, Capability.FOLLOW_PILOTS)
    return [
        _evaluation_out(request, e)
        for e in sel.evaluations_visible_to(request.user).order_by("-year", "id")[:100]
    ]


class PilotEvaluationRunIn(Schema):
    programme: Id
    year: Year


@router.post("/pilot-evaluations", response={201: PilotEvaluationOut})
def evaluation_run(request, payload: PilotEvaluationRunIn):
    _require(request, Capability.EVALUATE_PILOTS)
    programme = Programme.objects.filter(pk=payload.programme).first()
    if programme is None:
        raise Http404
    return Status(
        201,
        _evaluation_out(
            request, ev.evaluation_run(programme=programme, year=payload.year, acting_user=request.user)
        ),
    )


def _evaluation(request, pk: int) -> Evaluation:
    _require(request, Capability.FOLLOW_PILOTS)
    try:
        return sel.evaluation_get(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@router.get("/pilot-evaluations/{pk}", response=PilotEvaluationOut)
def evaluation_detail(request, pk: Id):
    return _evaluation_out(request, _evaluation(request, pk))


@router.get("/pilot-evaluations/{pk}/items", response=list[PilotEvaluationItemOut])
@paginate(Page)
def evaluation_items(request, pk: Id, decision: column(EvaluationItem, "decision") = ""):
    return sel.evaluation_items(request.user, _evaluation(request, pk), decision=decision)


class PilotEvaluationStepIn(Schema):
    note: text(500) = ""
    on: Period | None = None


@router.post("/pilot-evaluations/{pk}/propose", response=PilotEvaluationOut)
def evaluation_propose(request, pk: Id, payload: PilotEvaluationStepIn):
    evaluation = ev.evaluation_propose(
        evaluation=_evaluation(request, pk),
        committee_note=payload.note,
        proposed_on=payload.on or timezone.localdate(),
        acting_user=request.user,
    )
    return _evaluation_out(request, evaluation)


@router.post("/pilot-evaluations/{pk}/return", response=PilotEvaluationOut)
def evaluation_return(request, pk: Id, payload: PilotEvaluationStepIn):
    evaluation = ev.evaluation_return(
        evaluation=_evaluation(request, pk), note=payload.note, acting_user=request.user
    )
    return _evaluation_out(request, evaluation)


@router.post("/pilot-evaluations/{pk}/approve", response=PilotEvaluationOut)
def evaluation_approve(request, pk: Id, payload: PilotEvaluationStepIn):
    evaluation = _evaluation(request, pk)
    ev.evaluation_approve(
        evaluation=evaluation,
        approval_document=payload.note[:100],
        approved_on=payload.on or timezone.localdate(),
        acting_user=request.user,
    )
    return _evaluation_out(request, Evaluation.objects.get(pk=evaluation.pk))


class PilotEvaluationAmendIn(Schema):
    assessment: text(20) = ""
    assessment_note: text(300) = ""
    dishonest: bool | None = None
    dishonesty_note: text(300) = ""
    reenter: bool | None = None
    decision: text(10) = ""
    decision_note: text(300) = ""


@router.post("/pilot-evaluations/{pk}/items/{item}", response=PilotEvaluationItemOut)
def item_amend(request, pk: Id, item: Id, payload: PilotEvaluationAmendIn):
    evaluation = _evaluation(request, pk)
    found = sel.evaluation_items(request.user, evaluation).filter(pk=item).first()
    if found is None:
        raise Http404
    return ev.item_amend(item=found, acting_user=request.user, **payload.dict())


@router.post("/pilot-evaluations/{pk}/items/{item}/assessment", response=PilotEvaluationItemOut)
def item_assessment(
    request,
    pk: Id,
    item: Id,
    assessment: Form[str],
    file: File[UploadedFile],
    assessment_note: Form[str] = "",
):
    """The third-party assessment of a slow pilot with its report file (multipart), as the page takes
    it: `assessment` feasible or not_feasible, a note, the file (bounded and checked as every upload)."""
    evaluation = _evaluation(request, pk)
    found = sel.evaluation_items(request.user, evaluation).filter(pk=item).first()
    if found is None:
        raise Http404
    return ev.item_amend(
        item=found,
        acting_user=request.user,
        assessment=assessment[:20],
        assessment_note=assessment_note,
        upload=file,
    )
