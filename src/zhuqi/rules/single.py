"""The single-enterprise evaluator: the same meaning as the batch one (polars_eval), one value at a
time, with a trace a person can read: every condition with the value seen, the threshold and
whether it holds, and what is missing.

Numbers are exact decimals (`decimal.Decimal` in a context wide enough that + - * never round;
a division is rounded as exact.divide says), so both evaluators give the same number digit for digit
(the property tests in tests/rules prove it).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from zhuqi.rules import exact
from zhuqi.rules.expr import COMPARISONS, Node, band_pairs

Value = Decimal | bool | str | None
ZERO = Decimal(0)


def evaluate(node: Node, env: dict[str, Value]) -> Value:
    k = node.kind
    if k in ("num", "text", "bool"):
        return node.value
    if k == "name":
        return env.get(node.value)
    if k == "unary":
        v = evaluate(node.args[0], env)
        return None if v is None else exact.CONTEXT.minus(v)
    if k == "binary":
        a, b = (evaluate(x, env) for x in node.args)
        if a is None or b is None:
            return None
        if node.value == "/":
            return exact.divide(a, b)
        return exact.ARITHMETIC[node.value](a, b)
    if k == "compare":
        a, b = (evaluate(x, env) for x in node.args)
        if a is None or b is None:
            return None
        return COMPARISONS[node.value](a, b)
    if k == "in":
        v = evaluate(node.args[0], env)
        if v is None:
            return None
        inside = v in {item.value for item in node.args[1].args}
        return inside if node.value else not inside
    if k == "logic":
        a, b = (evaluate(x, env) for x in node.args)
        if node.value == "and":
            if a is False or b is False:
                return False
            return None if a is None or b is None else True
        if a is True or b is True:
            return True
        return None if a is None or b is None else False
    if k == "not":
        v = evaluate(node.args[0], env)
        return None if v is None else not v
    if k == "call":
        return _call(node, env)
    raise ValueError(f"cannot evaluate a {k}")  # pragma: no cover - check() refuses these


def _call(node: Node, env) -> Value:
    name = node.value
    if name == "if":
        condition = evaluate(node.args[0], env)
        if condition is None:
            return None
        return evaluate(node.args[1] if condition else node.args[2], env)
    if name == "bands":
        v = evaluate(node.args[0], env)
        if v is None:
            return None
        points = ZERO
        for threshold, score in band_pairs(node):
            if v >= threshold:
                points = score
        return points
    values = [evaluate(a, env) for a in node.args]
    if any(v is None for v in values):
        return None
    if name == "abs":
        return exact.CONTEXT.abs(values[0])
    return min(values) if name == "min" else max(values)


def unparse(node: Node) -> str:
    """The expression as text (for traces)."""
    k = node.kind
    if k == "num":
        return _plain(node.value)
    if k == "text":
        return f'"{node.value}"'
    if k == "bool":
        return "true" if node.value else "false"
    if k == "name":
        return node.value
    if k == "unary":
        return f"-{unparse(node.args[0])}"
    if k in ("binary", "compare"):
        return f"{unparse(node.args[0])} {node.value} {unparse(node.args[1])}"
    if k == "logic":
        return f"({unparse(node.args[0])} {node.value} {unparse(node.args[1])})"
    if k == "not":
        return f"not {unparse(node.args[0])}"
    if k == "in":
        items = ", ".join(unparse(i) for i in node.args[1].args)
        return f"{unparse(node.args[0])} {'in' if node.value else 'not in'} {{{items}}}"
    if k == "call":
        if node.value == "bands":
            pairs = ", ".join(f"{_plain(t)}: {_plain(p)}" for t, p in band_pairs(node))
            return f"bands({unparse(node.args[0])}, {{{pairs}}})"
        return f"{node.value}({', '.join(unparse(a) for a in node.args)})"
    return k


def _plain(value: Decimal) -> str:
    """0.575 as 0.575, 2000000 as 2000000 (never 2E+6)."""
    text = format(value.normalize(context=exact.CONTEXT), "f")
    return text


@dataclass
class Check:
    """One condition of a clause as this enterprise meets it (or not)."""

    text: str  # the condition as written, e.g. "main_revenue >= 20000000"
    holds: bool | None  # None: a value it needs is missing
    seen: dict[str, Value] = field(default_factory=dict)  # the facts and parameters it read
    left: Value = None
    operator: str = ""
    right: Value = None


def checks(node: Node, env: dict[str, Value]) -> list[Check]:
    """The leaves of a condition (comparisons, memberships, yes/no facts) with their outcome."""
    if node.kind in ("logic",):
        return [c for a in node.args for c in checks(a, env)]
    if node.kind == "not":
        inner = checks(node.args[0], env)
        if len(inner) == 1:
            c = inner[0]
            c.text = f"not {c.text}"
            c.holds = None if c.holds is None else not c.holds
        return inner
    seen = {n: env.get(n) for n in sorted(node.names())}
    found = Check(text=unparse(node), holds=evaluate(node, env), seen=seen)
    if node.kind == "compare":
        found.left, found.operator, found.right = (
            evaluate(node.args[0], env),
            node.value,
            evaluate(node.args[1], env),
        )
    return [found]
