"""Scoped reads of surveys and assessments, shared by pages, API, exports and briefings.

Scores are computed in the database: per department and aspect the mean of the item scores (1–5) and
the number of answers (enterprises that rated the department); a score reads 0–100 as mean × 20.
A department's scores are shown only from MIN_ANSWERS answers on (`ZHUQI_SURVEY_MIN_ANSWERS`, 5), to
everyone, so that no single enterprise's answer can be read off a score.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from zhuqi.assessment.models import Answer, Assessment, AssessmentState, Campaign, Row
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Town

CENT = Decimal("0.01")
# Dated parameters: key → (label, (lowest, highest)). Weights are percentages.
PARAMETERS = {
    "resolution_target": (_("Resolution rate target"), (Decimal(0), Decimal(1))),
    "aspect_floor": (_("Aspect score below which a supervision item opens"), (Decimal(0), Decimal(100))),
    "weight_survey": (_("Default weight of the survey (%)"), (Decimal(0), Decimal(100))),
    "weight_resolution": (_("Default weight of the resolution rate (%)"), (Decimal(0), Decimal(100))),
    "weight_on_time": (_("Default weight of the on-time rate (%)"), (Decimal(0), Decimal(100))),
    "weight_satisfaction": (_("Default weight of the satisfaction rate (%)"), (Decimal(0), Decimal(100))),
    "weight_reopen": (_("Default weight of the reopen rate (%)"), (Decimal(0), Decimal(100))),
}


def min_answers() -> int:
    return settings.ZHUQI_SURVEY_MIN_ANSWERS


def score_of(mean) -> Decimal | None:
    """A mean of 1–5 scores as 0–100 (× 20), to the hundredth, half up."""
    if mean is None:
        return None
    return (Decimal(str(mean)) * 20).quantize(CENT, rounding=ROUND_HALF_UP)


def departments_seen_by(user):
    """The departments whose scores the user may read: all, or its own department (a handler), or its
    town's departments (a town officer); nothing for anyone else."""
    if permissions.has(user, Capability.READ_ALL_ASSESSMENTS):
        return Department.objects.all()
    if permissions.has(user, Capability.READ_OWN_ASSESSMENT):
        if user.department_id:
            return Department.objects.filter(pk=user.department_id)
        if user.town_id:
            return Department.objects.filter(town_id=user.town_id)
    return Department.objects.none()


def may_read_scores(user) -> bool:
    return permissions.has(user, Capability.READ_ALL_ASSESSMENTS) or permissions.has(
        user, Capability.READ_OWN_ASSESSMENT
    )


def campaigns_visible_to(user):
    if permissions.has(user, Capability.RUN_ASSESSMENTS) or may_read_scores(user):
        return Campaign.objects.select_related("questionnaire")
    if permissions.has(user, Capability.ANSWER_SURVEYS) and user.enterprise_id:
        return Campaign.objects.filter(invitations__enterprise_id=user.enterprise_id).select_related(
            "questionnaire"
        )
    return Campaign.objects.none()


def campaign_get(user, campaign_id: int) -> Campaign:
    found = campaigns_visible_to(user).filter(pk=campaign_id).first() if 0 < campaign_id < 2**63 else None
    if found is None:
        raise NotFound("campaign_not_found", _("No such survey campaign."))
    return found


def aspect_scores(campaign: Campaign, departments=None) -> list[dict]:
    """Per department and aspect: answers (enterprises), mean × 20, and whether it is hidden (fewer
    answers than MIN_ANSWERS). One aggregate query."""
    answers = Answer.objects.filter(response__campaign=campaign)
    if departments is not None:
        answers = answers.filter(response__department__in=departments)
    rows = (
        answers.order_by()
        .values("response__department_id", "item__aspect_id")
        .annotate(mean=Avg("score"), answers=Count("response_id", distinct=True))
    )
    floor = min_answers()
    return [
        {
            "department_id": r["response__department_id"],
            "aspect_id": r["item__aspect_id"],
            "answers": r["answers"],
            "hidden": r["answers"] < floor,
            "score": None if r["answers"] < floor else score_of(r["mean"]),
        }
        for r in rows
    ]


