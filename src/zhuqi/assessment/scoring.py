"""An assessment per period (seed 002 三(三), seed 003 三(一)3): the survey combined with the appeal
KPIs by the weights the office sets, a ranking of departments and of towns, the best and the worst
marked (评优评差).

Component scores, each 0–100:
  survey        the department's survey score (mean of its aspects, × 20), shown from MIN_ANSWERS on
  resolution    办结率 against the target in force (seed 002 总体要求: 97%): min(rate / target, 1) × 100
  on_time       按时办结率 × 100
  satisfaction  满意率 × 100
  reopen        (1 − 重办率) × 100
total = Σ weight × component / Σ weight over the components the subject has (a department with too few
survey answers, or no appeals in the period, is scored on the rest; the row says which are missing).
Weights are percentages that must sum to 100. Ranks: highest total first (equal totals share a rank).
Best and worst: `best_count` and `worst_count` of each list (3 and 3 by default), never more than half
the list each, so no subject is both.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import kpis
from zhuqi.appeals.models import Appeal
from zhuqi.assessment import lifecycle, periods, selectors, services
from zhuqi.assessment.models import Assessment, AssessmentState, Campaign, Mark, Row
from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Town

COMPONENTS = ("survey", "resolution", "on_time", "satisfaction", "reopen")
HUNDRED, CENT, RATE = Decimal(100), Decimal("0.01"), Decimal("0.0001")


def default_weights(on) -> dict[str, Decimal]:
    return {c: services.parameter(f"weight_{c}", on) for c in COMPONENTS}


def check_weights(weights: dict) -> dict[str, Decimal]:
    """Every component's weight, a percentage 0–100 with at most two decimals, summing to 100."""
    if set(weights) != set(COMPONENTS):
        raise ZhuqiError(
            "bad_weights",
            Message(_("Give a weight for each of: %(names)s."), {"names": ", ".join(COMPONENTS)}),
            status=422,
            field="weights",
        )
    clean = {}
    for name, value in weights.items():
        value = Decimal(str(value))
        if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(CENT):
            raise ZhuqiError(
                "bad_weight",
                Message(_("The weight of %(name)s is a percentage from 0 to 100."), {"name": name}),
                status=422,
                field="weights",
            )
        clean[name] = value
    if sum(clean.values()) != HUNDRED:
        raise ZhuqiError(
            "weights_sum",
            Message(
                _("The weights add up to %(sum)s%%; they must add up to 100%%."), {"sum": sum(clean.values())}
            ),
            status=422,
            field="weights",
        )
    return clean


def _rate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(RATE, rounding=ROUND_HALF_UP)


def components(row: dict, target: Decimal) -> dict[str, Decimal | None]:
    """The 0–100 score of each component from a subject's figures (None where it has none)."""

    def pct(x):
        return None if x is None else (x * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)

    resolution = row["resolution_rate"]
    return {
        "survey": row["survey_score"],
        "resolution": None if resolution is None else pct(min(resolution / target, Decimal(1))),
        "on_time": pct(row["on_time_rate"]),
        "satisfaction": pct(row["satisfaction_rate"]),
        "reopen": None if row["reopen_rate"] is None else pct(1 - row["reopen_rate"]),
    }


def total(parts: dict, weights: dict) -> Decimal | None:
    used = [(weights[c], parts[c]) for c in COMPONENTS if parts[c] is not None and weights[c] > 0]
    weight = sum(w for w, _ in used)
    if not weight:
        return None
    return (sum(w * s for w, s in used) / weight).quantize(CENT, rounding=ROUND_HALF_UP)


def rank_and_mark(rows: list[dict], best: int, worst: int) -> None:
    """Ranks rows by total (highest first; equal totals share a rank; no total: unranked) and marks
    the first `best` and the last `worst`, each at most half of the ranked rows."""
    ranked = sorted((r for r in rows if r["total"] is not None), key=lambda r: (-r["total"], r["name"]))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["total"] != previous:
            rank, previous = position, row["total"]
        row["rank"] = rank
    half = len(ranked) // 2
    for row in ranked[: min(best, half)]:
        row["mark"] = Mark.BEST
    for row in ranked[len(ranked) - min(worst, half) :]:
        row["mark"] = Mark.WORST


def _figures(kpi: dict | None) -> dict:
    kpi = kpi or {}
    return {
        "appeals": kpi.get("count", 0),
        "resolution_rate": _rate(kpi.get("resolution_rate")),
        "on_time_rate": _rate(kpi.get("on_time_rate")),
        "satisfaction_rate": _rate(kpi.get("satisfaction_rate")),
        "reopen_rate": _rate(kpi.get("reopen_rate")),
    }


def _survey_by_town(campaign: Campaign | None) -> tuple[dict, dict]:
    """A town's survey score: the answers about its town-level departments taken together."""
    if campaign is None:
        return {}, {}
    town_of = dict(Department.objects.filter(town__isnull=False).values_list("pk", "town_id"))
    towns = {}
    for dept_id in selectors.department_answers(campaign):
        if dept_id in town_of:
            towns.setdefault(town_of[dept_id], []).append(dept_id)
    scores, answers = {}, {}
    for town_id, dept_ids in towns.items():
        table = selectors.aspect_scores(campaign, Department.objects.filter(pk__in=dept_ids))
        n = sum(selectors.department_answers(campaign, Department.objects.filter(pk__in=dept_ids)).values())
        answers[town_id] = n
        shown = [r["score"] for r in table if r["score"] is not None]
        scores[town_id] = (
            (sum(shown) / len(shown)).quantize(CENT, rounding=ROUND_HALF_UP)
            if n >= selectors.min_answers() and shown
            else None
        )
    return scores, answers


