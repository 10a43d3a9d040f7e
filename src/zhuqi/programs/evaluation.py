"""The annual evaluation of pilots (年度评价机制, seed 000 四(四)): every service of it, one transaction
each, checked against evaluation_lifecycle.STEPS, audited, with the pilots told through the outbox.

「每年年初对试点企业上年运营情况进行分析研判 … 保持营收或税收倍增趋势的,继续享受试点企业待遇;出现增长较慢但
经第三方评估仍具备最终年度倍增可行性的,可继续保留一年试点企业待遇,下一年根据具体情况确定是否淘汰替换;发现
试点企业存在明显失信行为或经第三方评估已不具备倍增可行性的,由遴选委员会评估并将淘汰替补方案报市政府同意后,
将其淘汰并从备选企业或镇街(园区)一级试点企业中择优替补。对于提前实现倍增目标并仍然有倍增意愿的企业,可继续
纳入“倍增计划”并重新享受相应年限的扶持政策。」

The platform proposes (`propose_for`), the office records what the platform cannot know (the
third-party assessment with its file, serious dishonesty, a doubled pilot's wish to re-enter, the
committee deciding otherwise on an item), records the committee's proposal, then the city
government's approval — and only then are pilots kept, put on probation, replaced or restarted.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise
from zhuqi.programs import monitoring
from zhuqi.programs.evaluation_lifecycle import STEPS
from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem, Proposal, Reason
from zhuqi.programs.models import Pilot, Programme, ProgrammeClass, ReserveEntry

P, R = Proposal, Reason
CURRENT = Pilot.CURRENT_STATES


def propose_for(
    standing: monitoring.Standing,
    *,
    was_on_probation: bool,
    dishonest: bool,
    assessment_feasible: bool | None,
) -> tuple[str, str]:
    """The platform's proposal for one pilot and why, in the order the seed gives the cases."""
    if dishonest:
        return P.REPLACE, R.DISHONEST
    if standing.doubled:
        return P.DOUBLED, R.DOUBLED
    on_path = standing.on_path
    if on_path is None:
        return P.KEEP, R.NO_FIGURES
    if on_path:
        return P.KEEP, R.ON_PATH
    if was_on_probation:
        return P.REPLACE, R.SLOW_AGAIN
    if assessment_feasible is False:
        return P.REPLACE, R.NOT_FEASIBLE
    return P.PROBATION, (R.FEASIBLE if assessment_feasible else R.SLOW)


def _evaluated_pilots(programme: Programme, year: int):
    return (
        Pilot.objects.filter(programme=programme, state__in=CURRENT, start_year__lte=year)
        .only(
            "id", "enterprise_id", "enterprise_class", "commitment_years", "start_year", "state", "honorary"
        )
        .order_by("id")
    )


def _item(evaluation, pilot, values, kept: dict) -> EvaluationItem:
    s = monitoring.standing(pilot, evaluation.year, values)
    item = EvaluationItem(
        evaluation_id=evaluation.pk,
        pilot_id=pilot.pk,
        base_year=s.base_year,
        years=s.years,
        commitment_years=s.commitment_years,
        was_on_probation=pilot.state == Pilot.State.PROBATION,
        base_revenue=s.base_revenue,
        revenue=s.revenue,
        base_tax=s.base_tax,
        tax=s.tax,
        revenue_ratio=s.revenue_ratio,
        tax_ratio=s.tax_ratio,
        needed_ratio=s.needed,
        **kept,
    )
    item.proposal, item.reason = propose_for(
        s,
        was_on_probation=item.was_on_probation,
        dishonest=item.dishonest,
        assessment_feasible=item.assessment_feasible,
    )
    if not item.decision_note:
        item.decision = item.proposal
    return item


KEPT_INPUTS = (
    "assessment_feasible",
    "assessment_note",
    "dishonest",
    "dishonesty_note",
    "reenter",
    "decision",
    "decision_note",
)