def department_answers(campaign: Campaign, departments=None) -> dict[int, int]:
    """{department id: number of enterprises that rated it}."""
    responses = campaign.responses.all()
    if departments is not None:
        responses = responses.filter(department__in=departments)
    return dict(
        responses.order_by().values("department_id").annotate(n=Count("id")).values_list("department_id", "n")
    )


def score_table(user, campaign: Campaign) -> dict:
    """What a page, the API and the export show of a campaign's scores to `user`: per department its
    answers, its score per aspect and overall (the mean of its aspects), hidden below MIN_ANSWERS."""
    departments = departments_seen_by(user)
    aspects = list(campaign.questionnaire.aspects.filter(retired=False))
    by_department: dict[int, dict] = defaultdict(dict)
    for row in aspect_scores(campaign, departments):
        by_department[row["department_id"]][row["aspect_id"]] = row["score"]
    answers = department_answers(campaign, departments)
    names = {d.pk: d for d in departments.filter(pk__in=answers)}
    floor = min_answers()
    rows = []
    for dept_id, n in answers.items():
        shown = n >= floor
        per_aspect = [by_department[dept_id].get(a.pk) if shown else None for a in aspects]
        present = [s for s in per_aspect if s is not None]
        overall = (sum(present) / len(present)).quantize(CENT, rounding=ROUND_HALF_UP) if present else None
        rows.append(
            {
                "department": names[dept_id],
                "answers": n,
                "hidden": not shown,
                "aspects": per_aspect,
                "score": overall,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), str(r["department"])))
    return {"aspects": aspects, "rows": rows, "min_answers": floor}


def survey_scores(campaign: Campaign) -> tuple[dict[int, Decimal | None], dict[int, int]]:
    """For the assessment: {department id: overall score or None when hidden}, {department id: answers}."""
    per: dict[int, list] = defaultdict(list)
    for row in aspect_scores(campaign):
        if not row["hidden"]:
            per[row["department_id"]].append(row["score"])
    answers = department_answers(campaign)
    scores = {
        d: (sum(per[d]) / len(per[d])).quantize(CENT, rounding=ROUND_HALF_UP) if per.get(d) else None
        for d in answers
    }
    return scores, answers


# --- Assessments ------------------------------------------------------------------------------


def assessments_visible_to(user):
    if permissions.has(user, Capability.RUN_ASSESSMENTS) or permissions.has(
        user, Capability.READ_ALL_ASSESSMENTS
    ):
        return Assessment.objects.all()
    if permissions.has(user, Capability.READ_OWN_ASSESSMENT):
        return Assessment.objects.filter(state=AssessmentState.PUBLISHED)
    return Assessment.objects.none()


def assessment_get(user, period: str) -> Assessment:
    found = assessments_visible_to(user).filter(period=period[:8]).first()
    if found is None:
        raise NotFound("assessment_not_found", _("No such assessment."))
    return found


def ranking(assessment: Assessment, subject: str | None = None):
    rows = Row.objects.filter(assessment=assessment).select_related("department", "town")
    if subject:
        rows = rows.filter(subject=subject)
    return rows.order_by("subject", F("rank").asc(nulls_last=True), "id")


def towns_without_row(assessment: Assessment) -> list[str]:
    """The names of the towns the assessment has no row for (nothing to score them on), in code order."""
    ranked = Row.objects.filter(assessment=assessment, subject=Row.Subject.TOWN).values("town_id")
    return list(Town.objects.exclude(pk__in=ranked).order_by("code").values_list("name", flat=True))


def surveys_to_answer(user):
    """The open campaigns that ask the user's enterprise and that it has not answered yet: the home
    page's queue and the survey list's "to answer" filter (the same query)."""
    if not (permissions.has(user, Capability.ANSWER_SURVEYS) and user.enterprise_id):
        return Campaign.objects.none()
    from zhuqi.assessment.models import CampaignState, Invitation

    waiting = Invitation.objects.filter(
        campaign_id=OuterRef("pk"), enterprise_id=user.enterprise_id, answered_on__isnull=True
    )
    return Campaign.objects.filter(Exists(waiting), state=CampaignState.OPEN).select_related("questionnaire")


def work_counts(user) -> dict[str, int]:
    """An enterprise's open surveys not yet answered (the home page's queue): one count."""
    if not (permissions.has(user, Capability.ANSWER_SURVEYS) and user.enterprise_id):
        return {}
    return {"surveys": surveys_to_answer(user).count()}