def build_rows(assessment: Assessment) -> list[dict]:
    """The rows of an assessment, as plain dicts (computed, not yet stored)."""
    appeals = Appeal.objects.all()
    by_department = kpis.compute_by_key(appeals, "department_id", start=assessment.start, end=assessment.end)
    by_town = kpis.compute_by_key(appeals, "enterprise__town_id", start=assessment.start, end=assessment.end)
    survey, answers = selectors.survey_scores(assessment.campaign) if assessment.campaign else ({}, {})
    town_survey, town_answers = _survey_by_town(assessment.campaign)
    weights, target = assessment.weights(), assessment.resolution_target
    rows = []
    departments = Department.objects.filter(pk__in=set(by_department) | set(answers))
    towns = Town.objects.filter(pk__in=set(by_town) | set(town_answers))
    for subject, objects, kpi, scores, counts in (
        (Row.Subject.DEPARTMENT, departments, by_department, survey, answers),
        (Row.Subject.TOWN, towns, by_town, town_survey, town_answers),
    ):
        group = []
        for obj in objects:
            row = {
                "subject": subject,
                "object": obj,
                "name": str(obj),
                **_figures(kpi.get(obj.pk)),
                "answers": counts.get(obj.pk, 0),
                "survey_score": scores.get(obj.pk),
                "rank": None,
                "mark": Mark.NONE,
            }
            row["components"] = components(row, target)
            row["total"] = total(row["components"], weights)
            group.append(row)
        rank_and_mark(group, assessment.best_count, assessment.worst_count)
        rows += group
    return rows


def _store(assessment: Assessment) -> int:
    rows = build_rows(assessment)
    Row.objects.filter(assessment=assessment).delete()
    Row.objects.bulk_create(
        [
            Row(
                assessment=assessment,
                subject=r["subject"],
                department=r["object"] if r["subject"] == Row.Subject.DEPARTMENT else None,
                town=r["object"] if r["subject"] == Row.Subject.TOWN else None,
                appeals=r["appeals"],
                answers=r["answers"],
                survey_score=r["survey_score"],
                resolution_rate=r["resolution_rate"],
                on_time_rate=r["on_time_rate"],
                satisfaction_rate=r["satisfaction_rate"],
                reopen_rate=r["reopen_rate"],
                total=r["total"],
                rank=r["rank"],
                mark=r["mark"],
            )
            for r in rows
        ]
    )
    assessment.computed_at = timezone.now()
    assessment.save(update_fields=["computed_at"])
    return len(rows)


@transaction.atomic
def assessment_compute(
    *,
    period: str,
    acting_user,
    weights: dict | None = None,
    campaign: Campaign | None = None,
    best_count: int | None = None,
    worst_count: int | None = None,
) -> Assessment:
    """Creates (or recomputes, while a draft) the period's assessment with these weights (default: the
    dated default weights) and the resolution target in force at the period's end."""
    permissions.require(acting_user, Capability.RUN_ASSESSMENTS)
    p = periods.parse(period)
    if p.kind not in ("quarter", "half", "year"):
        raise ZhuqiError(
            "bad_period", _("Assess a quarter, a half year or a year."), status=422, field="period"
        )
    clean = check_weights(weights) if weights is not None else check_weights(default_weights(p.end))
    for name, value in (("best_count", best_count), ("worst_count", worst_count)):
        if value is not None and not 0 <= value <= 50:
            raise ZhuqiError("bad_count", _("Mark 0 to 50 as best or worst."), status=422, field=name)
    if campaign is None:
        campaign = Campaign.objects.filter(period=p.code).exclude(state="draft").order_by("-id").first()
    assessment = Assessment.objects.select_for_update().filter(period=p.code).first()
    if assessment is not None:
        lifecycle.ASSESSMENT_STEPS["compute"].check(acting_user, assessment)
    else:
        assessment = Assessment(period=p.code, start=p.start, end=p.end, created_by=acting_user)
    assessment.campaign = campaign
    assessment.w_survey, assessment.w_resolution = clean["survey"], clean["resolution"]
    assessment.w_on_time, assessment.w_satisfaction = clean["on_time"], clean["satisfaction"]
    assessment.w_reopen = clean["reopen"]
    assessment.resolution_target = services.parameter("resolution_target", p.end)
    if best_count is not None:
        assessment.best_count = best_count
    if worst_count is not None:
        assessment.worst_count = worst_count
    assessment.save()
    n = _store(assessment)
    audit.record(
        actor=acting_user,
        verb="assessment_compute",
        obj=assessment,
        data={"period": p.code, "rows": n, "weights": {k: str(v) for k, v in clean.items()}},
    )
    return assessment


@transaction.atomic
def assessment_publish(*, assessment: Assessment, acting_user) -> Assessment:
    """Publishes the ranking: departments and towns see it, and each ranked department is told."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    lifecycle.ASSESSMENT_STEPS["publish"].check(acting_user, assessment)
    assessment.state, assessment.published_at = AssessmentState.PUBLISHED, timezone.now()
    assessment.save(update_fields=["state", "published_at"])
    recipients = []
    for row in selectors.ranking(assessment, Row.Subject.DEPARTMENT):
        dept = row.department
        recipients += [u for u in [dept.head, *dept.members.filter(is_active=True)] if u]
    outbox.enqueue(
        event_key=f"assessment:{assessment.pk}:published",
        recipients=recipients,
        subject=str(Message(_("The assessment of %(period)s is published"), {"period": assessment.period})),
        body="",
        link=reverse("assessment:assessment_detail", args=[assessment.period]),
        channels=["inapp"],
    )
    audit.record(
        actor=acting_user, verb="assessment_publish", obj=assessment, data={"period": assessment.period}
    )
    return assessment