@transaction.atomic
def evaluation_run(*, programme: Programme, year: int, acting_user, today: date | None = None) -> Evaluation:
    """Proposes, for every current pilot of the programme that started by `year`, keep, probation,
    replace or doubled on `year`'s figures (run early the next year), with replacement candidates.
    Running again while the evaluation is a draft recomputes it and keeps what the office recorded.
    `acting_user` None is the platform itself (`zhuqi programs evaluate`, a job)."""
    if acting_user is not None:
        permissions.require(acting_user, Capability.EVALUATE_PILOTS)
    if not (programme.start_year <= year <= programme.end_year + 5):
        raise ZhuqiError(
            "bad_year",
            Message(
                _("Evaluate a year from %(first)d to %(last)d."),
                {"first": programme.start_year, "last": programme.end_year + 5},
            ),
            status=422,
            field="year",
        )
    evaluation = Evaluation.objects.select_for_update().filter(programme=programme, year=year).first()
    kept: dict[int, dict] = {}
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            programme=programme, year=year, run_at=timezone.now(), run_by=acting_user
        )
        verb = "evaluation_run"
    else:
        STEPS["rerun"].check(acting_user, evaluation)
        for row in evaluation.items.values("pilot_id", *KEPT_INPUTS):
            kept[row.pop("pilot_id")] = row
        evaluation.items.all().delete()
        evaluation.run_at, evaluation.run_by = timezone.now(), acting_user
        evaluation.version += 1
        evaluation.save()
        verb = "evaluation_rerun"
    pilots = list(_evaluated_pilots(programme, year))
    years = {monitoring.base_year_of(p) for p in pilots} | {year}
    values = monitoring.annual_values({p.enterprise_id for p in pilots}, years)
    items = [_item(evaluation, p, values, kept.get(p.pk, {})) for p in pilots]
    _assign_candidates(evaluation, items, {p.pk: p for p in pilots})
    EvaluationItem.objects.bulk_create(items, batch_size=1000)
    audit.record(actor=acting_user, verb=verb, obj=evaluation, data=counts(items) | {"year": year})
    return evaluation


def counts(items) -> dict[str, int]:
    found = {p.value: 0 for p in Proposal}
    for item in items:
        found[item.decision] += 1
    return found


def candidate_pool(programme: Programme) -> list[tuple]:
    """(enterprise id, class, score, from) of the reserve (后备库) and the town-level pilots, the
    enterprises that are already current pilots of this programme left out (四(四): 「从备选企业或镇街
    (园区)一级试点企业中择优替补」)."""
    taken = set(
        Pilot.objects.filter(programme=programme, state__in=CURRENT).values_list("enterprise_id", flat=True)
    )
    pool = [
        (e, c, s, "reserve")
        for e, c, s in ReserveEntry.objects.filter(programme=programme, active=True).values_list(
            "enterprise_id", "enterprise_class", "score"
        )
    ]
    pool += [
        (e, c, s, "town")
        for e, c, s in Pilot.objects.filter(
            programme__level=Programme.Level.TOWN, state__in=CURRENT
        ).values_list("enterprise_id", "enterprise_class", "application__score")
    ]
    seen, unique = set(), []
    for row in pool:
        if row[0] not in taken and row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


def _assign_candidates(evaluation: Evaluation, items, pilots: dict[int, Pilot]) -> None:
    """Each pilot to replace gets the best candidate left: same class first, then the highest score
    (an unscored candidate last), then the lowest id (stable). Honorary pilots are outside the 200
    places and are not replaced by another enterprise."""
    pool = candidate_pool(evaluation.programme)
    for item in items:
        item.candidate, item.candidate_from, item.candidate_class, item.candidate_score = None, "", "", None
    for item in items:
        pilot = pilots.get(item.pilot_id) or item.pilot
        if item.decision != P.REPLACE or pilot.honorary or not pool:
            continue
        best = min(
            pool,
            key=lambda r: (r[1] != pilot.enterprise_class, r[2] is None, -(r[2] or Decimal(0)), r[0]),
        )
        pool.remove(best)
        item.candidate_id, item.candidate_class, item.candidate_score, item.candidate_from = best


