"""Survey and assessment endpoints. Thin: parse, call a selector or a service, answer.

A department reads scores only: never a response, an enterprise, or a score from fewer than
ZHUQI_SURVEY_MIN_ANSWERS answers."""

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from zhuqi.assessment import exports, questionnaire, scoring, selectors, services
from zhuqi.assessment.models import Campaign, Parameter
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import xlsx_response
from zhuqi.core.schemas import Id, Key, Period, column, text, whole
from zhuqi.directory.selectors import department_by_code

router = Router(tags=["assessment"])

PeriodCode = text(8, min_length=4, pattern=r"^[0-9]{4}([QqHhMm-][0-9]{1,2})?$")
Weight = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class SurveyItemOut(Schema):
    code: str
    text: str
    text_source: str


class SurveyAspectOut(Schema):
    code: str
    name: str
    text_source: str
    items: list[SurveyItemOut]


class QuestionnaireOut(Schema):
    code: str
    title: str
    source: str
    version: int
    aspects: list[SurveyAspectOut]


class QuestionnaireIn(Schema):
    document: text(questionnaire.MAX_DOCUMENT, min_length=1)


def _questionnaire_out(q) -> dict:
    aspects = []
    for a in q.aspects.filter(retired=False).prefetch_related("items"):
        items = [i for i in a.items.all() if not i.retired]
        aspects.append(
            {
                "code": a.code,
                "name": a.name,
                "text_source": a.text_source,
                "items": [{"code": i.code, "text": i.text, "text_source": i.text_source} for i in items],
            }
        )
    return {"code": q.code, "title": q.title, "source": q.source, "version": q.version, "aspects": aspects}


@router.get("/questionnaire", response=QuestionnaireOut)
def questionnaire_get(request):
    """The questionnaire campaigns ask (aspects and items; each text says whether it is the seed's)."""
    found = questionnaire.current()
    if found is None:  # nothing imported yet: the shipped file as it reads (version 0), never a 404
        data = questionnaire.parse(
            (questionnaire.SHIPPED / f"{questionnaire.DEFAULT_CODE}.yaml").read_text("utf-8")
        )
        aspects = [
            {
                "code": a["code"],
                "name": a["name"],
                "text_source": a["source"],
                "items": [
                    {"code": i["code"], "text": i["text"], "text_source": i["source"]} for i in a["items"]
                ],
            }
            for a in data["aspects"]
        ]
        return {
            "code": data["code"],
            "title": data["title"],
            "source": data["source"],
            "version": 0,
            "aspects": aspects,
        }
    return _questionnaire_out(found)


@router.put("/questionnaire", response=QuestionnaireOut)
def questionnaire_put(request, payload: QuestionnaireIn):
    """Imports an edited questionnaire (YAML, the layout of the shipped file)."""
    return _questionnaire_out(
        questionnaire.questionnaire_import(document=payload.document, acting_user=request.user)
    )


class SurveyCampaignIn(Schema):
    title: column(Campaign, "title", min_length=1)
    period: PeriodCode
    deadline: Period
    sample_size: whole(1, 100_000) | None = services.DEFAULT_SAMPLE
    sample_seed: whole(0, 2**62) | None = None
    remind_days: whole(0, 60) = 3


class SurveyCampaignOut(Schema):
    id: int
    title: str
    period: str
    state: str
    deadline: date
    sample_size: int | None
    sample_seed: int
    remind_days: int
    invited: int
    answered: int

    @staticmethod
    def resolve_invited(obj) -> int:
        return obj.invitations.count()

    @staticmethod
    def resolve_answered(obj) -> int:
        return obj.invitations.filter(answered_on__isnull=False).count()


@router.get("/survey-campaigns", response=list[SurveyCampaignOut])
def campaign_list(request):
    return list(selectors.campaigns_visible_to(request.user)[:200])


@router.post("/survey-campaigns", response={201: SurveyCampaignOut})
def campaign_create(request, payload: SurveyCampaignIn):
    return Status(201, services.campaign_create(acting_user=request.user, **payload.dict()))


@router.get("/survey-campaigns/{campaign_id}", response=SurveyCampaignOut)
def campaign_detail(request, campaign_id: Id):
    return selectors.campaign_get(request.user, campaign_id)


class SurveyScoreRowOut(Schema):
    department_code: str
    department: str
    answers: int
    hidden: bool
    score: Decimal | None
    aspects: dict[str, Decimal | None]


class SurveyScoresOut(Schema):
    min_answers: int
    rows: list[SurveyScoreRowOut]


@router.get("/survey-campaigns/{campaign_id}/scores", response=SurveyScoresOut)
def campaign_scores(request, campaign_id: Id):
    """Scores per department and aspect with the number of answers; who answered is never given."""
    campaign = selectors.campaign_get(request.user, campaign_id)
    if not selectors.may_read_scores(request.user):
        raise NotFound("campaign_not_found", _("No such survey campaign."))
    table = selectors.score_table(request.user, campaign)
    return {
        "min_answers": table["min_answers"],
        "rows": [
            {
                "department_code": r["department"].code,
                "department": str(r["department"]),
                "answers": r["answers"],
                "hidden": r["hidden"],
                "score": r["score"],
                "aspects": {a.code: s for a, s in zip(table["aspects"], r["aspects"], strict=True)},
            }
            for r in table["rows"]
        ],
    }


