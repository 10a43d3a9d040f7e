"""Every change of a programme, round, application, review group, score, objection and pilot: one
function each (keyword-only), checking the step (lifecycle.py) and permission, writing the audit row
and queueing notifications in one transaction (Zulip's `do_*`)."""

import math
import uuid
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Conflict, Forbidden, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory import indicators
from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Source, Town
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.programs import draw as drawing
from zhuqi.programs import eligibility, lifecycle, scoring
from zhuqi.programs.models import (
    Application,
    CrossCheck,
    DeclaredFigure,
    EnterpriseClass,
    EnterpriseFact,
    Expert,
    ExpertField,
    GrowthDriver,
    Objection,
    Pilot,
    Programme,
    ProgrammeClass,
    ReserveEntry,
    ReviewGroup,
    Round,
    Score,
)

FEN = Decimal("0.01")
MONEY_MAX = indicators.MONEY_MAX
PLAN_OBJECT = "programme_application"
A = Application


def _invalid(code: str, message, field: str | None = None) -> ZhuqiError:
    return ZhuqiError(code, message, status=422, field=field)


def _office(user) -> None:
    """The coordinating office; None is the platform itself (the CLI, run by whoever runs the server)."""
    if user is None:
        return
    permissions.require(
        user, Capability.RUN_PROGRAMMES, _("Only the coordinating office (倍增办) does this.")
    )


# ---------------------------------------------------------------------------------------------
# Programmes and rounds


@transaction.atomic
def programme_create(
    *,
    code: str,
    name: str,
    classes: dict[str, Department],
    acting_user,
    level: str = Programme.Level.CITY,
    town: Town | None = None,
    document_number: str = "",
    base_year: int = 2016,
    start_year: int = 2017,
    end_year: int = 2021,
    pilot_quota: int = 200,
    reserve_quota: int = 100,
    honorary_revenue: Decimal = Decimal(5_000_000_000),
    department_target: int = 50,
) -> Programme:
    """A programme with its classes and their responsible departments (all four, seed 000 二(二), 六)."""
    if acting_user is not None:
        _office(acting_user)
    if set(classes) != set(EnterpriseClass.values):
        raise _invalid(
            "classes", _("Every one of the four classes needs its responsible department."), "classes"
        )
    if not (2000 <= base_year < start_year <= end_year <= 2100):
        raise _invalid(
            "years", _("The base year comes before the action period, which runs forward."), "base_year"
        )
    if (level == Programme.Level.TOWN) != (town is not None):
        raise _invalid("town", _("A town programme names its town; a city programme names none."), "town")
    if Programme.objects.filter(code=code).exists():
        raise Conflict("programme_exists", _("A programme with this code exists."))
    programme = Programme.objects.create(
        code=code,
        name=name,
        level=level,
        town=town,
        document_number=document_number,
        base_year=base_year,
        start_year=start_year,
        end_year=end_year,
        pilot_quota=pilot_quota,
        reserve_quota=reserve_quota,
        honorary_revenue=honorary_revenue,
    )
    ProgrammeClass.objects.bulk_create(
        ProgrammeClass(programme=programme, enterprise_class=c, department=d, target=department_target)
        for c, d in classes.items()
    )
    audit.record(actor=acting_user, verb="programme_create", obj=programme, data={"year": start_year})
    return programme


@transaction.atomic
def round_open(
    *,
    programme: Programme,
    name: str,
    opens_on: date,
    closes_on: date | None,
    check_year: int,
    acting_user,
    for_reserve: bool = False,
    tolerance_percent: Decimal = Decimal(5),
) -> Round:
    """A round that takes applications from `opens_on` to `closes_on`; a reserve round (四(四)) stays
    open all year (no closing date)."""
    if acting_user is not None:
        _office(acting_user)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _invalid("name", _("Name the round (at most 100 characters)."), "name")
    if for_reserve:
        closes_on = None
    elif closes_on is None:
        raise _invalid("closes_on", _("A selection round closes on a date."), "closes_on")
    if closes_on is not None and closes_on < opens_on:
        raise _invalid("closes_on", _("A round closes after it opens."), "closes_on")
    if not (2000 <= check_year <= 2100):
        raise _invalid("check_year", _("Name the year whose figures are checked."), "check_year")
    round_ = Round.objects.create(
        programme=programme,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        for_reserve=for_reserve,
        check_year=check_year,
        tolerance_percent=tolerance_percent,
        weights=dict(scoring.DEFAULT_WEIGHTS),
    )
    audit.record(actor=acting_user, verb="programme_round_open", obj=round_, data={"year": check_year})
    return round_


@transaction.atomic
def round_settings(
    *,
    round_: Round,
    acting_user,
    tolerance_percent: Decimal | None = None,
    weights: dict | None = None,
    site_weight_percent: int | None = None,
) -> Round:
    """The office sets the cross-check tolerance, the desk-review weights and the site check's share.
    Weights are fixed once any desk score is in (a score must not change under the expert's feet)."""
    _office(acting_user)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    changes = {}
    if tolerance_percent is not None:
        if not (Decimal(0) <= tolerance_percent <= Decimal(100)):
            raise _invalid(
                "tolerance", _("The tolerance is a percentage from 0 to 100."), "tolerance_percent"
            )
        round_.tolerance_percent = tolerance_percent
        changes["tolerance"] = str(tolerance_percent)
    if weights is not None:
        if (
            set(weights) != set(scoring.DESK_CRITERIA)
            or not all(isinstance(v, int) and 0 <= v <= scoring.WEIGHT_MAX for v in weights.values())
            or not sum(weights.values())
        ):
            raise _invalid(
                "weights", _("Give each of the seven criteria a whole weight from 0 to 100."), "weights"
            )
        if Score.objects.filter(group__round=round_, group__stage=ReviewGroup.Stage.DESK).exists():
            raise Conflict("scores_in", _("Experts have scored already: the weights are fixed."))
        round_.weights = dict(weights)
        changes["weights"] = weights
    if site_weight_percent is not None:
        if not 0 <= site_weight_percent <= 100:
            raise _invalid(
                "site_weight",
                _("The site check's share is a percentage from 0 to 100."),
                "site_weight_percent",
            )
        round_.site_weight_percent = site_weight_percent
        changes["site_weight"] = site_weight_percent
    round_.save(update_fields=["tolerance_percent", "weights", "site_weight_percent"])
    audit.record(actor=acting_user, verb="programme_round_settings", obj=round_, data=changes)
    return round_


def _advance(round_: Round, frm: str, to: str) -> None:
    if round_.stage != frm:
        raise Conflict(
            "round_stage",
            Message(
                _("The round is at the stage %(stage)s: this cannot be done now."),
                {"stage": round_.get_stage_display()},
            ),
        )
    round_.stage = to


