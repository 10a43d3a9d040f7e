"""The figures a briefing states, gathered from the same selectors and KPI queries as the pages:
appeal KPIs (appeals/kpis.py over `appeals_visible_to(owner)`), the warning list's levels
(`appeals.selectors.warning_list`), the directory's period figures (best source first, as
`directory/figures.py`), the survey and the period's assessment (`assessment.selectors`)."""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from zhuqi.appeals import kpis
from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.assessment import periods
from zhuqi.assessment import selectors as assessment_selectors
from zhuqi.assessment.models import Assessment, Campaign, Row
from zhuqi.directory.figures import SOURCE_RANK
from zhuqi.directory.models import IndicatorValue, PeriodType

ONE_DECIMAL = Decimal("0.1")


def pct(rate) -> str:
    """A rate as a document states it: 97.5%; — when there is none."""
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)}%"


def yi(value) -> str:
    """Yuan as 亿元 with two decimals (a briefing's unit for the economy)."""
    if value is None:
        return "—"
    return f"{(Decimal(value) / Decimal(100_000_000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}亿元"


def _period_values(indicator: str, period: periods.Period, year: int) -> Decimal | None:
    """The sum over enterprises of an indicator for the period's quarters (or month), each enterprise's
    value from the most authoritative source (verified first, then 税务局 › 统计局 › 企业自报)."""
    if period.kind == "month":
        filters = {"period_type": PeriodType.MONTH, "period_no": period.number}
    else:
        quarters = sorted({(m - 1) // 3 + 1 for m in period.months()})
        filters = {"period_type": PeriodType.QUARTER, "period_no__in": quarters}
    rows = IndicatorValue.objects.filter(indicator=indicator, year=year, **filters).values_list(
        "enterprise_id", "period_no", "value", "source", "verified"
    )
    best: dict[tuple, tuple] = {}
    for enterprise_id, period_no, value, source, verified in rows:
        rank = (not verified, SOURCE_RANK.get(source, 9))
        key = (enterprise_id, period_no)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, value)
    if not best:
        return None
    return sum((v for _r, v in best.values()), Decimal(0))


def _growth(current, previous) -> str:
    if current is None or not previous:
        return "—"
    return pct(Decimal(current) / Decimal(previous) - 1)


def economy(period: periods.Period) -> dict:
    revenue = _period_values("revenue", period, period.year)
    tax = _period_values("tax_paid", period, period.year)
    revenue_before = _period_values("revenue", period, period.year - 1)
    tax_before = _period_values("tax_paid", period, period.year - 1)
    return {
        "revenue": yi(revenue),
        "tax": yi(tax),
        "revenue_growth": _growth(revenue, revenue_before),
        "tax_growth": _growth(tax, tax_before),
        "has_data": revenue is not None,
    }


def appeals_section(user, period: periods.Period) -> dict:
    appeals = appeal_selectors.appeals_visible_to(user)
    overall = kpis.compute(appeals, "all", start=period.start, end=period.end)[0]
    departments = kpis.compute(appeals, "department", start=period.start, end=period.end)
    months = kpis.compute(appeals, "month", start=period.start, end=period.end)
    levels = dict(appeal_selectors.warning_list(user).order_by().values_list("level").annotate(n=Count("pk")))
    return {
        "count": overall["count"],
        "closed": overall["closed"],
        "resolution_rate": pct(overall["resolution_rate"]),
        "on_time_rate": pct(overall["on_time_rate"]),
        "satisfaction_rate": pct(overall["satisfaction_rate"]),
        "reopen_rate": pct(overall["reopen_rate"]),
        "raw_resolution": overall["resolution_rate"],
        "departments": [
            {
                "name": r["group"],
                "count": r["count"],
                "closed": r["closed"],
                "resolution_rate": pct(r["resolution_rate"]),
                "on_time_rate": pct(r["on_time_rate"]),
                "satisfaction_rate": pct(r["satisfaction_rate"]),
            }
            for r in departments[:15]
        ],
        "months": [{"month": r["group"], "count": r["count"], "closed": r["closed"]} for r in months],
        "warnings": {
            "blue": levels.get("blue", 0),
            "yellow": levels.get("yellow", 0),
            "red": levels.get("red", 0),
        },
    }


def assessment_section(period: periods.Period) -> dict | None:
    """The period's assessment (or, for a quarter, none; a half year's own), as the ranking page."""
    found = Assessment.objects.filter(period=period.code).first()
    if found is None:
        return None
    rows = defaultdict(list)
    for row in assessment_selectors.ranking(found):
        rows[row.subject].append(
            {
                "rank": row.rank or "—",
                "name": row.name,
                "total": "—" if row.total is None else f"{row.total}",
                "survey": "—" if row.survey_score is None else f"{row.survey_score}",
                "resolution_rate": pct(row.resolution_rate),
                "answers": row.answers,
                "mark": row.get_mark_display() if row.mark else "",
            }
        )
    best = [r["name"] for r in rows[Row.Subject.DEPARTMENT] if r["mark"] and "优" in r["mark"]]
    worst = [r["name"] for r in rows[Row.Subject.DEPARTMENT] if r["mark"] and "差" in r["mark"]]
    return {
        "weights": {k: f"{v.normalize():f}%" for k, v in found.weights().items()},
        "target": pct(found.resolution_target),
        "departments": rows[Row.Subject.DEPARTMENT],
        "towns": rows[Row.Subject.TOWN],
        "best": "、".join(best) or "—",
        "worst": "、".join(worst) or "—",
        "published": found.state == "published",
    }


def survey_section(period: periods.Period) -> dict | None:
    campaign = Campaign.objects.filter(period=period.code).exclude(state="draft").order_by("-id").first()
    if campaign is None:
        return None
    invited = campaign.invitations.count()
    answered = campaign.invitations.filter(answered_on__isnull=False).count()
    return {
        "title": campaign.title,
        "invited": invited,
        "answered": answered,
        "answer_rate": pct(answered / invited) if invited else "—",
        "ratings": campaign.responses.count(),
        "min_answers": assessment_selectors.min_answers(),
    }


NEXT_DUE = {"month": "次月10日", "quarter": "下季度首月10日", "half": "下半年首月10日", "year": "次年1月10日"}


def gather(
    *,
    kind: str,
    period: periods.Period,
    user,
    number: str = "",
    data_date: date | None = None,
    section_codes=None,
    issuer: str = "",
) -> dict:
    """Everything the template reads. Numbers are already written as the document states them."""
    from zhuqi.briefings import sections

    today = timezone.localdate()
    data_date = data_date or min(today, period.end)
    return {
        "sections": sections.chosen(section_codes or sections.DEFAULTS[kind]),
        "issuer": issuer or sections.DEFAULT_ISSUER,
        "next_due": NEXT_DUE[period.kind],
        "targets": targets_section(period),
        "warnings": warnings_section(user),
        "programme": programme_section(user, period),
        "kind": kind,
        "period": period,
        "period_label": period.label,
        "number": number,
        "data_date": data_date,
        "data_date_label": f"{data_date.year}年{data_date.month}月{data_date.day}日",
        "issued_label": f"{today.year}年{today.month}月{today.day}日",
        "economy": economy(period),
        "appeals": appeals_section(user, period),
        "assessment": assessment_section(period),
        "survey": survey_section(period),
    }


# --- Targets, warnings and the doubling programme (issue 12: the briefing's remaining sections) -------


def measure_text(value, key: str) -> str:
    """A target's or an actual's figure as the document writes it: money in 亿元, rates with %, counts."""
    from zhuqi.monitoring import measures

    if value is None:
        return "—"
    found = measures.get(key)
    unit = found.unit if found else ""
    if unit == "yuan":
        return yi(value)
    number = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{number:f}"
    if unit == "percent":
        return f"{text}%"
    return text + {"person": "人", "mu": "亩", "item": "项", "count": "家"}.get(unit, "")


COLOUR_WORDS = {"green": "达到进度", "yellow": "略低于进度", "red": "明显落后", "none": "暂无数据"}


def _target_row(progress, scope_name: str) -> dict:
    from zhuqi.monitoring import measures

    t = progress.target
    measure = measures.get(t.measure)
    return {
        "scope": scope_name,
        "measure": str(measure.label) if measure else t.measure,
        "annual": measure_text(t.annual, t.measure),
        "through": f"1—{progress.through}月"
        if progress.through
        else ("全年" if progress.measurable else "—"),
        "target_to_date": measure_text(progress.target_to_date, t.measure) if progress.measurable else "—",
        "actual_to_date": measure_text(progress.actual_to_date, t.measure),
        "ratio": pct(progress.ratio) if progress.ratio is not None else "—",
        "colour": progress.colour,
        "standing": COLOUR_WORDS.get(progress.colour, "—") if progress.measurable else "暂不能测算",
    }


def targets_section(period: periods.Period) -> dict:
    """The year's targets of the city and of every town against the cumulative actuals to the period's
    last month (`monitoring.status.progress` over the actuals rollup): the city's in one read, the
    towns' in one read of targets and one of actuals, whatever their number."""
    from zhuqi.monitoring import measures, rules, status
    from zhuqi.monitoring import selectors as monitoring_selectors
    from zhuqi.monitoring.models import Actual

    through = period.end.month
    thresholds = rules.target_thresholds()
    order = {k: i for i, k in enumerate(measures.MEASURES)}

    def ordered(rows):
        return sorted(rows, key=lambda t: (order.get(t.measure, 999), t.town.code if t.town else ""))

    city_actuals = monitoring_selectors.actual_months(period.year, None)
    city = [
        _target_row(
            status.progress(
                t, through=through, months_actual=city_actuals.get(t.measure, {}), thresholds=thresholds
            ),
            "全市",
        )
        for t in ordered(monitoring_selectors.targets(year=period.year, town=None))
    ]
    town_targets = [t for t in monitoring_selectors.targets(year=period.year, town="all") if t.town_id]
    by_town: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    if town_targets:
        for town_id, indicator, month, value in Actual.objects.filter(
            year=period.year, month__gte=1, indicator__in=measures.FLOW
        ).values_list("town_id", "indicator", "month", "value"):
            by_town[town_id][indicator][month] = value
    towns = [
        _target_row(
            status.progress(
                t,
                through=through,
                months_actual=by_town[t.town_id].get(t.measure, {}),
                thresholds=thresholds,
            ),
            t.town.name,
        )
        for t in ordered(town_targets)
    ]
    behind = [r for r in towns if r["colour"] in ("yellow", "red")]
    return {
        "year": period.year,
        "through": through,
        "city": city,
        "towns": towns,
        "green": sum(1 for r in city + towns if r["colour"] == "green"),
        "yellow": sum(1 for r in city + towns if r["colour"] == "yellow"),
        "red": sum(1 for r in city + towns if r["colour"] == "red"),
        "behind": "、".join(dict.fromkeys(r["scope"] for r in behind)) or "无",
        "thresholds": {"green": pct(thresholds[0]), "yellow": pct(thresholds[1])},
    }


def warnings_section(user) -> dict:
    """The warnings centre's open warnings the requester may see, by kind and level: one aggregate
    (`monitoring.selectors.warnings_visible_to`, the centre's own scope)."""
    from django.db.models import Q

    from zhuqi.core import findings
    from zhuqi.monitoring import selectors as monitoring_selectors
    from zhuqi.monitoring.models import OPEN_WARNING_STATES

    labels = {k: str(v.label) for k, v in findings.kinds().items()}
    rows = (
        monitoring_selectors.warnings_visible_to(user)
        .filter(state__in=OPEN_WARNING_STATES)
        .values("kind")
        .annotate(
            n=Count("pk"),
            red=Count("pk", filter=Q(level="red")),
            yellow=Count("pk", filter=Q(level="yellow")),
            blue=Count("pk", filter=Q(level="blue")),
            acknowledged=Count("pk", filter=Q(state="acknowledged")),
        )
        .order_by("-red", "-n", "kind")
    )
    kinds = [
        {
            "kind": r["kind"],
            "label": labels.get(r["kind"], r["kind"]),
            "n": r["n"],
            "red": r["red"],
            "yellow": r["yellow"],
            "blue": r["blue"],
            "acknowledged": r["acknowledged"],
        }
        for r in rows
    ]
    return {
        "kinds": kinds,
        "total": sum(r["n"] for r in kinds),
        "red": sum(r["red"] for r in kinds),
        "yellow": sum(r["yellow"] for r in kinds),
        "blue": sum(r["blue"] for r in kinds),
        "new": sum(r["n"] - r["acknowledged"] for r in kinds),
    }


MAX_PROGRAMMES = 10
# The evaluation's words as a document writes them (seed 000 四(四)).
DECISION_WORDS = {"keep": "继续保留", "probation": "保留一年观察", "replace": "淘汰替换", "doubled": "已倍增"}
EVALUATION_STATE_WORDS = {"draft": "平台初评", "proposed": "遴选委员会已提出意见", "approved": "市政府已审定"}


def _best_annual(indicator: str, year):
    """The best annual value (verified first, then 税务局 › 统计局 › 企业自报) of the outer row's
    enterprise, as a subquery."""
    from django.db.models import OuterRef

    from zhuqi.monitoring.actuals import _rank

    return (
        IndicatorValue.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            indicator=indicator,
            period_type=PeriodType.YEAR,
            year=year,
        )
        .annotate(rank=_rank())
        .order_by("-verified", "rank", "-id")
        .values("value")[:1]
    )