def _locked(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("programme").get(pk=evaluation.pk)


def _text(value: str, field: str, limit: int = 300) -> str:
    value = (value or "").strip()
    if not value:
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field=field)
    if len(value) > limit:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=field
        )
    return value


@transaction.atomic
def item_amend(
    *,
    item: EvaluationItem,
    acting_user,
    assessment: str = "",
    assessment_note: str = "",
    upload=None,
    dishonest: bool | None = None,
    dishonesty_note: str = "",
    reenter: bool | None = None,
    decision: str = "",
    decision_note: str = "",
) -> EvaluationItem:
    """Records, on a draft: a third-party assessment (`assessment` "feasible" or "not_feasible", its
    note, its file), serious dishonesty, a doubled pilot's wish to re-enter, or the committee deciding
    otherwise (`decision` with the reason; "platform" goes back to the platform's proposal). The proposal is
    recomputed and candidates reassigned."""
    evaluation = _locked(item.evaluation)
    STEPS["amend"].check(acting_user, evaluation)
    item = EvaluationItem.objects.select_related("pilot__enterprise").get(pk=item.pk)
    changes = {}
    if assessment:
        if assessment not in ("feasible", "not_feasible"):
            raise ZhuqiError("bad_assessment", _("Unknown assessment."), status=422, field="assessment")
        item.assessment_feasible = assessment == "feasible"
        item.assessment_note = _text(assessment_note, "assessment_note")
        changes["assessment"] = assessment
        if upload is not None:
            stored_files.check(upload)
            stored_files.store(
                upload, object_type="evaluation_item", object_id=item.pk, acting_user=acting_user
            )
            changes["file"] = upload.name
    if dishonest is not None:
        item.dishonest = dishonest
        item.dishonesty_note = _text(dishonesty_note, "dishonesty_note") if dishonest else ""
        changes["dishonest"] = dishonest
    if reenter is not None:
        item.reenter = reenter
        changes["reenter"] = reenter
    if decision == "platform":  # back to the platform's proposal
        item.decision_note = ""
        changes["decision"] = decision
    elif decision:
        if decision not in Proposal.values:
            raise ZhuqiError("bad_decision", _("Unknown decision."), status=422, field="decision")
        item.decision, item.decision_note = decision, _text(decision_note, "decision_note")
        changes["decision"] = decision
    standing = monitoring.Standing(
        item.base_year,
        evaluation.year,
        item.years,
        item.commitment_years,
        item.base_revenue,
        item.revenue,
        item.base_tax,
        item.tax,
    )
    item.proposal, item.reason = propose_for(
        standing,
        was_on_probation=item.was_on_probation,
        dishonest=item.dishonest,
        assessment_feasible=item.assessment_feasible,
    )
    if not item.decision_note:
        item.decision = item.proposal
    if item.decision == P.DOUBLED and item.reason != R.DOUBLED:
        raise ZhuqiError("not_doubled", _("Only a pilot whose main revenue doubled is doubled."), status=422)
    item.save()
    items = list(evaluation.items.select_related("pilot").order_by("id"))
    _assign_candidates(evaluation, items, {})
    EvaluationItem.objects.bulk_update(
        items, ["candidate", "candidate_from", "candidate_class", "candidate_score"], batch_size=1000
    )
    evaluation.version += 1
    evaluation.save(update_fields=["version"])
    audit.record(
        actor=acting_user, verb="evaluation_amend", obj=evaluation, data={"pilot": item.pilot_id} | changes
    )
    return EvaluationItem.objects.get(pk=item.pk)