@transaction.atomic
def round_close(*, round_: Round, acting_user) -> Round:
    """No more applications; the checks and the review begin."""
    _office(acting_user)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _advance(round_, Round.Stage.OPEN, Round.Stage.REVIEW)
    round_.save(update_fields=["stage"])
    audit.record(actor=acting_user, verb="programme_round_close", obj=round_)
    return round_


# ---------------------------------------------------------------------------------------------
# Applications


def declared_fields(round_: Round) -> list[tuple[str, int]]:
    """The figures an application declares: those the formal check reads (revenue of the year checked
    and the year before, total profit and tax paid of the year checked) and the base year's main
    revenue and tax, the doubling targets' base (seed 000 一)."""
    y, base = round_.check_year, round_.programme.base_year
    fields = [("revenue", y), ("revenue", y - 1), ("total_profit", y), ("tax_paid", y)]
    for key in ("main_revenue", "tax_paid"):
        if (key, base) not in fields:
            fields.append((key, base))
    return fields


def _parse_figures(round_: Round, figures: dict) -> dict[tuple[str, int], Decimal]:
    wanted = declared_fields(round_)
    parsed = {}
    for key, value in (figures or {}).items():
        try:
            indicator, year = key if isinstance(key, tuple) else str(key).split("@")
            year = int(year)
        except ValueError:
            indicator, year = str(key)[:40], 0
        if (indicator, int(year)) not in wanted:
            raise _invalid(
                "figure_unknown",
                Message(_("%(figure)s is not asked for."), {"figure": f"{indicator}@{year}"}),
                "figures",
            )
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            number = None
        ind = indicators.BY_KEY[indicator]
        if number is None or not number.is_finite() or number != number.quantize(FEN) or ind.problem(number):
            raise _invalid(
                "figure_value",
                Message(
                    _("%(label)s of %(year)s is not a valid amount."), {"label": ind.label, "year": year}
                ),
                "figures",
            )
        parsed[(indicator, int(year))] = number
    missing = [f for f in wanted if f not in parsed]
    if missing:
        ind, year = missing[0]
        raise _invalid(
            "figure_missing",
            Message(
                _("Declare %(label)s of %(year)s."), {"label": indicators.BY_KEY[ind].label, "year": year}
            ),
            "figures",
        )
    return parsed


def _may_recommend(user, enterprise: Enterprise) -> bool:
    return (
        permissions.has(user, Capability.RECOMMEND_TO_PROGRAMMES)
        and enterprises_visible_to(user).filter(pk=enterprise.pk).exists()
    )


@transaction.atomic
def application_submit(
    *,
    round_: Round,
    enterprise: Enterprise,
    enterprise_class: str,
    drivers: list[str],
    commitment_years: int,
    figures: dict,
    acting_user,
    plan=None,
    attachments=(),
    key_introduced_project: bool = False,
    summary: str = "",
    today: date | None = None,
) -> Application:
    """The enterprise applies online, or a town or department recommends it (二(四)2). The doubling plan
    (a file) is required from the enterprise; a recommendation may come without it."""
    today = today or timezone.localdate()
    own = permissions.own_enterprise(Capability.APPLY_TO_PROGRAMMES, enterprise_id=lambda e: e.pk)
    recommending = False
    if acting_user is not None and not own(acting_user, enterprise):
        if not _may_recommend(acting_user, enterprise):
            raise Forbidden(
                "forbidden", _("Only the enterprise, or a town or department recommending it, applies.")
            )
        recommending = True
    if (
        round_.stage != Round.Stage.OPEN
        or today < round_.opens_on
        or (round_.closes_on and today > round_.closes_on)
    ):
        raise Conflict("round_closed", _("The round is not open for applications."))
    if enterprise_class not in EnterpriseClass.values:
        raise _invalid("enterprise_class", _("Choose one of the four classes."), "enterprise_class")
    drivers = list(dict.fromkeys(drivers or []))
    if not drivers or any(d not in GrowthDriver.values for d in drivers):
        raise _invalid("drivers", _("Choose one or more of the seven growth drivers."), "drivers")
    if commitment_years not in (3, 5):
        raise _invalid(
            "commitment_years", _("Doubling is committed within 3 or 5 years."), "commitment_years"
        )
    parsed = _parse_figures(round_, figures)
    if plan is None and not recommending:
        raise _invalid("plan_missing", _("Attach the doubling plan (倍增方案)."), "plan")
    uploads = [u for u in [plan, *attachments] if u is not None]
    stored_files.check_count(PLAN_OBJECT, None, len(uploads))
    for upload in uploads:
        stored_files.check(upload)
    if (
        Application.objects.filter(round=round_, enterprise=enterprise)
        .exclude(state=A.State.WITHDRAWN)
        .exists()
    ):
        raise Conflict("already_applied", _("This enterprise has already applied in this round."))
    user_is_town = recommending and acting_user.town_id is not None
    try:
        with transaction.atomic():
            application = Application.objects.create(
                number=f"tmp-{uuid.uuid4().hex[:16]}",
                round=round_,
                enterprise=enterprise,
                enterprise_class=enterprise_class,
                drivers=drivers,
                commitment_years=commitment_years,
                key_introduced_project=bool(key_introduced_project),
                summary=(summary or "")[:2000],
                recommended_by_town=acting_user.town if user_is_town else None,
                recommended_by_department=acting_user.department
                if recommending and not user_is_town
                else None,
                submitted_by=acting_user,
            )
    except IntegrityError:
        raise Conflict("already_applied", _("This enterprise has already applied in this round.")) from None
    application.number = f"BZ{round_.check_year + 2}{application.pk:06d}"
    application.save(update_fields=["number"])
    DeclaredFigure.objects.bulk_create(
        DeclaredFigure(application=application, indicator=i, year=y, value=v) for (i, y), v in parsed.items()
    )
    for upload in uploads:
        stored_files.store(upload, object_type=PLAN_OBJECT, object_id=application.pk, acting_user=acting_user)
    audit.record(
        actor=acting_user,
        verb="programme_application_submit",
        obj=application,
        data={"reason": gettext("recommended") if recommending else ""},
    )
    return application