@router.get("/survey-campaigns/{campaign_id}/scores.xlsx", response={200: None})
def campaign_scores_export(request, campaign_id: Id) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, campaign_id)
    if not selectors.may_read_scores(request.user):
        raise NotFound("campaign_not_found", _("No such survey campaign."))
    return xlsx_response(exports.scores_xlsx(request.user, campaign), f"survey-{campaign.pk}.xlsx")


class SurveyAnswerIn(Schema):
    department_code: Key
    scores: dict[text(64, min_length=1), whole(1, 5)] = Field(..., max_length=200)
    comment: text(2000) = ""


@router.post("/survey-campaigns/{campaign_id}/answers", response={201: None})
def campaign_answer(request, campaign_id: Id, payload: SurveyAnswerIn):
    """The enterprise's rating of one department (item code → 1–5). Nothing identifying is kept with it."""
    campaign = selectors.campaign_get(request.user, campaign_id)
    services.survey_answer(
        campaign=campaign,
        acting_user=request.user,
        department=department_by_code(payload.department_code),
        scores=payload.scores,
        comment=payload.comment,
    )
    return Status(201, None)


CAMPAIGN_ACTIONS = {
    "open": services.campaign_open,
    "remind": services.campaign_remind,
    "close": services.campaign_close,
}


@router.post("/survey-campaigns/{campaign_id}/{action}", response=SurveyCampaignOut)
def campaign_action(request, campaign_id: Id, action: Key):
    """open (draw the sample, invite), remind (once each), close (opens supervision items)."""
    campaign = selectors.campaign_get(request.user, campaign_id)
    if action not in CAMPAIGN_ACTIONS:
        raise NotFound("unknown_action", _("Unknown action."))
    CAMPAIGN_ACTIONS[action](campaign=campaign, acting_user=request.user)
    return selectors.campaign_get(request.user, campaign_id)


class AssessmentWeightsIn(Schema):
    survey: Decimal = Weight
    resolution: Decimal = Weight
    on_time: Decimal = Weight
    satisfaction: Decimal = Weight
    reopen: Decimal = Weight


class AssessmentIn(Schema):
    period: PeriodCode
    weights: AssessmentWeightsIn | None = None
    campaign_id: Id | None = None
    best_count: whole(0, 50) | None = None
    worst_count: whole(0, 50) | None = None


class AssessmentRowOut(Schema):
    subject: str
    code: str
    name: str
    appeals: int
    answers: int
    survey_score: Decimal | None
    resolution_rate: Decimal | None
    on_time_rate: Decimal | None
    satisfaction_rate: Decimal | None
    reopen_rate: Decimal | None
    total: Decimal | None
    rank: int | None
    mark: str

    @staticmethod
    def resolve_code(obj) -> str:
        return (obj.department or obj.town).code


class AssessmentOut(Schema):
    period: str
    state: str
    start: date
    end: date
    weights: dict[str, Decimal]
    resolution_target: Decimal
    best_count: int
    worst_count: int
    campaign_id: int | None
    rows: list[AssessmentRowOut]

    @staticmethod
    def resolve_weights(obj) -> dict:
        return obj.weights()

    @staticmethod
    def resolve_rows(obj) -> list:
        return list(selectors.ranking(obj))


class AssessmentSummaryOut(Schema):
    period: str
    state: str
    start: date
    end: date


@router.get("/assessments", response=list[AssessmentSummaryOut])
def assessment_list(request):
    return list(selectors.assessments_visible_to(request.user)[:200])


@router.post("/assessments", response={201: AssessmentOut})
def assessment_compute(request, payload: AssessmentIn):
    """Computes (or recomputes, while a draft) a period's assessment; weights are percentages summing to 100."""
    campaign = None
    if payload.campaign_id:
        campaign = selectors.campaign_get(request.user, payload.campaign_id)
    weights = payload.weights.dict() if payload.weights else None
    found = scoring.assessment_compute(
        period=payload.period,
        acting_user=request.user,
        weights=weights,
        campaign=campaign,
        best_count=payload.best_count,
        worst_count=payload.worst_count,
    )
    return Status(201, found)


@router.get("/assessments/{period}", response=AssessmentOut)
def assessment_detail(request, period: PeriodCode):
    return selectors.assessment_get(request.user, period)


@router.get("/assessments/{period}/export.xlsx", response={200: None})
def assessment_export(request, period: PeriodCode) -> HttpResponse:
    found = selectors.assessment_get(request.user, period)
    return xlsx_response(exports.assessment_xlsx(found), f"assessment-{found.period}.xlsx")


@router.post("/assessments/{period}/publish", response=AssessmentOut)
def assessment_publish(request, period: PeriodCode):
    found = selectors.assessment_get(request.user, period)
    return scoring.assessment_publish(assessment=found, acting_user=request.user)


class AssessmentParameterIn(Schema):
    key: column(Parameter, "key", min_length=1)
    value: column(Parameter, "value")
    valid_from: Period
    source: column(Parameter, "source") = ""


class AssessmentParameterOut(Schema):
    key: str
    value: Decimal
    valid_from: date
    source: str


@router.get("/assessment-parameters", response=list[AssessmentParameterOut])
def parameter_list(request):
    if not selectors.may_read_scores(request.user) and not services.permissions.has(
        request.user, services.Capability.RUN_ASSESSMENTS
    ):
        raise ZhuqiError("forbidden", _("You may not do this."), status=403)
    return list(Parameter.objects.all())


@router.put("/assessment-parameters", response=AssessmentParameterOut)
def parameter_put(request, payload: AssessmentParameterIn):
    """Sets a dated parameter (the resolution target, the aspect floor, a default weight)."""
    return services.parameter_set(acting_user=request.user, **payload.dict())
