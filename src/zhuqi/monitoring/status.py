"""Where a target stands: the cumulative actual against the cumulative target, ahead or behind, and a
colour by the office's thresholds (`rules.DEFAULTS["target_missed"]`).

colour   cumulative actual / cumulative target ≥ green → green; ≥ yellow → yellow; otherwise red.
The comparison runs to the latest month with data in the target's scope (or the month asked for).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef

from zhuqi.directory.models import Enterprise, IndicatorValue, PeriodType
from zhuqi.monitoring import actuals, measures, rules, scopes
from zhuqi.monitoring.models import Target


def colour(actual: Decimal, target: Decimal, green: Decimal, yellow: Decimal) -> str:
    """green, yellow or red of `actual` against `target` by the thresholds (fractions of the target)."""
    if target is None or actual is None:
        return "none"
    if target <= 0:
        return "green" if actual >= target else "red"
    ratio = Decimal(actual) / Decimal(target)
    if ratio >= green:
        return "green"
    if ratio >= yellow:
        return "yellow"
    return "red"


@dataclass
class Progress:
    target: Target
    measurable: bool
    why_not: object = ""
    through: int | None = None  # the last month compared (flow), None when nothing to compare
    target_to_date: Decimal | None = None
    actual_to_date: Decimal | None = None
    colour: str = "none"
    months: list[dict] = field(default_factory=list)  # month, target, actual, cumulative both, colour
    note: object = ""

    @property
    def gap(self) -> Decimal | None:
        if self.actual_to_date is None or self.target_to_date is None:
            return None
        return self.actual_to_date - self.target_to_date

    @property
    def ratio(self) -> float | None:
        if not self.target_to_date or self.actual_to_date is None:
            return None
        return float(self.actual_to_date / self.target_to_date)

    @property
    def ahead(self) -> bool | None:
        return None if self.gap is None else self.gap >= 0


def progress(target: Target, *, through: int | None = None, months_actual=None, thresholds=None) -> Progress:
    """The target's standing. `months_actual` ({month: value}) and `thresholds` may be given by a caller
    that read them for many targets at once; `target.months` should be prefetched."""
    green, yellow = thresholds or rules.target_thresholds()
    measure = measures.get(target.measure)
    if measure is None or measure.kind == "none":
        return Progress(target, False, measure.why_not if measure else "")
    if measure.kind == "level":
        return _level(target, measure, green, yellow)
    planned = {m.month: m.amount for m in target.months.all()}
    if months_actual is not None:
        got = months_actual
    elif scopes.is_scoped(target):
        got = scopes.monthly(target).get(target.measure, {})
    else:
        got = actuals.monthly(target.measure, target.year, target.town_id)
    last = max(got) if got else None
    if through is not None:
        last = min(through, last) if last else None
    result = Progress(target, True, through=last)
    cum_t = cum_a = Decimal(0)
    for m in range(1, 13):
        t, a = planned.get(m, Decimal(0)), got.get(m)
        cum_t += t
        row = {"month": m, "target": t, "actual": a, "target_to_date": cum_t, "actual_to_date": None}
        if last and m <= last:
            cum_a += a or Decimal(0)
            row["actual_to_date"] = cum_a
            row["colour"] = colour(cum_a, cum_t, green, yellow)
        result.months.append(row)
    if last:
        result.target_to_date = result.months[last - 1]["target_to_date"]
        result.actual_to_date = cum_a
        result.colour = colour(cum_a, result.target_to_date, green, yellow)
    return result


def _scope(target: Target):
    qs = Enterprise.objects.all()
    return qs.filter(town_id=target.town_id) if target.town_id else qs


def level_value(
    measure_key: str, year: int, town_id: int | None, target: Target | None = None
) -> tuple[Decimal | None, int | None]:
    """(value, the year it is of) of a level measure in a scope (a town, or the chain's or programme's
    members of `target`); (None, None) when there is no data."""
    scoped = target is not None and scopes.is_scoped(target)
    if scoped:
        enterprises = scopes.enterprises(target)
    else:
        enterprises = Enterprise.objects.filter(town_id=town_id) if town_id else Enterprise.objects.all()
    above = enterprises.filter(tags__name=measures.ABOVE_SCALE_TAG)
    if measure_key == "above_scale_count":
        return Decimal(above.count()), year
    if measure_key == "rd_coverage":

        def with_rd(y):  # a semi-join: the R&D values are few
            return Exists(
                IndicatorValue.objects.filter(
                    enterprise_id=OuterRef("pk"),
                    indicator="rd_expense",
                    period_type=PeriodType.YEAR,
                    year=y,
                    value__gt=0,
                )
            )

        # One query for the total and both years tried (the home page's cockpit reads it).
        counts = above.aggregate(
            total=Count("pk"), **{f"y{y}": Count("pk", filter=with_rd(y)) for y in (year, year - 1)}
        )
        if not counts["total"]:
            return None, None
        for y in (year, year - 1):
            if covered := counts[f"y{y}"]:
                return (Decimal(covered) * 100 / Decimal(counts["total"])).quantize(Decimal("0.01")), y
        return None, None
    if measure_key == "rd_growth":
        span = range(year - 2, year + 1)
        sums = (
            scopes.annual(target, "rd_expense", span)
            if scoped
            else actuals.annual("rd_expense", span, town_id)
        )
        for y in (year, year - 1):
            if sums.get(y) and sums.get(y - 1):
                return ((sums[y] / sums[y - 1] - 1) * 100).quantize(Decimal("0.01")), y
        return None, None
    return None, None


def _level(target: Target, measure, green, yellow) -> Progress:
    value, of_year = level_value(target.measure, target.year, target.town_id, target)
    result = Progress(target, True, actual_to_date=value, target_to_date=target.annual)
    if value is None:
        result.note = measure.label
        return result
    result.colour = colour(value, target.annual, green, yellow)
    if of_year != target.year:
        result.note = of_year
    return result