@transaction.atomic
def evaluation_propose(
    *, evaluation: Evaluation, committee_note: str, proposed_on: date, acting_user
) -> Evaluation:
    """Records the selection committee's proposal (遴选委员会评估 … 淘汰替补方案). Refused while a slow
    pilot has no third-party assessment: probation needs one that says doubling is still feasible."""
    evaluation = _locked(evaluation)
    STEPS["propose"].check(acting_user, evaluation)
    waiting = evaluation.items.filter(decision=P.PROBATION, assessment_feasible__isnull=True).count()
    if waiting:
        raise Conflict(
            "assessment_missing",
            Message(_("%(n)d pilots growing too slowly have no third-party assessment yet."), {"n": waiting}),
        )
    evaluation.committee_note = _text(committee_note, "committee_note", 500)
    evaluation.proposed_on = proposed_on
    evaluation.state = STEPS["propose"].target
    evaluation.version += 1
    evaluation.save()
    audit.record(
        actor=acting_user,
        verb="evaluation_propose",
        obj=evaluation,
        data={"note": evaluation.committee_note, "date": proposed_on.isoformat()},
    )
    return evaluation


@transaction.atomic
def evaluation_return(*, evaluation: Evaluation, note: str, acting_user) -> Evaluation:
    evaluation = _locked(evaluation)
    STEPS["return"].check(acting_user, evaluation)
    note = _text(note, "note")
    evaluation.state = STEPS["return"].target
    evaluation.version += 1
    evaluation.save()
    audit.record(actor=acting_user, verb="evaluation_return", obj=evaluation, data={"note": note})
    return evaluation


def _department_of(programme: Programme, enterprise_class: str, fallback):
    found = ProgrammeClass.objects.filter(programme=programme, enterprise_class=enterprise_class).first()
    return found.department if found else fallback


@transaction.atomic
def evaluation_approve(
    *, evaluation: Evaluation, approval_document: str, approved_on: date, acting_user
) -> dict[str, int]:
    """Records the city government's approval (报市政府同意) and carries the decisions out: kept pilots
    are active again, slow ones on probation, replaced ones end and their replacements start the next
    year, doubled ones end and, when they wish, start new years of support (提前实现倍增 … 重新享受
    相应年限的扶持政策). Every pilot concerned is told."""
    evaluation = _locked(evaluation)
    STEPS["approve"].check(acting_user, evaluation)
    evaluation.approval_document = _text(approval_document, "approval_document", 100)
    evaluation.approved_on = approved_on
    programme, next_year = evaluation.programme, evaluation.year + 1
    items = list(evaluation.items.select_related("pilot__enterprise", "pilot__department", "candidate"))
    notices = []
    for item in items:
        pilot = Pilot.objects.select_for_update().get(pk=item.pilot_id)
        decision = item.decision
        if decision == P.KEEP:
            pilot.state = Pilot.State.ACTIVE
        elif decision == P.PROBATION:
            pilot.state = Pilot.State.PROBATION
        else:
            pilot.state = Pilot.State.REPLACED if decision == P.REPLACE else Pilot.State.DOUBLED
            pilot.ended_on = approved_on
        pilot.save(update_fields=["state", "ended_on"])
        notices.append((pilot.enterprise_id, pilot.department, item, decision))
        successor = None
        if decision == P.REPLACE and item.candidate_id:
            successor = _admit_replacement(programme, item, pilot, next_year, approved_on)
            notices.append((successor.enterprise_id, successor.department, item, "admitted"))
        elif decision == P.DOUBLED and item.reenter:
            successor = Pilot.objects.create(
                programme=programme,
                enterprise_id=pilot.enterprise_id,
                enterprise_class=pilot.enterprise_class,
                department=pilot.department,
                commitment_years=pilot.commitment_years,
                start_year=next_year,
                honorary=pilot.honorary,
                application=pilot.application,
                since=approved_on,
            )
        if successor is not None:
            item.successor = successor
            item.save(update_fields=["successor"])
    evaluation.state = STEPS["approve"].target
    evaluation.version += 1
    evaluation.save()
    _tell(evaluation, notices)
    result = counts(items)
    audit.record(
        actor=acting_user,
        verb="evaluation_approve",
        obj=evaluation,
        data=result | {"document": evaluation.approval_document, "date": approved_on.isoformat()},
    )
    return result


