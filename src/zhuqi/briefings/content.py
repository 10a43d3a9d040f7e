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


def gather(
    *, kind: str, period: periods.Period, user, number: str = "", data_date: date | None = None
) -> dict:
    """Everything the template reads. Numbers are already written as the document states them."""
    today = timezone.localdate()
    data_date = data_date or min(today, period.end)
    return {
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
