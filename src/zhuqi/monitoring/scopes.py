"""Targets scoped to an industry chain (its members, `chains.Member`) or to a programme (its current
pilots, `programs.Pilot`): their actuals are the sum of the members' best values (the directory's
precedence, `actuals.best_values`), one aggregate in the database per read, since the rollup
(`models.Actual`) is kept per town only. A city or town target reads the rollup as before."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from zhuqi.directory.models import Enterprise, PeriodType
from zhuqi.monitoring import actuals


def members(target):
    """The ids of the enterprises in a chain's or programme's scope, as a subquery; None otherwise."""
    if target.chain_id:
        from zhuqi.chains.models import Member

        return Member.objects.filter(chain_id=target.chain_id).values("enterprise_id")
    if target.programme_id:
        from zhuqi.programs.models import Pilot

        return Pilot.objects.filter(programme_id=target.programme_id, state__in=Pilot.CURRENT_STATES).values(
            "enterprise_id"
        )
    return None


def is_scoped(target) -> bool:
    return bool(target.chain_id or target.programme_id)


def enterprises(target):
    """The enterprises a target covers: a chain's members, a programme's pilots, a town's or all."""
    scoped = members(target)
    if scoped is not None:
        return Enterprise.objects.filter(pk__in=scoped)
    if target.town_id:
        return Enterprise.objects.filter(town_id=target.town_id)
    return Enterprise.objects.all()


def _sums(target, indicators, years, period_type):
    return (
        actuals.best_values(list(years))
        .filter(indicator__in=list(indicators), period_type=period_type, enterprise_id__in=members(target))
        .values("indicator", "year", "period_no")
        .annotate(v=Sum("value"))
        .order_by()
    )


def monthly(target, indicators=None, year=None) -> dict[str, dict[int, Decimal]]:
    """{indicator: {month: value}} of a chain's or programme's members for the target's year."""
    out: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for r in _sums(target, indicators or [target.measure], [year or target.year], PeriodType.MONTH):
        out[r["indicator"]][r["period_no"]] = r["v"]
    return out


def history(target, years: int = 3) -> dict[int, dict[int, Decimal]]:
    """The members' monthly actuals of the `years` years before the target's: {year: {month: value}}."""
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    span = range(target.year - years, target.year)
    for r in _sums(target, [target.measure], span, PeriodType.MONTH):
        out[r["year"]][r["period_no"]] = r["v"]
    return dict(out)


def annual(target, indicator: str, years) -> dict[int, Decimal]:
    return {r["year"]: r["v"] for r in _sums(target, [indicator], years, PeriodType.YEAR)}