def _admit_replacement(programme, item, pilot, next_year, approved_on) -> Pilot:
    entry = (
        ReserveEntry.objects.select_related("application")
        .filter(programme=programme, enterprise_id=item.candidate_id, active=True)
        .first()
    )
    commitment, application = pilot.commitment_years, None
    if entry is not None:
        entry.active = False
        entry.save(update_fields=["active"])
        if entry.application is not None:
            commitment, application = entry.application.commitment_years, entry.application
    else:
        town_pilot = Pilot.objects.filter(
            enterprise_id=item.candidate_id, state__in=CURRENT, programme__level="town"
        ).first()
        if town_pilot is not None:
            commitment = town_pilot.commitment_years
    return Pilot.objects.create(
        programme=programme,
        enterprise_id=item.candidate_id,
        enterprise_class=item.candidate_class,
        department=_department_of(programme, item.candidate_class, pilot.department),
        commitment_years=commitment,
        start_year=next_year,
        application=application,
        since=approved_on,
    )


SUBJECTS = {
    P.KEEP: _("Annual evaluation %(year)d: you remain a pilot enterprise"),
    P.PROBATION: _("Annual evaluation %(year)d: you remain a pilot for one more year, on probation"),
    P.REPLACE: _("Annual evaluation %(year)d: you are no longer a pilot enterprise"),
    P.DOUBLED: _("Annual evaluation %(year)d: you have doubled your main revenue"),
    "admitted": _("Annual evaluation %(year)d: you are admitted as a pilot enterprise"),
}


# The responsible department's head reads of the enterprise by name (四(五)1, 5: it follows its pilots).
DEPARTMENT_SUBJECTS = {
    P.KEEP: _("Annual evaluation %(year)d: %(enterprise)s remains a pilot enterprise"),
    P.PROBATION: _(
        "Annual evaluation %(year)d: %(enterprise)s remains a pilot for one more year, on probation"
    ),
    P.REPLACE: _("Annual evaluation %(year)d: %(enterprise)s is no longer a pilot enterprise"),
    P.DOUBLED: _("Annual evaluation %(year)d: %(enterprise)s has doubled its main revenue"),
    "admitted": _("Annual evaluation %(year)d: %(enterprise)s is admitted as a pilot enterprise"),
}


def _tell(evaluation: Evaluation, notices) -> None:
    """The pilot is told (四(四)), in words for the enterprise; its responsible department's head too,
    in its own words naming the enterprise."""
    enterprise_ids = {e for e, _d, _i, _k in notices}
    users: dict[int, list] = {}
    for user in User.objects.filter(enterprise_id__in=enterprise_ids, is_active=True):
        users.setdefault(user.enterprise_id, []).append(user)
    names = dict(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "name"))
    heads = User.objects.in_bulk({d.head_id for _e, d, _i, _k in notices if d.head_id})
    pending = []
    for enterprise_id, department, item, kind in notices:
        link = f"/pilots/evaluations/{evaluation.pk}/"
        subject = str(Message(SUBJECTS[kind], {"year": evaluation.year}))
        reason = str(item.get_reason_display())
        pending.append(
            outbox.Pending(
                event_key=f"evaluation-{evaluation.pk}-{kind}-{enterprise_id}",
                recipients=users.get(enterprise_id, []),
                subject=subject,
                body=reason if kind != "admitted" else subject,
                link=link,
            )
        )
        head = heads.get(department.head_id)
        if head is not None:
            about = str(
                Message(
                    DEPARTMENT_SUBJECTS[kind],
                    {"year": evaluation.year, "enterprise": names.get(enterprise_id, "")},
                )
            )
            pending.append(
                outbox.Pending(
                    event_key=f"evaluation-{evaluation.pk}-{kind}-{enterprise_id}-department",
                    recipients=[head],
                    subject=about,
                    body=reason if kind != "admitted" else about,
                    link=link,
                )
            )
    outbox.enqueue_many(pending)