def _write(objs: list, fields: list[str]) -> None:
    """Writes these fields of these rows with one prepared UPDATE run for every row (executemany):
    Django's bulk_update builds a CASE per field over the batch, quadratic in practice and the slowest
    part of a round's check or proposal."""
    if not objs:
        return
    model = type(objs[0])
    columns = [model._meta.get_field(f) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "
        + ", ".join(f"{quote(c.column)} = %s" for c in columns)
        + f" WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [[c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] + [o.pk] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("round__programme", "enterprise")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_withdraw(*, application: Application, acting_user) -> Application:
    application = _locked(application)
    lifecycle.STEPS["withdraw"].check(acting_user, application)
    application.state = A.State.WITHDRAWN
    application.version += 1
    application.save(update_fields=["state", "version"])
    audit.record(actor=acting_user, verb="programme_application_withdraw", obj=application)
    return application


@transaction.atomic
def application_attach(*, application: Application, upload, acting_user) -> bool:
    application = _locked(application)
    lifecycle.STEPS["attach"].check(acting_user, application)
    _file, created = stored_files.store(
        upload, object_type=PLAN_OBJECT, object_id=application.pk, acting_user=acting_user
    )
    if created:
        audit.record(
            actor=acting_user,
            verb="programme_application_attach",
            obj=application,
            data={"file": _file.filename},
        )
    return created


def _positive_factors(enterprise: Enterprise, tags: set[str], findings: list[dict]) -> list[str]:
    """The committee's positive factors (二(四)4(3)) that the directory shows."""
    growth = next((f["met"] for f in findings if f["clause"] == "SEL-4-GROWTH"), None)
    found = []
    if enterprise.listing == Enterprise.Listing.LISTED:
        found.append("ipo")
    if enterprise.size == Enterprise.Size.LARGE:
        found.append("large")
    if enterprise.size in (Enterprise.Size.MEDIUM, Enterprise.Size.SMALL) and growth:
        found.append("growing_sme")
    if "高新技术企业" in tags:
        found.append("high_tech")
    if enterprise.listing in (Enterprise.Listing.PRE_IPO, Enterprise.Listing.NEEQ):
        found.append("pre_ipo")
    if "瞪羚企业" in tags:
        found.append("gazelle")
    return found


POSITIVE_FACTORS = {
    "ipo": _("Main-board listed (IPO)"),
    "large": _("Large backbone enterprise (大型骨干企业)"),
    "growing_sme": _("Growing SME (成长型中小企业)"),
    "high_tech": _("High-tech enterprise (高新技术企业)"),
    "pre_ipo": _("Pre-IPO reserve (上市后备企业)"),
    "gazelle": _("Gazelle (瞪羚企业)"),
}


@transaction.atomic
def formal_check_run(*, round_: Round, acting_user) -> dict[str, int]:
    """The formal check of every submitted application of the round, in one batch: passed and flagged
    go to review (flagged ones marked for the committee), failed ones stop with the values seen."""
    _office(acting_user)
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .filter(round=round_, state=A.State.SUBMITTED)
        .select_related("enterprise")
    )
    results = eligibility.evaluate(applications, round_.check_year)
    tags = defaultdict(set)
    through = Enterprise.tags.through
    for chunk in range(0, len(applications), 2000):
        ids = [a.enterprise_id for a in applications[chunk : chunk + 2000]]
        for e, name in through.objects.filter(enterprise_id__in=ids).values_list(
            "enterprise_id", "tag__name"
        ):
            tags[e].add(name)
    now = timezone.now()
    counts = Counter()
    for application in applications:
        outcome, findings = results[application.pk]
        application.check_result = outcome
        application.check_findings = findings
        application.checked_at = now
        application.positive_factors = _positive_factors(
            application.enterprise, tags[application.enterprise_id], findings
        )
        application.state = A.State.CHECK_FAILED if outcome == A.CheckResult.FAILED else A.State.IN_REVIEW
        application.version += 1
        counts[outcome] += 1
    _write(
        applications, ["check_result", "check_findings", "checked_at", "positive_factors", "state", "version"]
    )
    audit.record(
        actor=acting_user, verb="programme_formal_check", obj=round_, data={"total": len(applications)}
    )
    return dict(counts)


@transaction.atomic
def application_refuse(*, application: Application, reason: str, acting_user) -> Application:
    application = _locked(application)
    lifecycle.STEPS["refuse"].check(acting_user, application)
    if not (reason or "").strip():
        raise _invalid("reason_missing", _("Say why."), "reason")
    application.state = A.State.CHECK_FAILED
    application.outcome = ""
    application.version += 1
    application.save(update_fields=["state", "outcome", "version"])
    audit.record(
        actor=acting_user, verb="programme_application_refuse", obj=application, data={"reason": reason[:300]}
    )
    return application


@transaction.atomic
def application_readmit(*, application: Application, reason: str, acting_user) -> Application:
    """The committee admits a failed or flagged application to review (a relaxation it accepts, data
    that arrived later)."""
    application = _locked(application)
    lifecycle.STEPS["readmit"].check(acting_user, application)
    if not (reason or "").strip():
        raise _invalid("reason_missing", _("Say why."), "reason")
    application.state = A.State.IN_REVIEW
    application.version += 1
    application.save(update_fields=["state", "version"])
    audit.record(
        actor=acting_user,
        verb="programme_application_readmit",
        obj=application,
        data={"reason": reason[:300]},
    )
    return application


# ---------------------------------------------------------------------------------------------
# Cross-check (二(四)3)

BUREAUS = (Source.TAX, Source.STATS)
# Reading taken: a bureau's missing value is flagged only for the figures it keeps — 税务局 the tax
# paid and the revenue declared for tax, 统计局 the revenue, main revenue and profit.
KEPT_BY = {Source.TAX: ("tax_paid", "revenue"), Source.STATS: ("revenue", "main_revenue", "total_profit")}


@transaction.atomic
def cross_check_run(*, round_: Round, acting_user) -> int:
    """Compares every declared figure of the round's applications in review (and those submitted)
    with the 税务局 and 统计局 values of the directory; a bureau value missing, or differing by more
    than the round's tolerance (of the bureau's value), is flagged with both values. Settled flags
    are kept; open ones are recomputed. Returns the number of open flags."""
    _office(acting_user)
    round_ = Round.objects.get(pk=round_.pk)  # the tolerance as it is now
    application_ids = list(
        Application.objects.filter(
            round=round_, state__in=[A.State.SUBMITTED, A.State.IN_REVIEW]
        ).values_list("pk", flat=True)
    )
    CrossCheck.objects.filter(application__round=round_, settlement=CrossCheck.Settlement.OPEN).delete()
    settled = set(
        CrossCheck.objects.filter(application__round=round_).values_list(
            "application_id", "indicator", "year", "source"
        )
    )
    flags = compute_flags(application_ids, round_.tolerance_percent)
    rows = [f for f in flags if (f.application_id, f.indicator, f.year, f.source) not in settled]
    CrossCheck.objects.bulk_create(rows, batch_size=1000)
    audit.record(actor=acting_user, verb="programme_cross_check", obj=round_, data={"total": len(rows)})
    return len(rows)


