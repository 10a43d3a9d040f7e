"""Exact numbers: what every number of a clause means, in both evaluators.

A number is a decimal. Facts and inputs carry at most FACT_PLACES places (the fen) and are smaller
than FACT_LIMIT in size; literals and parameters are read from their text exactly (30% is 3/10, never
the binary float nearest it). Then:

- `+ - *`, comparisons, min, max, abs, if and bands are exact: no rounding anywhere;
- `a / b` is the only operation that can have no finite decimal result: it is rounded half to even
  at DIVISION_PLACES places (and x / 0 is missing);
- a clause's amount is rounded once, half up (四舍五入), to the fen, when it becomes money
  (`to_fen`). No seed paragraph prescribes a rounding; payments are made in fen, so that is the
  one place an amount is rounded.

How the batch evaluator stays exact and fast (polars_eval.py): a number is an integer column with a
scale fixed when the clause is compiled (0.575 is 575 at scale 3; a fact is its value in fen,
scale 2), so × adds scales and multiplies integers, + and comparisons first bring both sides to the
larger scale, and nothing is ever rounded but a division. `shape` follows every node's scale and
the largest magnitude it can reach from FACT_LIMIT and the literals: a node that fits 64 bits is
computed in Int64 (as fast as floats), one that may not in Int128, and an expression that could
exceed 128 bits is refused when the pack is loaded. The single evaluator (single.py) computes with
`decimal.Decimal` in a context wide enough that + - * are exact, and divides with `divide`: both
give the same number, digit for digit (tests/rules/test_equivalence.py).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction

FACT_PLACES = 2  # facts and inputs are money to the fen, counts, years
FACT_LIMIT = 10**14  # 百万亿元, the directory's bound on an indicator value (indicators.MONEY_MAX)
DIVISION_PLACES = 10
INT64_MAX = 2**63 - 1
INT128_MAX = 2**127 - 1

# Wide enough that every + - * of numbers within the limits is exact (at most 39 digits each side).
CONTEXT = Context(prec=100, traps=[InvalidOperation])
FEN = Decimal("0.01")


class NumberError(ValueError):
    """A fact or input that is not an exact number within the limits."""


def number(value, name: str = "value") -> Decimal | None:
    """A fact's or input's value as an exact Decimal: from Decimal, int or text. A float is refused:
    its binary value is not the decimal that was meant (0.3 is 0.299999999999999988897769753748…)."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        raise NumberError(f"{name}: a number must be a Decimal, an int or text, not {value!r}")
    if isinstance(value, Decimal):
        found = value
    else:
        try:
            found = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise NumberError(f"{name}: {value!r} is not a number") from None
    if not found.is_finite():
        raise NumberError(f"{name}: {value!r} is not a finite number")
    if abs(found) >= FACT_LIMIT:
        raise NumberError(f"{name}: {found} is not smaller than {FACT_LIMIT:,} in size")
    if found != found.quantize(FEN, context=CONTEXT):
        raise NumberError(f"{name}: {found} has more than {FACT_PLACES} decimal places")
    return found


# The operators of the single evaluator (polars_eval uses Python's operator module on integers).
ARITHMETIC = {"+": CONTEXT.add, "-": CONTEXT.subtract, "*": CONTEXT.multiply}


def literal(text: str) -> Decimal:
    """A number as written in a clause or a parameter, exactly: '30%' is 0.3, '1.15' is 1.15."""
    text = str(text).strip().replace(",", "").replace("_", "")
    percent = text.endswith("%")
    value = Decimal(text[:-1] if percent else text)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value.scaleb(-2, context=CONTEXT).normalize(CONTEXT) if percent else value  # 50% is 0.5


def divide(a: Decimal, b: Decimal) -> Decimal | None:
    """a / b rounded half to even at DIVISION_PLACES; None when b is 0 (as in the batch evaluator)."""
    if b == 0:
        return None
    exact = Fraction(a) / Fraction(b) * 10**DIVISION_PLACES
    return Decimal(round(exact)).scaleb(-DIVISION_PLACES, context=CONTEXT)  # round(): half to even


def to_fen(amount: Decimal | None) -> Decimal | None:
    """An amount as money: rounded half up (四舍五入, away from zero) to the fen."""
    if amount is None:
        return None
    return amount.quantize(FEN, rounding=ROUND_HALF_UP, context=CONTEXT)


# --- the batch evaluator's plan: every node's scale and the largest magnitude it can reach ---


@dataclass(frozen=True)
class Shape:
    """A number node in the batch evaluator: value = integer / 10**scale, with the integer in
    [low, high] (by default [-bound, bound]); bound is the largest magnitude it can reach. The
    interval is what lets the compiler drop work that cannot change the answer (a max(0, x) of an x
    that is never negative, the branch for negative values when an amount is rounded)."""

    scale: int
    bound: int
    low: int | None = None
    high: int | None = None

    def __post_init__(self):
        if self.low is None:
            object.__setattr__(self, "low", -self.bound)
        if self.high is None:
            object.__setattr__(self, "high", self.bound)

    @classmethod
    def span(cls, scale: int, low: int, high: int) -> "Shape":
        """The shape of an integer known to lie in [low, high]."""
        return cls(scale, max(abs(low), abs(high)), low, high)

    def at(self, scale: int) -> "Shape":
        """The same values at a scale at least this one's (the integers times 10**k)."""
        factor = 10 ** (scale - self.scale)
        return Shape.span(scale, self.low * factor, self.high * factor)

    @property
    def wide(self) -> bool:  # needs Int128
        return self.bound > INT64_MAX


COLUMN = Shape(FACT_PLACES, FACT_LIMIT * 10**FACT_PLACES)


def constant_shape(value: Decimal | None) -> tuple[Shape, int | None]:
    """The shape of a known number and its integer (None for a missing parameter)."""
    if value is None:
        return Shape(0, 0), None
    exponent = value.normalize(context=CONTEXT).as_tuple().exponent
    scale = max(0, -exponent)
    raw = int(value.scaleb(scale, context=CONTEXT))
    return Shape.span(scale, raw, raw), raw


def aligned(shapes: list[Shape]) -> tuple[int, int]:
    """The common scale of several numbers and the largest magnitude one of them reaches at it."""
    scale = max(s.scale for s in shapes)
    return scale, max(s.bound * 10 ** (scale - s.scale) for s in shapes)


def check_bound(bound: int, what: str) -> None:
    if bound > INT128_MAX:
        raise OverflowError(
            f"{what} can exceed 128 bits with facts up to {FACT_LIMIT:,}: simplify the expression"
        )
