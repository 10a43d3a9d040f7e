"""The demo city's monitoring: monthly revenue and tax (2023 to October 2026), the 2026 targets of the
city and of each town, seed 002's yearly targets, and the warnings the sweep finds — all through the
real services.

The directory's demo has annual values for 2021–2025 and 2026 Q1–Q3; monthly values are derived here in
the database, in one INSERT … SELECT per period kind (fast at any demo size): each year's revenue and tax
spread over the months by a seasonal shape (a slow February, a strong December), each 2026 quarter over
its three months by the same shape, and October 2026 as September's level. One programme enterprise's
2026 is cut by 30 % so that a fall (figure_fall) is there to see.
"""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.directory.models import Enterprise, IndicatorValue, PeriodType, Town
from zhuqi.monitoring import actuals, targets, warnings
from zhuqi.monitoring.models import Method, Warning, WarningState

YEAR = 2026
# Share of each month in its year (sums to 1): Spring Festival in February, the year-end push.
SHAPE = [
    Decimal(x)
    for x in (
        "0.075",
        "0.055",
        "0.085",
        "0.082",
        "0.084",
        "0.088",
        "0.083",
        "0.082",
        "0.088",
        "0.089",
        "0.091",
        "0.098",
    )
]
INDICATORS = ("revenue", "tax_paid")
TOWN_GROWTH = (Decimal("1.06"), Decimal("1.10"), Decimal("1.14"), Decimal("1.08"))


def _shares_sql(shares) -> str:
    return " UNION ALL ".join(f"SELECT {m} AS m, {q} AS q, {s} AS share" for m, q, s in shares)


def build_monthly_values() -> int:
    table = IndicatorValue._meta.db_table
    now = timezone.now()
    indicators = ", ".join(f"'{i}'" for i in INDICATORS)
    yearly = [(m, (m - 1) // 3 + 1, SHAPE[m - 1]) for m in range(1, 13)]
    quarterly = []
    for m in range(1, 13):
        q = (m - 1) // 3 + 1
        in_quarter = SHAPE[3 * q - 3 : 3 * q]
        quarterly.append((m, q, (SHAPE[m - 1] / sum(in_quarter)).quantize(Decimal("0.000001"))))
    columns = "enterprise_id, indicator, period_type, year, period_no, value, source, verified, updated_at"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT v.enterprise_id, v.indicator, 'month', v.year, s.m, "
            f"ROUND(v.value * s.share, 2), v.source, v.verified, %s FROM {table} v "
            f"CROSS JOIN ({_shares_sql(yearly)}) s WHERE v.period_type = 'year' AND v.year BETWEEN %s AND %s "
            f"AND v.indicator IN ({indicators})",
            [now, YEAR - 3, YEAR - 1],
        )
        made = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT v.enterprise_id, v.indicator, 'month', v.year, s.m, "
            f"ROUND(v.value * s.share, 2), v.source, v.verified, %s FROM {table} v "
            f"JOIN ({_shares_sql(quarterly)}) s ON s.q = v.period_no WHERE v.period_type = 'quarter' "
            f"AND v.year = %s AND v.indicator IN ({indicators})",
            [now, YEAR],
        )
        made += cursor.rowcount
        # October: September's level (Q4 has not been reported as a quarter yet).
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT enterprise_id, indicator, 'month', year, 10, "
            f"ROUND(value * {SHAPE[9] / SHAPE[8]:.6f}, 2), source, verified, %s FROM {table} "
            f"WHERE period_type = 'month' AND year = %s AND period_no = 9 AND indicator IN ({indicators})",
            [now, YEAR],
        )
        made += cursor.rowcount
    return made


def _overdue_appeals() -> None:
    """Two appeals being handled whose deadline passed (2 and 10 days ago), so that deadline warnings
    (督办, appeal_deadline) are there to see in a freshly built city."""
    from datetime import timedelta

    from zhuqi.appeals.models import Appeal, State

    now = timezone.now()
    for appeal, days in zip(
        Appeal.objects.filter(state=State.ACCEPTED).order_by("id")[:2], (2, 10), strict=False
    ):
        Appeal.objects.filter(pk=appeal.pk).update(resolve_due=now - timedelta(days=days), sweep_at=now)


def build(today: date | None = None) -> dict[str, int]:
    made = build_monthly_values()
    falling = (
        Enterprise.objects.exclude(doubling_class="")
        .exclude(pk__in=User.objects.filter(username="enterprise").values("enterprise_id"))
        .order_by("id")
        .first()
    )
    if falling is not None:
        for value in IndicatorValue.objects.filter(
            enterprise=falling, year=YEAR, period_type=PeriodType.MONTH, indicator__in=INDICATORS
        ):
            value.value = (value.value * Decimal("0.7")).quantize(Decimal("0.01"))
            value.save(update_fields=["value"])
    actuals.refresh(range(YEAR - 4, YEAR + 1))
    coordinator = User.objects.get(username="coordinator")
    made_targets = 0
    for indicator, growth in (("revenue", Decimal("1.10")), ("tax_paid", Decimal("1.08"))):
        last = actuals.annual(indicator, [YEAR - 1]).get(YEAR - 1) or Decimal(0)
        targets.target_set(
            acting_user=coordinator,
            measure=indicator,
            year=YEAR,
            town=None,
            annual=(last * growth).quantize(Decimal(1)),
            note="较上年增长" + f"{(growth - 1) * 100:.0f}%",
        )
        made_targets += 1
        for i, town in enumerate(Town.objects.order_by("code")):
            town_last = actuals.annual(indicator, [YEAR - 1], town.pk).get(YEAR - 1)
            if not town_last:
                continue
            targets.target_set(
                acting_user=coordinator,
                measure=indicator,
                year=YEAR,
                town=town,
                annual=(town_last * TOWN_GROWTH[i % len(TOWN_GROWTH)]).quantize(Decimal(1)),
                method=Method.SEASONAL,
            )
            made_targets += 1
    # Seed 002's yearly targets where the platform has (or not yet) a measure for them.
    above = Enterprise.objects.filter(tags__name="规上企业").count()
    for measure, annual, note in (
        ("above_scale_count", above + 22, "力争全年新增规模以上工业企业22家"),
        ("rd_coverage", 75, "规模以上工业企业研发活动覆盖率达到75%"),
        ("rd_growth", 18, "力争企业研发投入增长18%以上"),
        ("tech_investment_growth", 30, "确保全年企业技术改造投资增长30%"),
        ("procurement_reserve", 40, "政府采购工程项目预留比例提高至40%以上"),
        ("industrial_land_share", 60, "确保产业用地指标不低于60%"),
    ):
        targets.target_set(
            acting_user=coordinator, measure=measure, year=YEAR, town=None, annual=Decimal(annual), note=note
        )
        made_targets += 1
    _overdue_appeals()
    counts = warnings.sweep(today or timezone.localdate())
    # One warning acknowledged and one handled, so the centre shows every state.
    first = list(Warning.objects.filter(state=WarningState.NEW).order_by("id")[:2])
    if first:
        warnings.warning_act(warning=first[0], action="acknowledge", acting_user=coordinator)
    if len(first) > 1:
        warnings.warning_act(
            warning=first[1], action="handle", acting_user=coordinator, note="已电话核实，企业正在整改。"
        )
    return {
        "monthly_values": made,
        "targets": made_targets,
        "warnings": sum(c.get("raised", 0) for c in counts.values()),
    }