def compute_flags(application_ids: list[int], tolerance_percent: Decimal) -> list[CrossCheck]:
    """The flags (unsaved) for these applications: declared vs each bureau's value, per figure."""
    tolerance = Decimal(tolerance_percent) / 100
    flags = []
    for chunk in range(0, len(application_ids), 2000):
        ids = application_ids[chunk : chunk + 2000]
        declared = list(
            DeclaredFigure.objects.filter(application_id__in=ids).values_list(
                "application_id", "application__enterprise_id", "indicator", "year", "value"
            )
        )
        enterprises = {e for _a, e, *_r in declared}
        keys = {i for *_ae, i, _y, _v in declared}
        years = {y for *_aei, y, _v in declared}
        bureau = {
            (e, i, y, s): v
            for e, i, y, s, v in IndicatorValue.objects.filter(
                enterprise_id__in=enterprises,
                period_type="year",
                indicator__in=keys,
                year__in=years,
                source__in=BUREAUS,
            ).values_list("enterprise_id", "indicator", "year", "source", "value")
        }
        for application_id, enterprise_id, indicator, year, value in declared:
            value = Decimal(value).quantize(FEN)
            for source in BUREAUS:
                found = bureau.get((enterprise_id, indicator, year, source))
                if found is None:
                    if indicator not in KEPT_BY[source]:
                        continue  # not a figure this bureau keeps: nothing to miss
                    flags.append(
                        CrossCheck(
                            application_id=application_id,
                            indicator=indicator,
                            year=year,
                            source=source,
                            declared=value,
                        )
                    )
                    continue
                found = Decimal(found).quantize(FEN)
                base = abs(found)
                difference = abs(value - found)
                if (base and difference / base > tolerance) or (not base and difference):
                    percent = (difference / base * 100).quantize(FEN) if base else None
                    flags.append(
                        CrossCheck(
                            application_id=application_id,
                            indicator=indicator,
                            year=year,
                            source=source,
                            declared=value,
                            found=found,
                            difference_percent=percent,
                        )
                    )
    return flags


@transaction.atomic
def cross_check_settle(*, flag: CrossCheck, settlement: str, note: str, acting_user) -> CrossCheck:
    """The office records how a flag was settled; refusing the application for it refuses it."""
    _office(acting_user)
    if settlement not in (
        CrossCheck.Settlement.BUREAU,
        CrossCheck.Settlement.DECLARED,
        CrossCheck.Settlement.REJECTED,
    ):
        raise _invalid("settlement", _("Choose how the difference was settled."), "settlement")
    if not (note or "").strip():
        raise _invalid("note_missing", _("Note how it was settled."), "note")
    flag = CrossCheck.objects.select_for_update().get(pk=flag.pk)
    if flag.settlement != CrossCheck.Settlement.OPEN:
        raise Conflict("settled", _("This difference is settled already."))
    flag.settlement = settlement
    flag.note = note[:300]
    flag.settled_by = acting_user
    flag.settled_at = timezone.now()
    flag.save()
    audit.record(
        actor=acting_user,
        verb="programme_cross_check_settle",
        obj=flag.application,
        data={"comment": flag.note},
    )
    if settlement == CrossCheck.Settlement.REJECTED and flag.application.state == A.State.IN_REVIEW:
        application_refuse(application=flag.application, reason=flag.note, acting_user=acting_user)
    return flag


# ---------------------------------------------------------------------------------------------
# Experts, the draw, scores


@transaction.atomic
def expert_create(
    *, name: str, field: str, organisation: str, acting_user, user: User | None = None, active: bool = True
) -> Expert:
    _office(acting_user)
    if field not in ExpertField.values:
        raise _invalid("field", _("Choose the expert's field."), "field")
    if not name.strip() or not organisation.strip():
        raise _invalid("expert", _("Name the expert and its organisation."), "name")
    if user is not None and not permissions.has(user, Capability.SCORE_APPLICATIONS):
        raise _invalid("user", _("The expert signs in with an expert's account."), "user")
    expert = Expert.objects.create(
        name=name[:64], field=field, organisation=organisation[:100], active=active, user=user
    )
    audit.record(actor=acting_user, verb="programme_expert_create", obj=expert)
    return expert


@transaction.atomic
def expert_update(
    *, expert: Expert, acting_user, active: bool | None = None, conflicts: list[Enterprise] | None = None
) -> Expert:
    """Activate or retire an expert; record the enterprises it declared a conflict with."""
    _office(acting_user)
    if active is not None:
        expert.active = active
        expert.save(update_fields=["active"])
    if conflicts is not None:
        expert.conflicts.set(conflicts)
    audit.record(
        actor=acting_user,
        verb="programme_expert_update",
        obj=expert,
        data={"reason": "active" if expert.active else "retired"},
    )
    return expert


def _own_expert(acting_user) -> Expert:
    permissions.require(acting_user, Capability.SCORE_APPLICATIONS)
    expert = Expert.objects.filter(user=acting_user).first() if acting_user is not None else None
    if expert is None:
        raise Forbidden("forbidden", _("Only an expert of the pool declares its conflicts of interest."))
    return expert


def conflict_enterprise(uscc: str, name: str) -> Enterprise:
    """The enterprise an expert names by its unified social credit code and its full registered name,
    both: an expert may not browse the directory, so a code alone must not tell it a company's name,
    and a refusal says the same whether the code exists or not."""
    uscc, name = (uscc or "").strip().upper()[:18], (name or "").strip()[:100]
    found = Enterprise.objects.filter(uscc=uscc, name=name).first() if uscc and name else None
    if found is None:
        raise _invalid(
            "enterprise",
            _("No enterprise has both that unified social credit code and that full name."),
            "enterprise",
        )
    return found


def declared_conflict(*, uscc: str, acting_user) -> Enterprise:
    """One of the enterprises this expert has declared, by its code (to withdraw it)."""
    found = _own_expert(acting_user).conflicts.filter(uscc=(uscc or "").strip().upper()[:18]).first()
    if found is None:
        raise NotFound("conflict_not_declared", _("No such conflict of interest is declared."))
    return found


@transaction.atomic
def conflict_declare(*, enterprise: Enterprise, acting_user) -> Expert:
    """An expert declares a conflict of interest with an enterprise (二(四)4 回避): from then on no draw
    for an application of that enterprise picks it."""
    expert = _own_expert(acting_user)
    if expert.conflicts.filter(pk=enterprise.pk).exists():
        raise Conflict("conflict_declared", _("This conflict of interest is already declared."))
    expert.conflicts.add(enterprise)
    audit.record(
        actor=acting_user, verb="programme_conflict_declare", obj=expert, data={"enterprise": enterprise.name}
    )
    return expert


@transaction.atomic
def conflict_withdraw(*, enterprise: Enterprise, acting_user) -> Expert:
    """An expert takes back a conflict it declared; groups drawn meanwhile keep their exclusions."""
    expert = _own_expert(acting_user)
    if not expert.conflicts.filter(pk=enterprise.pk).exists():
        raise _invalid("enterprise", _("No such declared conflict of interest."), "enterprise")
    expert.conflicts.remove(enterprise)
    audit.record(
        actor=acting_user,
        verb="programme_conflict_withdraw",
        obj=expert,
        data={"enterprise": enterprise.name},
    )
    return expert


