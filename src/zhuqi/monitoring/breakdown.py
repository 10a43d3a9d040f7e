"""Breaking an annual target down to twelve months that sum to it exactly (seed 003 三(一)2).

Every amount is Decimal yuan to the fen. A split by weights gives each month its share rounded down to
the fen, then hands the fens left over one each to the months with the largest remainders (ties to the
earlier month): the largest-remainder method, so the months always sum to the annual figure exactly,
the result is the same every time, and no month is more than a fen from its exact share.
"""

from decimal import ROUND_FLOOR, Decimal, localcontext

from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, ZhuqiError

FEN = Decimal("0.01")
MONTHS = range(1, 13)
_QUARTERS_NEEDED = _("Give four quarters.")
_MONTHS_NEEDED = _("Give twelve months.")
_SUM_DIFFERS = _("The parts sum to %(sum)s, not to the annual target %(total)s.")
QUARTER_MONTHS = {q: (3 * q - 2, 3 * q - 1, 3 * q) for q in (1, 2, 3, 4)}


def split(total: Decimal, weights: list) -> list[Decimal]:
    """`total` split in proportion to `weights` (non-negative, at least one positive), to the fen, the
    parts summing to `total` exactly. Negative totals split as their opposite."""
    total = Decimal(total).quantize(FEN)
    if total < 0:
        return [-part for part in split(-total, weights)]
    weights = [Decimal(w) for w in weights]
    whole = sum(weights)
    if whole <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    cents = int(total / FEN)
    with localcontext() as context:
        context.prec = 60  # far beyond 18 digits of yuan: the shares are exact enough to order
        exact = [Decimal(cents) * w / whole for w in weights]
        floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * FEN for c in floors]


def even(total: Decimal) -> list[Decimal]:
    return split(total, [1] * 12)


def seasonal_profile(history: dict[int, dict[int, Decimal]]) -> list[Decimal] | None:
    """Weights of the twelve months from the monthly actuals of the previous years
    ({year: {month: value}}): each month's total over the years that have all twelve months with a
    positive sum. None when no year qualifies (the caller then splits evenly)."""
    weights = [Decimal(0)] * 12
    used = 0
    for months in history.values():
        values = [Decimal(months.get(m) or 0) for m in MONTHS]
        if len([m for m in MONTHS if months.get(m) is not None]) < 12 or sum(values) <= 0:
            continue
        if any(v < 0 for v in values):
            continue
        used += 1
        year_total = sum(values)
        # Each year counts as much as any other, whatever its size: shares, not amounts, are added.
        weights = [w + v / year_total for w, v in zip(weights, values, strict=True)]
    return weights if used else None


def seasonal(total: Decimal, history: dict[int, dict[int, Decimal]]) -> tuple[list[Decimal], bool]:
    """(months, whether a profile was found); without history the months are even."""
    profile = seasonal_profile(history)
    if profile is None:
        return even(total), False
    return split(total, profile), True


def by_quarters(total: Decimal, quarters: list[Decimal]) -> list[Decimal]:
    """Four quarters typed by hand (they must sum to the annual target), each split evenly over its months."""
    quarters = [Decimal(q).quantize(FEN) for q in quarters]
    if len(quarters) != 4:
        raise ZhuqiError("bad_breakdown", Message(_QUARTERS_NEEDED), status=422, field="quarters")
    _check_sum(total, quarters, "quarters")
    months: list[Decimal] = []
    for q in quarters:
        months += split(q, [1, 1, 1])
    return months


def by_months(total: Decimal, months: list[Decimal]) -> list[Decimal]:
    months = [Decimal(m).quantize(FEN) for m in months]
    if len(months) != 12:
        raise ZhuqiError("bad_breakdown", Message(_MONTHS_NEEDED), status=422, field="months")
    _check_sum(total, months, "months")
    return months


def quarters_of(months: list[Decimal]) -> list[Decimal]:
    return [sum(months[m - 1] for m in QUARTER_MONTHS[q]) for q in (1, 2, 3, 4)]


def _check_sum(total, parts, field) -> None:
    if sum(parts) != Decimal(total).quantize(FEN):
        raise ZhuqiError(
            "breakdown_sum",
            Message(_SUM_DIFFERS, {"sum": f"{sum(parts):,.2f}", "total": f"{Decimal(total):,.2f}"}),
            status=422,
            field=field,
        )
