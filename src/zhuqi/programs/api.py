"""Programme endpoints (session sign-in; no token scope: no machine client runs a selection). Thin:
parse, call a selector or a service, answer. An application outside the caller's scope — for an
expert, one it was not drawn for — answers 404."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhuqi.core import permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Id, Key, Period, SearchText, Year, column, text, whole
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.programs import selectors, services
from zhuqi.programs.models import Application, Objection, Pilot, ReviewGroup, Round, Score

router = Router(tags=["programmes"])


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    level: str
    base_year: int
    start_year: int
    end_year: int
    pilot_quota: int
    reserve_quota: int
    honorary_revenue: Decimal


class ProgrammeRoundOut(Schema):
    id: int
    programme_id: int
    name: str
    stage: str
    opens_on: str
    closes_on: str | None
    check_year: int
    tolerance_percent: Decimal

    @staticmethod
    def resolve_opens_on(r) -> str:
        return r.opens_on.isoformat()

    @staticmethod
    def resolve_closes_on(r) -> str | None:
        return r.closes_on.isoformat() if r.closes_on else None


class ProgrammeApplicationOut(Schema):
    number: str
    round_id: int
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    enterprise_class: str
    drivers: list[str]
    commitment_years: int
    state: str
    check_result: str
    check_findings: list
    desk_score: Decimal | None
    site_score: Decimal | None
    score: Decimal | None
    spread: Decimal | None
    positive_factors: list[str]
    rank: int | None
    outcome: str
    department: str | None = Field(None, alias="department.name")
    submitted_at: datetime


class ProgrammeApplicationFilters(Schema):
    state: column(Application, "state") = ""
    enterprise_class: column(Application, "enterprise_class") = ""
    q: SearchText = ""


class ProgrammeApplicationIn(Schema):
    enterprise_uscc: text(18) = Field(
        "", description="a town or department recommending names the enterprise"
    )
    enterprise_class: column(Application, "enterprise_class", min_length=1)
    drivers: text(200, min_length=1) = Field(
        ..., description="growth drivers, comma-separated, first = primary"
    )
    commitment_years: whole(3, 5)
    figures: text(2000, min_length=1) = Field(
        ..., description="declared figures as indicator@year=value, comma-separated (revenue@2015=30000000,…)"
    )
    key_introduced_project: bool = False
    summary: text(2000) = ""


class ScoreIn(Schema):
    group: Id
    marks: dict[text(40, min_length=1), Decimal] = Field(..., max_length=10)
    comment: text(500) = ""


class ScoreOut(Schema):
    application: str = Field(..., alias="application.number")
    expert: str = Field(..., alias="expert.name")
    group_id: int
    criteria: dict
    total: Decimal
    submitted_at: datetime


class DrawIn(Schema):
    name: text(100, min_length=1)
    stage: column(ReviewGroup, "stage", min_length=1)
    size: whole(1, 15)
    numbers: list[Key] = Field(default_factory=list, max_length=2000)
    seed: text(64) = ""


class GroupOut(Schema):
    id: int
    round_id: int
    name: str
    stage: str
    size: int
    seed: str
    candidates: list
    excluded: list
    experts: list[int]
    redrawn: list[int]

    @staticmethod
    def resolve_experts(g) -> list[int]:
        return sorted(g.experts.values_list("pk", flat=True))

    @staticmethod
    def resolve_redrawn(g) -> list[int]:
        return services.redraw(g)


class CountsOut(Schema):
    counts: dict[str, int]


class NoticeIn(Schema):
    starts_on: text(10, min_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")
    ends_on: text(10, min_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ObjectionOut(Schema):
    id: int
    application: str = Field(..., alias="application.number")
    raised_by: str
    decision: str


class PilotOut(Schema):
    programme_id: int
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    enterprise_class: str
    department: str = Field(..., alias="department.name")
    commitment_years: int
    start_year: int
    honorary: bool
    state: str


def _round(request, pk: int) -> Round:
    return selectors.round_get(request.user, pk)


@router.get("/programmes", response=list[ProgrammeOut])
def programme_list(request):
    return list(selectors.programmes_visible_to(request.user))


class ProgrammeRoundIn(Schema):
    name: text(100, min_length=1)
    opens_on: Period
    closes_on: Period | None = Field(None, description="empty for a reserve round, open all year")
    check_year: Year
    for_reserve: bool = False


@router.post("/programmes/{pk}/rounds", response={201: ProgrammeRoundOut})
def round_create(request, pk: Id, payload: ProgrammeRoundIn):
    """The coordinating office opens a round of the programme (seed 000 四(四): a reserve round stays
    open all year)."""
    programme = selectors.programmes_visible_to(request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    round_ = services.round_open(
        programme=programme,
        name=payload.name,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        check_year=payload.check_year,
        for_reserve=payload.for_reserve,
        acting_user=request.user,
    )
    return Status(201, round_)


@router.get("/programme-rounds/{pk}", response=ProgrammeRoundOut)
def round_detail(request, pk: Id):
    return _round(request, pk)


@router.get("/programme-rounds/{pk}/applications", response=list[ProgrammeApplicationOut])
@paginate(Page)
def application_list(request, pk: Id, filters: Query[ProgrammeApplicationFilters]):
    round_ = _round(request, pk)
    qs = selectors.applications_visible_to(request.user).filter(round=round_)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.enterprise_class:
        qs = qs.filter(enterprise_class=filters.enterprise_class)
    if filters.q:
        qs = qs.filter(enterprise__name__icontains=filters.q)
    return qs.select_related("enterprise", "department").order_by("number")


def _figures(text_: str) -> dict:
    figures = {}
    for part in text_.split(","):
        key, _eq, value = part.strip().partition("=")
        if key:
            figures[key.strip()] = value.strip()
    return figures


@router.post("/programme-rounds/{pk}/applications", response={201: ProgrammeApplicationOut})
def application_submit(
    request, pk: Id, payload: Form[ProgrammeApplicationIn], plan: File[UploadedFile] = None
):
    """Applies (an enterprise user, with its doubling plan) or recommends (a town or department, naming
    the enterprise by its code). Multipart: the fields and the plan file."""
    round_ = _round(request, pk)
    if payload.enterprise_uscc:
        enterprise = enterprises_visible_to(request.user).filter(uscc=payload.enterprise_uscc).first()
    else:
        enterprise = request.user.enterprise
    if enterprise is None:
        raise Http404
    application = services.application_submit(
        round_=round_,
        enterprise=enterprise,
        enterprise_class=payload.enterprise_class,
        drivers=[d.strip() for d in payload.drivers.split(",") if d.strip()],
        commitment_years=payload.commitment_years,
        figures=_figures(payload.figures),
        key_introduced_project=payload.key_introduced_project,
        summary=payload.summary,
        plan=plan,
        acting_user=request.user,
    )
    return Status(201, application)


@router.get("/programme-applications/{number}", response=ProgrammeApplicationOut)
def application_detail(request, number: Key):
    return selectors.application_get(request.user, number)


@router.post("/programme-applications/{number}/withdraw", response=ProgrammeApplicationOut)
def application_withdraw(request, number: Key):
    application = selectors.application_get(request.user, number)
    return services.application_withdraw(application=application, acting_user=request.user)


@router.get("/programme-applications/{number}/scores", response=list[ScoreOut])
def application_scores(request, number: Key):
    """The office sees every score; an expert its own."""
    application = selectors.application_get(request.user, number)
    scores = Score.objects.filter(application=application).select_related("application", "expert")
    if not permissions.has(request.user, Capability.RUN_PROGRAMMES):
        expert = selectors.expert_of(request.user)
        scores = scores.filter(expert=expert) if expert else scores.none()
    return list(scores)


@router.post("/programme-applications/{number}/scores", response={201: ScoreOut})
def score_submit(request, number: Key, payload: ScoreIn):
    application = selectors.application_get(request.user, number)
    group = ReviewGroup.objects.filter(pk=payload.group, applications=application).first()
    if group is None:
        raise Http404
    score = services.score_submit(
        group=group,
        application=application,
        marks=payload.marks,
        comment=payload.comment,
        acting_user=request.user,
    )
    return Status(201, score)


def _office_round(request, pk: int) -> Round:
    services._office(request.user)
    return _round(request, pk)


@router.post("/programme-rounds/{pk}/formal-check", response=CountsOut)
def formal_check(request, pk: Id):
    return {"counts": services.formal_check_run(round_=_office_round(request, pk), acting_user=request.user)}


@router.post("/programme-rounds/{pk}/cross-check", response=CountsOut)
def cross_check(request, pk: Id):
    flags = services.cross_check_run(round_=_office_round(request, pk), acting_user=request.user)
    return {"counts": {"open": flags}}


@router.post("/programme-rounds/{pk}/groups", response={201: GroupOut})
def group_draw(request, pk: Id, payload: DrawIn):
    round_ = _office_round(request, pk)
    qs = Application.objects.filter(round=round_, state=Application.State.IN_REVIEW).select_related(
        "enterprise"
    )
    if payload.numbers:
        qs = qs.filter(number__in=payload.numbers)
    group = services.group_draw(
        round_=round_,
        name=payload.name,
        stage=payload.stage,
        size=payload.size,
        applications=list(qs[:2000]),
        seed=payload.seed or None,
        acting_user=request.user,
    )
    return Status(201, group)


@router.get("/programme-groups/{pk}", response=GroupOut)
def group_detail(request, pk: Id):
    services._office(request.user)
    group = ReviewGroup.objects.filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


@router.post("/programme-rounds/{pk}/proposal", response=CountsOut)
def proposal(request, pk: Id):
    return {"counts": services.proposal_make(round_=_office_round(request, pk), acting_user=request.user)}


@router.get("/programme-rounds/{pk}/ranking", response=list[ProgrammeApplicationOut])
@paginate(Page)
def ranking(request, pk: Id):
    round_ = _round(request, pk)
    return (
        selectors.applications_visible_to(request.user)
        .filter(round=round_, rank__isnull=False)
        .select_related("enterprise", "department")
        .order_by("drivers", "rank", "number")
    )


@router.post("/programme-rounds/{pk}/notice", response=ProgrammeRoundOut)
def notice(request, pk: Id, payload: NoticeIn):
    try:
        starts, ends = date.fromisoformat(payload.starts_on), date.fromisoformat(payload.ends_on)
    except ValueError:
        raise ZhuqiError(
            "notice_period", _("Give the first and last day of the notice."), status=422
        ) from None
    return services.notice_start(
        round_=_office_round(request, pk), starts_on=starts, ends_on=ends, acting_user=request.user
    )


@router.get("/programme-rounds/{pk}/objections", response=list[ObjectionOut])
def objections(request, pk: Id):
    round_ = _office_round(request, pk)
    return list(Objection.objects.filter(application__round=round_).select_related("application"))


@router.post("/programme-rounds/{pk}/publish", response=CountsOut)
def publish(request, pk: Id):
    return {"counts": services.round_publish(round_=_office_round(request, pk), acting_user=request.user)}


class PilotFilters(Schema):
    state: column(Pilot, "state") = ""
    enterprise_class: column(Pilot, "enterprise_class") = ""


@router.get("/programme-pilots", response=list[PilotOut])
@paginate(Page)
def pilot_list(request, filters: Query[PilotFilters]):
    qs = selectors.pilots_visible_to(request.user).select_related("enterprise", "department")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.enterprise_class:
        qs = qs.filter(enterprise_class=filters.enterprise_class)
    return qs.order_by("programme_id", "enterprise__name", "pk")