def conflicts_of(experts: list[Expert], applications: list[Application]) -> dict[int, str]:
    """expert id → why it may not review these applications: same organisation as an applicant
    (its name is the organisation's), or a declared conflict with one."""
    names = {a.enterprise.name.strip(): a for a in applications}
    ids = {a.enterprise_id for a in applications}
    declared = set(
        Expert.conflicts.through.objects.filter(
            expert_id__in=[e.pk for e in experts], enterprise_id__in=ids
        ).values_list("expert_id", flat=True)
    )
    found = {}
    for expert in experts:
        if expert.organisation.strip() in names:
            found[expert.pk] = "same_organisation"
        elif expert.pk in declared:
            found[expert.pk] = "declared"
    return found


@transaction.atomic
def group_draw(
    *,
    round_: Round,
    name: str,
    stage: str,
    size: int,
    applications: list[Application],
    acting_user,
    seed: str | None = None,
) -> ReviewGroup:
    """Draws `size` experts at random from the active pool for these applications, excluding those in
    conflict, spreading fields; the seed and the candidate list are stored so anyone can re-run it."""
    _office(acting_user)
    if stage not in ReviewGroup.Stage.values:
        raise _invalid("stage", _("Desk review or site check."), "stage")
    if not 1 <= size <= 15:
        raise _invalid("size", _("Draw from 1 to 15 experts."), "size")
    round_.refresh_from_db()
    if round_.stage != Round.Stage.REVIEW:
        raise Conflict("round_stage", _("Experts are drawn while the round is under review."))
    applications = list(applications)
    if not applications or any(a.round_id != round_.pk or a.state != A.State.IN_REVIEW for a in applications):
        raise _invalid(
            "applications", _("Choose applications of this round that are in review."), "applications"
        )
    if stage == ReviewGroup.Stage.SITE and any(not a.shortlisted for a in applications):
        raise _invalid("applications", _("Only the shortlist is checked on site."), "applications")
    pool = list(Expert.objects.filter(active=True).order_by("pk"))
    excluded = conflicts_of(pool, applications)
    candidates = [[e.pk, e.field] for e in pool if e.pk not in excluded]
    seed = (seed or drawing.new_seed())[:64]
    chosen = drawing.draw(candidates, seed, size)
    if len(chosen) < size:
        raise Conflict("pool_too_small", _("The pool has too few experts free of conflicts for this group."))
    group = ReviewGroup.objects.create(
        round=round_,
        name=name[:100],
        stage=stage,
        size=size,
        seed=seed,
        candidates=candidates,
        excluded=[{"expert": k, "reason": v} for k, v in sorted(excluded.items())],
        drawn_by=acting_user,
    )
    group.applications.set(applications)
    group.experts.set(chosen)
    audit.record(actor=acting_user, verb="programme_group_draw", obj=group, data={"reason": seed})
    users = [e.user for e in Expert.objects.filter(pk__in=chosen).select_related("user") if e.user]
    outbox.enqueue(
        event_key=f"programme_group:{group.pk}",
        recipients=users,
        subject=gettext("Applications to score: %(name)s") % {"name": group.name},
        body=gettext("You were drawn to score %(n)d applications.") % {"n": len(applications)},
        link=reverse("programs:my_reviews"),
    )
    return group


def redraw(group: ReviewGroup) -> list[int]:
    """The draw re-run from what the group stores: the same people."""
    return drawing.draw(group.candidates, group.seed, group.size)


def _marks(stage: str, marks: dict) -> dict[str, Decimal]:
    wanted = scoring.criteria(stage)
    if set(marks or {}) != set(wanted):
        raise _invalid("marks", _("Mark every criterion."), "marks")
    parsed = {}
    for key, value in marks.items():
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if (
            number is None
            or not number.is_finite()
            or not 0 <= number <= scoring.MARK_MAX
            or number != number.quantize(FEN)
        ):
            raise _invalid("marks", _("Each mark is a number from 0 to 100."), "marks")
        parsed[key] = number
    return parsed


@transaction.atomic
def score_submit(
    *, group: ReviewGroup, application: Application, marks: dict, acting_user, comment: str = ""
) -> Score:
    """An expert drawn for the group scores one of its applications; the score is locked once in."""
    permissions.require(acting_user, Capability.SCORE_APPLICATIONS)
    expert = Expert.objects.filter(user=acting_user, active=True).first()
    if (
        expert is None
        or not group.experts.filter(pk=expert.pk).exists()
        or not group.applications.filter(pk=application.pk).exists()
    ):
        raise Forbidden("forbidden", _("You were not drawn for this application."))
    application = _locked(application)
    if application.state != A.State.IN_REVIEW:
        raise Conflict("not_in_review", _("This application is no longer in review."))
    parsed = _marks(group.stage, marks)
    total = scoring.weighted(parsed, scoring.weights_of(group.round, group.stage))
    if Score.objects.filter(group=group, application=application, expert=expert).exists():
        raise Conflict("score_locked", _("Your score is submitted and locked."))
    score = Score.objects.create(
        group=group,
        application=application,
        expert=expert,
        criteria={k: str(v) for k, v in parsed.items()},
        total=total,
        comment=(comment or "")[:500],
    )
    _summarise(application)
    audit.record(
        actor=acting_user, verb="programme_score_submit", obj=application, data={"total": str(total)}
    )
    return score


def _summarise(application: Application) -> None:
    """The application's desk, site and combined score and spread, from its scores."""
    totals = defaultdict(list)
    for stage, total in Score.objects.filter(application=application).values_list("group__stage", "total"):
        totals[stage].append(Decimal(total))
    desk = scoring.mean(totals["desk"])
    site = scoring.mean(totals["site"])
    application.desk_score = desk
    application.site_score = site
    application.score = scoring.combined(desk, site, application.round.site_weight_percent)
    application.spread = (max(totals["desk"]) - min(totals["desk"])) if totals["desk"] else None
    application.save(update_fields=["desk_score", "site_score", "score", "spread"])


@transaction.atomic
def shortlist_set(*, round_: Round, applications: list[Application], acting_user) -> int:
    """The site-check shortlist (择优确定现场核查企业名单), chosen from the desk review."""
    _office(acting_user)
    ids = [a.pk for a in applications if a.round_id == round_.pk and a.state == A.State.IN_REVIEW]
    Application.objects.filter(round=round_).update(shortlisted=False)
    Application.objects.filter(pk__in=ids).update(shortlisted=True)
    audit.record(actor=acting_user, verb="programme_shortlist", obj=round_, data={"total": len(ids)})
    return len(ids)


# ---------------------------------------------------------------------------------------------
# Ranking, proposal, departments, notice, objections, publication


def _revenue_seen(application: Application) -> Decimal | None:
    for f in application.check_findings or ():
        if f.get("clause") == "SEL-4-REVENUE":
            value = f.get("seen", {}).get("revenue")
            return Decimal(value) if value is not None else None
    return None


