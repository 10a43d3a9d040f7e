"""The expression language: what it accepts, what it refuses (with the position), and the meaning
of missing values."""

from decimal import Decimal

import pytest

from zhuqi.rules import expr, single
from zhuqi.rules.expr import RuleError

TYPES = {"revenue": "number", "staff": "number", "pilot": "bool", "listing": "text", "rate.base": "number"}


def value(text, **env):
    node = expr.parse(text)
    expr.check(node, TYPES, text)
    return single.evaluate(
        node,
        {
            k: (Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in env.items()
        },
    )


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("revenue >= 20000000", {"revenue": 20000000}, True),
        ("revenue >= 2000万", None, "error"),
        ("min(revenue * 50%, 2000000)", {"revenue": 1000000}, 500000.0),
        ("max(revenue, staff) - 1", {"revenue": 3, "staff": 9}, 8.0),
        ('listing in {"neeq", "listed"}', {"listing": "neeq"}, True),
        ('listing not in {"neeq", "listed"}', {"listing": "neeq"}, False),
        ("if(pilot, rate.base * 2, rate.base)", {"pilot": True, "rate.base": 0.05}, Decimal("0.1")),
        ("bands(revenue, {0: 1, 100: 5, 1000: 10})", {"revenue": 999}, 5.0),
        ("bands(revenue, {100: 5, 1000: 10})", {"revenue": 50}, 0.0),
        ("not pilot or staff > 10", {"pilot": True, "staff": 11}, True),
        ("-revenue + 3", {"revenue": 5}, -2.0),
        # exact decimals: 0.1 + 0.2 is 0.3, and 30% of 4,238,794.05 is 1,271,638.215, not …21499…
        ("revenue + 0.2 == 0.3", {"revenue": 0.1}, True),
        ("revenue * 30%", {"revenue": 4238794.05}, Decimal("1271638.215")),
        ("revenue / 3", {"revenue": 2}, Decimal("0.6666666667")),  # division: 10 places, half to even
    ],
)
def test_values(text, env, expected):
    if expected == "error":
        with pytest.raises(RuleError):
            value(text)
    else:
        assert value(text, **env) == expected


def test_missing_values_follow_three_valued_logic():
    assert value("revenue > 5") is None  # unknown, not false
    assert value("pilot and revenue > 5", pilot=False) is False
    assert value("pilot or revenue > 5", pilot=True) is True
    assert value("pilot and revenue > 5", pilot=True) is None
    assert value("min(revenue, 100)") is None  # never "the cap" for a missing amount
    assert value("revenue / staff", revenue=10, staff=0) is None
    assert value("if(pilot, 1, 2)") is None
    assert value("bands(revenue, {1: 2})") is None


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("revenue >= ", 12, "ends too early"),
        ("revenu > 5", 1, "did you mean 'revenue'"),
        ('revenue > "5"', 9, "cannot compare a number with a text"),
        ("pilot + 1", 1, "needs a number"),
        ("exec(revenue)", 1, "unknown function 'exec'"),
        ("revenue > 5 and", 16, "ends too early"),
        ("revenue @ 5", 9, "unexpected character '@'"),
        ("bands(revenue, {5: 1, 2: 3})", 16, "rise from left to right"),
        ('listing in {"a", 1}', 18, "the set holds a number"),
        ('if(pilot, 1, "x")', 1, "gives a number when true but a text"),
        ("min(revenue)", 1, "at least two"),
        ("__import__", 1, "unknown name"),
    ],
)
def test_errors_carry_the_position(text, column, fragment):
    with pytest.raises(RuleError) as caught:
        node = expr.parse(text)
        expr.check(node, TYPES, text)
    assert caught.value.position == (1, column), caught.value
    assert fragment in caught.value.reason
    assert "^" in str(caught.value)  # the caret under the position


def test_no_python_is_ever_evaluated():
    for text in ("__import__('os').system('true')", "revenue.__class__", "lambda: 1", "[x for x in y]"):
        with pytest.raises(RuleError):
            expr.check(expr.parse(text), TYPES, text)