def programme_section(user, period: periods.Period) -> dict | None:
    """The doubling programme (`programs.Pilot`, the pilots the requester may follow): pilots by state,
    their main revenue and tax of the latest year with figures against their base year (sums in the
    database over each pilot's best values), how many are on their doubling path (`programs.monitoring`'s
    exact test), and the latest evaluation's outcomes. None when there is no pilot."""
    from django.db.models import ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum

    from zhuqi.programs import monitoring as growth
    from zhuqi.programs import monitoring_selectors
    from zhuqi.programs.evaluation_models import EvaluationItem
    from zhuqi.programs.models import Pilot, Programme

    pilots = monitoring_selectors.pilots_visible_to(user)
    programmes = list(
        Programme.objects.filter(pk__in=pilots.values("programme_id")).order_by("level", "code")[
            :MAX_PROGRAMMES
        ]
    )
    if not programmes:
        return None
    states = Pilot.State.values
    decisions = DECISION_WORDS
    evaluations = monitoring_selectors.evaluations_visible_to(user)
    out = []
    for programme in programmes:
        own = pilots.filter(programme=programme)
        by_state = dict(own.order_by().values_list("state").annotate(n=Count("pk")))
        current = own.filter(state__in=Pilot.CURRENT_STATES)
        year = (
            IndicatorValue.objects.filter(
                enterprise_id__in=current.values("enterprise_id"),
                indicator=growth.REVENUE,
                period_type=PeriodType.YEAR,
                year__lte=period.year,
            )
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        growth_row = None
        if year is not None:
            valued = current.annotate(
                base_year=ExpressionWrapper(F("start_year") - 1, output_field=IntegerField())
            ).annotate(
                revenue=Subquery(_best_annual(growth.REVENUE, year)),
                tax=Subquery(_best_annual(growth.TAX, year)),
                base_revenue=Subquery(_best_annual(growth.REVENUE, OuterRef("base_year"))),
                base_tax=Subquery(_best_annual(growth.TAX, OuterRef("base_year"))),
            )
            both_r = Q(revenue__isnull=False, base_revenue__gt=0)
            both_t = Q(tax__isnull=False, base_tax__gt=0)
            sums = valued.aggregate(
                n_revenue=Count("pk", filter=both_r),
                sum_revenue=Sum("revenue", filter=both_r),
                sum_base_revenue=Sum("base_revenue", filter=both_r),
                n_tax=Count("pk", filter=both_t),
                sum_tax=Sum("tax", filter=both_t),
                sum_base_tax=Sum("base_tax", filter=both_t),
            )
            on_path = doubled = judged = 0
            for row in valued.values(
                "base_year", "commitment_years", "revenue", "tax", "base_revenue", "base_tax"
            ):
                s = growth.Standing(
                    base_year=row["base_year"],
                    year=year,
                    years=year - row["base_year"],
                    commitment_years=row["commitment_years"],
                    base_revenue=row["base_revenue"],
                    revenue=row["revenue"],
                    base_tax=row["base_tax"],
                    tax=row["tax"],
                )
                if s.on_path is not None:
                    judged += 1
                    on_path += bool(s.on_path)
                doubled += s.doubled
            growth_row = {
                "year": year,
                "revenue": yi(sums["sum_revenue"]),
                "base_revenue": yi(sums["sum_base_revenue"]),
                "revenue_ratio": _ratio(sums["sum_revenue"], sums["sum_base_revenue"]),
                "n_revenue": sums["n_revenue"],
                "tax": yi(sums["sum_tax"]),
                "base_tax": yi(sums["sum_base_tax"]),
                "tax_ratio": _ratio(sums["sum_tax"], sums["sum_base_tax"]),
                "n_tax": sums["n_tax"],
                "judged": judged,
                "on_path": on_path,
                "behind": judged - on_path,
                "doubled": doubled,
            }
        evaluation = evaluations.filter(programme=programme).order_by("-year", "-id").first()
        outcome = None
        if evaluation is not None:
            counted = dict(
                EvaluationItem.objects.filter(evaluation=evaluation)
                .order_by()
                .values_list("decision")
                .annotate(n=Count("pk"))
            )
            outcome = {
                "year": evaluation.year,
                "state": EVALUATION_STATE_WORDS.get(evaluation.state, ""),
                "items": sum(counted.values()),
                "decisions": [
                    {"decision": decisions[d], "n": counted[d]} for d in decisions if counted.get(d)
                ],
                **{d: counted.get(d, 0) for d in decisions},
            }
        out.append(
            {
                "name": programme.name,
                "current": sum(n for s, n in by_state.items() if s in Pilot.CURRENT_STATES),
                **{s: by_state.get(s, 0) for s in states},
                "growth": growth_row,
                "evaluation": outcome,
            }
        )
    return {"programmes": out}


def _ratio(value, base) -> str:
    """value / base as a document writes a multiple of the base: 1.52倍."""
    if value is None or not base:
        return "—"
    return f"{(Decimal(value) / Decimal(base)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}倍"