def apportion(total: int, sizes: dict[str, int]) -> dict[str, int]:
    """`total` places shared among groups in proportion to their sizes (largest remainder, ties by
    name), never more than a group has."""
    places = {k: 0 for k in sizes}
    available = sum(sizes.values())
    if not available or total <= 0:
        return places
    total = min(total, available)
    shares = {k: Decimal(total) * v / available for k, v in sizes.items()}
    for k, share in shares.items():
        places[k] = min(int(share), sizes[k])
    left = total - sum(places.values())
    order = sorted(sizes, key=lambda k: (-(shares[k] - int(shares[k])), k))
    while left > 0:
        progressed = False
        for k in order:
            if left and places[k] < sizes[k]:
                places[k] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return places


def ranked(applications: list[Application]) -> dict[str, list[Application]]:
    """Applications by primary growth driver, best combined score first (ties: higher revenue, then
    the earlier number). An application without a combined score is ranked last."""
    by_driver = defaultdict(list)
    for a in applications:
        by_driver[a.primary_driver].append(a)
    for items in by_driver.values():
        items.sort(key=lambda a: (a.score is None, -(a.score or 0), -(_revenue_seen(a) or 0), a.number))
    return dict(by_driver)


@transaction.atomic
def proposal_make(*, round_: Round, acting_user) -> dict[str, int]:
    """The office's proposal (二(四)4(3)): honorary pilots first (revenue of the year checked ≥ the
    programme's threshold, admitted directly, outside the 200); then the pilot places shared among the
    growth drivers in proportion to their applications in review and filled by rank within each
    driver; then the reserve, by combined score across drivers. Each pilot gets its class's
    department. Readings taken: README, "The doubling programme — selection"."""
    _office(acting_user)
    round_.refresh_from_db()
    if round_.stage != Round.Stage.REVIEW:
        raise Conflict("round_stage", _("The proposal is made while the round is under review."))
    programme = round_.programme
    pool = list(
        Application.objects.select_for_update(of=("self",))
        .filter(round=round_, state__in=[A.State.IN_REVIEW, A.State.PROPOSED])
        .select_related("enterprise")
    )
    departments = dict(programme.classes.values_list("enterprise_class", "department_id"))
    for a in pool:
        a.outcome, a.rank = Application.Outcome.NONE, None
    honorary = [a for a in pool if (_revenue_seen(a) or 0) >= programme.honorary_revenue]
    for a in honorary:
        a.outcome = Application.Outcome.HONORARY
    rest = [a for a in pool if a.outcome == Application.Outcome.NONE]
    by_driver = ranked(rest)
    for items in by_driver.values():
        for i, a in enumerate(items, start=1):
            a.rank = i
    scored = {d: [a for a in items if a.score is not None] for d, items in by_driver.items()}
    places = apportion(programme.pilot_quota, {d: len(items) for d, items in scored.items()})
    for driver, items in scored.items():
        for a in items[: places[driver]]:
            a.outcome = Application.Outcome.PILOT
    targets = defaultdict(int)
    for _class, department_id, target in programme.classes.values_list(
        "enterprise_class", "department_id", "target"
    ):
        targets[department_id] += target
    swaps = balance(scored, departments, targets)
    left = sorted(
        (a for items in scored.values() for a in items if a.outcome == Application.Outcome.NONE),
        key=lambda a: (-(a.score or 0), a.number),
    )
    for a in left[: programme.reserve_quota]:
        a.outcome = Application.Outcome.RESERVE
    for a in pool:
        chosen = a.outcome in (Application.Outcome.PILOT, Application.Outcome.HONORARY)
        a.state = A.State.PROPOSED if a.outcome != Application.Outcome.NONE else A.State.IN_REVIEW
        a.department_id = departments.get(a.enterprise_class) if chosen else None
        a.department_reason = ""
        a.version += 1
    _write(pool, ["outcome", "rank", "state", "department", "department_reason", "version"])
    counts = Counter(a.outcome for a in pool)
    audit.record(
        actor=acting_user,
        verb="programme_proposal",
        obj=round_,
        data={"total": counts[Application.Outcome.PILOT], "balanced": len(swaps)},
    )
    for taken, left_out in swaps:
        audit.record(
            actor=acting_user,
            verb="programme_proposal_balance",
            obj=taken,
            data={
                "reason": gettext(
                    "In place of %(number)s (score %(score)s), to bring the responsible departments toward "
                    "their targets (四(一), 四(五)1)."
                )
                % {"number": left_out.number, "score": left_out.score}
            },
        )
    return dict(counts)


BALANCE_BAND = Decimal("0.2")  # "about 50" (约50家): within 20 % of the target, 40–60 — a reading


def balance(scored: dict, departments: dict, targets: dict) -> list[tuple[Application, Application]]:
    """Brings the proposed pilots' departments toward their targets (seed 000 四(一) 「分别对接培育约50家
    试点企业」, 四(五)1 「综合平衡…每个部门对口跟进约50家」). Reading: a department is in balance within
    BALANCE_BAND of its target (40–60 of 50). While one is above its band, places go from it to the
    departments below their target; while one is below its band, places come to it from those above
    their target. A place moves from the weakest pilot of the giving department to the best non-pilot
    of the receiving one *of the same growth driver* — so each driver keeps its places (二(四)4(3)) —
    choosing the move that costs the least score; it stops when no such move is left (a department
    with too few applicants stays below). Givers never fall below their target nor receivers rise
    above it, so it ends. Honorary pilots are outside the 200 places and are not counted. Returns
    (taken, left out) pairs; outcomes are changed in place."""
    pilot, none = Application.Outcome.PILOT, Application.Outcome.NONE
    low = {d: math.ceil(t * (1 - BALANCE_BAND)) for d, t in targets.items()}
    high = {d: math.floor(t * (1 + BALANCE_BAND)) for d, t in targets.items()}
    count = Counter()
    # driver → department → (its pilots in rank order, its other applicants best last): a giver only
    # gives and a taker only takes, so each move pops one of each.
    lanes = {}
    for driver, items in scored.items():
        for position, a in enumerate(items):
            department = departments.get(a.enterprise_class)
            pilots, others = lanes.setdefault(driver, {}).setdefault(department, ([], []))
            (pilots if a.outcome == pilot else others).append((position, a))
            count[department] += a.outcome == pilot
    for by_department in lanes.values():
        for _pilots, others in by_department.values():
            others.reverse()

    def move(givers: set, takers: set):
        best = None
        for by_department in lanes.values():
            out = [lane[0][-1] for d, lane in by_department.items() if d in givers and lane[0]]
            into = [lane[1][-1] for d, lane in by_department.items() if d in takers and lane[1]]
            if out and into:
                weakest, strongest = max(out, key=lambda p: p[0])[1], min(into, key=lambda p: p[0])[1]
                cost = (weakest.score - strongest.score, strongest.number)
                if best is None or cost < best[0]:
                    best = (cost, weakest, strongest, by_department)
        return best

    swaps = []
    while True:
        over = {d for d in targets if count[d] > high[d]}
        under = {d for d in targets if count[d] < low[d]}
        best = None
        if over:
            best = move(over, {d for d in targets if count[d] < targets[d]})
        if best is None and under:
            best = move({d for d in targets if count[d] > targets[d]}, under)
        if best is None:
            return swaps
        _cost, weakest, strongest, by_department = best
        by_department[departments.get(weakest.enterprise_class)][0].pop()
        by_department[departments.get(strongest.enterprise_class)][1].pop()
        weakest.outcome, strongest.outcome = none, pilot
        count[departments.get(weakest.enterprise_class)] -= 1
        count[departments.get(strongest.enterprise_class)] += 1
        swaps.append((strongest, weakest))


@transaction.atomic
def proposal_set(*, application: Application, outcome: str, reason: str, acting_user) -> Application:
    """The committee changes one application's place in the proposal (its positive factors weighed),
    with a reason."""
    application = _locked(application)
    lifecycle.STEPS["propose"].check(acting_user, application)
    if application.round.stage != Round.Stage.REVIEW:
        raise Conflict("round_stage", _("The proposal is fixed once the public notice begins."))
    if outcome not in Application.Outcome.values:
        raise _invalid("outcome", _("Choose pilot, honorary pilot, reserve or not selected."), "outcome")
    if not (reason or "").strip():
        raise _invalid("reason_missing", _("Say why."), "reason")
    chosen = outcome in (Application.Outcome.PILOT, Application.Outcome.HONORARY)
    application.outcome = outcome
    application.state = A.State.PROPOSED if outcome != Application.Outcome.NONE else A.State.IN_REVIEW
    if chosen and application.department_id is None:
        application.department_id = (
            application.round.programme.classes.filter(enterprise_class=application.enterprise_class)
            .values_list("department_id", flat=True)
            .first()
        )
    if not chosen:
        application.department_id, application.department_reason = None, ""
    application.version += 1
    application.save(update_fields=["outcome", "state", "department", "department_reason", "version"])
    audit.record(
        actor=acting_user, verb="programme_proposal_set", obj=application, data={"reason": reason[:300]}
    )
    return application


@transaction.atomic
def department_assign(
    *, application: Application, department: Department, acting_user, reason: str = ""
) -> Application:
    """Assigns a proposed pilot to a responsible department: its class's by default; another one
    needs a reason (四(五)1: 企业意愿、倍增路径侧重和综合平衡)."""
    application = _locked(application)
    lifecycle.STEPS["assign"].check(acting_user, application)
    if application.outcome not in (Application.Outcome.PILOT, Application.Outcome.HONORARY):
        raise Conflict("not_a_pilot", _("Only a proposed pilot is assigned to a department."))
    responsible = set(application.round.programme.classes.values_list("department_id", flat=True))
    if department.pk not in responsible:
        raise _invalid(
            "department", _("Choose one of the programme's responsible departments."), "department"
        )
    default = (
        application.round.programme.classes.filter(enterprise_class=application.enterprise_class)
        .values_list("department_id", flat=True)
        .first()
    )
    reason = (reason or "").strip()
    if department.pk != default and not reason:
        raise _invalid("reason_missing", _("Another department than the class's needs a reason."), "reason")
    application.department = department
    application.department_reason = reason[:200] if department.pk != default else ""
    application.save(update_fields=["department", "department_reason"])
    audit.record(
        actor=acting_user, verb="programme_department_assign", obj=application, data={"reason": reason[:200]}
    )
    return application


def department_counts(round_: Round) -> list[dict]:
    """For each responsible department: pilots proposed (honorary included) against its target."""
    classes = list(round_.programme.classes.select_related("department"))
    counts = Counter(
        Application.objects.filter(
            round=round_, outcome__in=[Application.Outcome.PILOT, Application.Outcome.HONORARY]
        )
        .exclude(state__in=[A.State.NOT_SELECTED, A.State.CHECK_FAILED])
        .values_list("department_id", flat=True)
    )
    seen, rows = set(), []
    for c in classes:
        if c.department_id in seen:
            continue
        seen.add(c.department_id)
        rows.append({"department": c.department, "count": counts.get(c.department_id, 0), "target": c.target})
    return rows


@transaction.atomic
def notice_start(*, round_: Round, starts_on: date, ends_on: date, acting_user) -> Round:
    """The public notice (公示) of the proposal, for the period the office sets."""
    _office(acting_user)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if ends_on < starts_on or (ends_on - starts_on).days > 60:
        raise _invalid("notice_period", _("The notice runs forward, at most 60 days."), "ends_on")
    if not Application.objects.filter(round=round_, state=A.State.PROPOSED).exists():
        raise Conflict("nothing_proposed", _("Make the proposal first."))
    _advance(round_, Round.Stage.REVIEW, Round.Stage.NOTICE)
    round_.notice_starts_on, round_.notice_ends_on = starts_on, ends_on
    round_.save(update_fields=["stage", "notice_starts_on", "notice_ends_on"])
    audit.record(
        actor=acting_user,
        verb="programme_notice_start",
        obj=round_,
        data={"notice_until": ends_on.isoformat()},
    )
    return round_


@transaction.atomic
def objection_record(
    *, application: Application, raised_by: str, content: str, received_on: date, acting_user
) -> Objection:
    _office(acting_user)
    round_ = application.round
    if round_.stage != Round.Stage.NOTICE or application.state != A.State.PROPOSED:
        raise Conflict("not_on_notice", _("Objections are recorded against the list on public notice."))
    if not raised_by.strip() or not content.strip():
        raise _invalid("objection", _("Say who objects and to what."), "content")
    objection = Objection.objects.create(
        application=application, raised_by=raised_by[:100], content=content[:2000], received_on=received_on
    )
    audit.record(
        actor=acting_user, verb="programme_objection_record", obj=application, data={"comment": content[:200]}
    )
    return objection


@transaction.atomic
def objection_decide(*, objection: Objection, decision: str, reason: str, acting_user) -> Objection:
    """Upheld: the application leaves the list (not selected); dismissed: it stays."""
    _office(acting_user)
    objection = Objection.objects.select_for_update().select_related("application").get(pk=objection.pk)
    if objection.decision != Objection.Decision.OPEN:
        raise Conflict("decided", _("This objection is decided already."))
    if decision not in (Objection.Decision.UPHELD, Objection.Decision.DISMISSED):
        raise _invalid("decision", _("Uphold or dismiss."), "decision")
    if not (reason or "").strip():
        raise _invalid("reason_missing", _("Say why."), "reason")
    objection.decision, objection.reason = decision, reason[:500]
    objection.decided_by, objection.decided_at = acting_user, timezone.now()
    objection.save()
    if decision == Objection.Decision.UPHELD:
        application = _locked(objection.application)
        lifecycle.STEPS["uphold"].check(acting_user, application)
        application.state, application.outcome = A.State.NOT_SELECTED, Application.Outcome.NONE
        application.version += 1
        application.save(update_fields=["state", "outcome", "version"])
    audit.record(
        actor=acting_user,
        verb="programme_objection_decide",
        obj=objection.application,
        data={"reason": reason[:300]},
    )
    return objection


@transaction.atomic
def round_publish(*, round_: Round, acting_user, today: date | None = None) -> dict[str, int]:
    """Publishes the list once the notice is over and every objection decided: pilots (and honorary
    pilots) become `Pilot`s of the programme from its first year, the reserve `ReserveEntry`s; every
    other application of the round is not selected. The enterprises' users are told."""
    _office(acting_user)
    today = today or timezone.localdate()
    round_ = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    if round_.stage != Round.Stage.NOTICE:
        raise Conflict("round_stage", _("The list is published after its public notice."))
    if today <= round_.notice_ends_on:
        raise Conflict("notice_running", _("The public notice has not ended."))
    if Objection.objects.filter(application__round=round_, decision=Objection.Decision.OPEN).exists():
        raise Conflict("objections_open", _("Decide every objection first."))
    programme = round_.programme
    proposed = list(
        Application.objects.select_for_update(of=("self",))
        .filter(round=round_, state=A.State.PROPOSED)
        .select_related("enterprise")
    )
    start_year = max(programme.start_year, today.year) if round_.for_reserve else programme.start_year
    pilots, reserve = [], []
    for a in proposed:
        if a.outcome in (Application.Outcome.PILOT, Application.Outcome.HONORARY):
            pilots.append(
                Pilot(
                    programme=programme,
                    enterprise=a.enterprise,
                    enterprise_class=a.enterprise_class,
                    department_id=a.department_id,
                    commitment_years=a.commitment_years,
                    start_year=start_year,
                    honorary=a.outcome == Application.Outcome.HONORARY,
                    application=a,
                    since=today,
                )
            )
        elif a.outcome == Application.Outcome.RESERVE:
            reserve.append(
                ReserveEntry(
                    programme=programme,
                    enterprise=a.enterprise,
                    enterprise_class=a.enterprise_class,
                    application=a,
                    score=a.score,
                    since=today,
                )
            )
    current = set(
        Pilot.objects.filter(programme=programme, state__in=Pilot.CURRENT_STATES).values_list(
            "enterprise_id", flat=True
        )
    )
    pilots = [p for p in pilots if p.enterprise_id not in current]
    Pilot.objects.bulk_create(pilots, batch_size=500)
    ReserveEntry.objects.filter(
        programme=programme, enterprise_id__in=[p.enterprise_id for p in pilots], active=True
    ).update(active=False)
    in_reserve = set(
        ReserveEntry.objects.filter(programme=programme, active=True).values_list("enterprise_id", flat=True)
    )
    ReserveEntry.objects.bulk_create(
        [r for r in reserve if r.enterprise_id not in in_reserve], batch_size=500
    )
    Application.objects.filter(round=round_, state=A.State.PROPOSED).update(state=A.State.SELECTED)
    Application.objects.filter(round=round_, state__in=[A.State.IN_REVIEW, A.State.SUBMITTED]).update(
        state=A.State.NOT_SELECTED, outcome=Application.Outcome.NONE
    )
    round_.stage, round_.published_on = Round.Stage.PUBLISHED, today
    round_.save(update_fields=["stage", "published_on"])
    audit.record(actor=acting_user, verb="programme_publish", obj=round_, data={"total": len(pilots)})
    chosen = {p.enterprise_id for p in pilots} | {r.enterprise_id for r in reserve}
    events = []
    users = defaultdict(list)
    for u in User.objects.filter(enterprise_id__in=chosen, is_active=True):
        users[u.enterprise_id].append(u)
    for a in proposed:
        if users.get(a.enterprise_id):
            label = Application.Outcome(a.outcome).label
            events.append(
                outbox.Pending(
                    event_key=f"programme_publish:{a.pk}",
                    recipients=users[a.enterprise_id],
                    subject=gettext("%(programme)s: the list is published") % {"programme": programme.name},
                    body=gettext("Application %(number)s: %(outcome)s.")
                    % {"number": a.number, "outcome": label},
                    link=reverse("programs:application_detail", args=[a.number]),
                )
            )
    outbox.enqueue_many(events)
    return {"pilots": len(pilots), "reserve": len(reserve)}


# ---------------------------------------------------------------------------------------------
# Enterprise facts (二(三)2)

FACT_VALUES = {
    EnterpriseFact.Key.ENV_CREDIT: ("绿牌", "蓝牌", "黄牌", "红牌"),
    EnterpriseFact.Key.KEY_ENERGY_USER: ("是", "否"),
    EnterpriseFact.Key.ENERGY_ASSESSMENT: ("超额完成", "完成", "基本完成", "未完成"),
}


def fact_problem(key: str, value: str) -> object | None:
    if key not in FACT_VALUES:
        return _("Unknown fact.")
    if value not in FACT_VALUES[key]:
        return Message(
            _("%(value)s is not one of: %(allowed)s."),
            {"value": value[:40], "allowed": "、".join(FACT_VALUES[key])},
        )
    return None


@transaction.atomic
def facts_record(*, rows: list[tuple[Enterprise, str, str, str, date]], acting_user) -> dict[str, int]:
    """Records (enterprise, key, value, source, as of) facts; the same fact of the same date is
    replaced. One audit row for the batch. Returns how many were created, updated and unchanged."""
    if acting_user is not None:
        permissions.require(acting_user, Capability.EDIT_DIRECTORY)
    for _e, key, value, source, _d in rows:
        if (problem := fact_problem(key, value)) is not None:
            raise _invalid("fact_value", problem, "value")
        if not source.strip():
            raise _invalid("fact_source", _("Name the source of the fact."), "source")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for enterprise, key, value, source, as_of in rows:
        found = EnterpriseFact.objects.filter(enterprise=enterprise, key=key, as_of=as_of).first()
        if found is None:
            EnterpriseFact.objects.create(
                enterprise=enterprise, key=key, as_of=as_of, value=value, source=source[:100]
            )
            counts["created"] += 1
        elif (found.value, found.source) == (value, source[:100]):
            counts["unchanged"] += 1
        else:
            found.value, found.source = value, source[:100]
            found.save(update_fields=["value", "source"])
            counts["updated"] += 1
    audit.record_batch(
        actor=acting_user,
        verb="programme_facts_record",
        model=EnterpriseFact,
        batch_id=uuid.uuid4().hex[:12],
        data={"entries": counts["created"] + counts["updated"]},
    )
    return counts
