"""The expression language of policy clauses: small, typed, and unable to run arbitrary code.

    主营业务收入 >= 2000万 is written   main_revenue >= 20000000
    a rate with a cap                  min(fees * consulting.rate, consulting.cap)
    membership                         listing in {"listed", "neeq"}
    conditional                        if(target_is_local, 0.575, 0.5)
    banded points                      bands(rd_ratio, {0.03: 5, 0.05: 10, 0.08: 15})
    percent literals                   50%   (= 0.5, exactly: numbers are decimals, exact.py)

Grammar, loosest first: `or`, `and`, `not`, comparison (< <= > >= == != in, not in), + -, * /,
unary -, atoms (numbers, "strings", true, false, names with dots, calls, parentheses, {sets},
{threshold: points} bands). Functions: min, max, abs, if, bands. Names are facts of the enterprise,
inputs of an application, or dated parameters; which is decided by the clause that uses them.

Missing values follow three-valued logic (as Polars and SQL do): arithmetic or comparison with a
missing value is missing; `false and missing` is false, `true or missing` is true; x / 0 is
missing. A missing condition never makes an enterprise eligible.

`parse` returns a tree of Node; `check` gives each node a type (number, bool, text) or raises
RuleError with the position. Both evaluators (batch in polars_eval, single in trace) walk that tree.
"""

import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal

from zhuqi.rules import exact

NUMBER, BOOL, TEXT = "number", "bool", "text"


class RuleError(ValueError):
    """A rule that cannot be loaded: where (clause, expression, line and column) and why."""

    def __init__(self, message: str, *, source: str = "", offset: int | None = None, where: str = ""):
        self.reason = message
        self.source = source
        self.offset = offset
        self.where = where
        super().__init__(self.describe())

    @property
    def position(self) -> tuple[int, int] | None:
        if self.offset is None:
            return None
        before = self.source[: self.offset]
        return before.count("\n") + 1, self.offset - (before.rfind("\n") + 1) + 1

    def describe(self) -> str:
        head = self.where
        if self.position:
            line, column = self.position
            head = f"{head}, line {line}, column {column}" if head else f"line {line}, column {column}"
        text = f"{head}: {self.reason}" if head else self.reason
        if self.position and self.source.strip():
            line, column = self.position
            text += f"\n    {self.source.splitlines()[line - 1]}\n    {' ' * (column - 1)}^"
        return text

    def located(self, where: str) -> "RuleError":
        return RuleError(self.reason, source=self.source, offset=self.offset, where=where)


@dataclass
class Node:
    kind: str  # num, text, bool, name, unary, binary, compare, logic, not, call, set, bands, in
    offset: int
    value: object = None  # literal value, operator, name or function
    args: list["Node"] = field(default_factory=list)
    type: str = ""  # filled by check()

    def names(self) -> set[str]:
        found = {self.value} if self.kind == "name" else set()
        for a in self.args:
            found |= a.names()
        return found


TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%?)
    | (?P<text>"[^"\\]*"|'[^'\\]*')
    | (?P<name>[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*(?:\.[\w\u4e00-\u9fff]+)*)
    | (?P<op><=|>=|==|!=|[-+*/<>(),{}:])
    )""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "in", "true", "false"}
# The operators of the batch evaluator (integers in Polars, polars_eval.py); the single one uses
# their exact Decimal twins (exact.ARITHMETIC). Division is not here: see exact.divide.
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
COMPARISONS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
FUNCTIONS = {"min", "max", "abs", "if", "bands"}


def _tokens(source: str):
    pos = 0
    out = []
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = TOKEN.match(source, pos)
        if not m or m.end() == pos:
            bad = pos + (len(source[pos:]) - len(source[pos:].lstrip()))
            raise RuleError(f"unexpected character {source[bad]!r}", source=source, offset=bad)
        kind = m.lastgroup
        start = m.start(kind)
        out.append((kind, m.group(kind), start))
        pos = m.end()
    out.append(("end", "", len(source)))
    return out


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokens(source)
        self.i = 0

    def peek(self, ahead: int = 0):
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self):
        token = self.tokens[self.i]
        self.i += 1
        return token

    def error(self, message, offset=None):
        return RuleError(message, source=self.source, offset=self.peek()[2] if offset is None else offset)

    def accept(self, *values) -> bool:
        kind, text, _ = self.peek()
        if kind in ("op", "name") and text in values:
            self.i += 1
            return True
        return False

    def expect(self, value):
        if not self.accept(value):
            found = self.peek()[1] or "the end"
            raise self.error(f"expected {value!r}, found {found!r}")

    def parse(self) -> Node:
        node = self.or_()
        if self.peek()[0] != "end":
            raise self.error(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self):
        node = self.and_()
        while self.peek()[1] == "or" and self.peek()[0] == "name":
            offset = self.take()[2]
            node = Node("logic", offset, "or", [node, self.and_()])
        return node

    def and_(self):
        node = self.not_()
        while self.peek()[1] == "and" and self.peek()[0] == "name":
            offset = self.take()[2]
            node = Node("logic", offset, "and", [node, self.not_()])
        return node

    def not_(self):
        if self.peek()[1] == "not" and self.peek()[0] == "name":
            offset = self.take()[2]
            return Node("not", offset, "not", [self.not_()])
        return self.compare()

    def compare(self):
        node = self.sum_()
        kind, text, offset = self.peek()
        if kind == "op" and text in COMPARISONS:
            self.take()
            return Node("compare", offset, text, [node, self.sum_()])
        if kind == "name" and text == "in":
            self.take()
            return Node("in", offset, True, [node, self.set_()])
        if kind == "name" and text == "not" and self.peek(1)[1] == "in":
            self.take()
            self.take()
            return Node("in", offset, False, [node, self.set_()])
        return node

    def sum_(self):
        node = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            _k, op, offset = self.take()
            node = Node("binary", offset, op, [node, self.term()])
        return node

    def term(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            _k, op, offset = self.take()
            node = Node("binary", offset, op, [node, self.unary()])
        return node

    def unary(self):
        if self.peek()[0] == "op" and self.peek()[1] == "-":
            offset = self.take()[2]
            return Node("unary", offset, "-", [self.unary()])
        return self.atom()

    def set_(self):
        if self.peek()[1] != "{":
            raise self.error('expected a set such as {"a", "b"}')
        node = self.braces()
        if node.kind != "set":
            raise RuleError("expected a set, not bands", source=self.source, offset=node.offset)
        return node

    def braces(self):
        offset = self.take()[2]  # {
        items, points = [], []
        if self.accept("}"):
            return Node("set", offset, None, [])
        while True:
            items.append(self.literal())
            if self.accept(":"):
                points.append(self.literal())
            if self.accept("}"):
                break
            self.expect(",")
        if points and len(points) != len(items):
            raise RuleError("every threshold needs its points", source=self.source, offset=offset)
        if points:
            return Node("bands", offset, None, [Node("pairs", offset, None, [*items, *points])])
        return Node("set", offset, None, items)

    def literal(self):
        kind, text, offset = self.peek()
        negative = False
        if kind == "op" and text == "-":
            self.take()
            negative = True
            kind, text, offset = self.peek()
        if kind == "num":
            self.take()
            value = _number(text)
            return Node("num", offset, -value if negative else value)
        if kind == "text" and not negative:
            self.take()
            return Node("text", offset, text[1:-1])
        raise self.error('expected a number or a "text"')

    def atom(self):
        kind, text, offset = self.peek()
        if kind == "num":
            self.take()
            return Node("num", offset, _number(text))
        if kind == "text":
            self.take()
            return Node("text", offset, text[1:-1])
        if kind == "op" and text == "(":
            self.take()
            node = self.or_()
            self.expect(")")
            return node
        if kind == "op" and text == "{":
            return self.braces()
        if kind == "name":
            if text in ("true", "false"):
                self.take()
                return Node("bool", offset, text == "true")
            if text in KEYWORDS:
                raise self.error(f"{text!r} cannot start a value")
            self.take()
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                if text not in FUNCTIONS:
                    raise RuleError(
                        f"unknown function {text!r}; the functions are {', '.join(sorted(FUNCTIONS))}",
                        source=self.source,
                        offset=offset,
                    )
                self.take()
                args = []
                if not self.accept(")"):
                    while True:
                        args.append(self.or_())
                        if self.accept(")"):
                            break
                        self.expect(",")
                return Node("call", offset, text, args)
            return Node("name", offset, text)
        raise self.error(f"expected a value, found {text!r}" if text else "the expression ends too early")


def _number(text: str) -> Decimal:
    return exact.literal(text)  # exactly as written: 57.5% is 0.575, not the float nearest it


def parse(source: str) -> Node:
    if not isinstance(source, str) or not source.strip():
        raise RuleError("the expression is empty", source=str(source or ""), offset=0)
    return _Parser(source).parse()


def check(node: Node, types: dict[str, str], source: str = "") -> str:
    """Types every node; `types` maps each known name to number, bool or text."""

    def fail(message, at):
        raise RuleError(message, source=source, offset=at.offset)

    def want(child, expected, what):
        got = check(child, types, source)
        if got != expected:
            fail(f"{what} needs a {expected}, but this is a {got}", child)

    k = node.kind
    if k == "num":
        node.type = NUMBER
    elif k == "text":
        node.type = TEXT
    elif k == "bool":
        node.type = BOOL
    elif k == "name":
        if node.value not in types:
            close = _closest(node.value, types)
            hint = f"; did you mean {close!r}?" if close else ""
            fail(f"unknown name {node.value!r}{hint}", node)
        node.type = types[node.value]
    elif k == "unary":
        want(node.args[0], NUMBER, "minus")
        node.type = NUMBER
    elif k == "binary":
        for a in node.args:
            want(a, NUMBER, f"'{node.value}'")
        node.type = NUMBER
    elif k == "compare":
        left, right = (check(a, types, source) for a in node.args)
        if left != right:
            fail(f"cannot compare a {left} with a {right}", node)
        if left != NUMBER and node.value not in ("==", "!="):
            fail(f"'{node.value}' compares numbers, not {left}s", node)
        node.type = BOOL
    elif k == "in":
        left = check(node.args[0], types, source)
        for item in node.args[1].args:
            check(item, types, source)
            if item.type != left:
                fail(f"the set holds a {item.type}, but the value is a {left}", item)
        node.type = BOOL
    elif k == "logic":
        for a in node.args:
            want(a, BOOL, f"'{node.value}'")
        node.type = BOOL
    elif k == "not":
        want(node.args[0], BOOL, "'not'")
        node.type = BOOL
    elif k == "set":
        fail("a set can only follow 'in'", node)
    elif k == "bands":
        fail("bands can only be the second argument of bands()", node)
    elif k == "call":
        _check_call(node, types, source, want, fail)
    else:  # pragma: no cover - the parser makes no other kinds
        fail(f"unknown node {k}", node)
    return node.type


def _check_call(node, types, source, want, fail):
    name, args = node.value, node.args
    if name in ("min", "max"):
        if len(args) < 2:
            fail(f"{name}() needs at least two values", node)
        for a in args:
            want(a, NUMBER, f"{name}()")
        node.type = NUMBER
    elif name == "abs":
        if len(args) != 1:
            fail("abs() takes one value", node)
        want(args[0], NUMBER, "abs()")
        node.type = NUMBER
    elif name == "if":
        if len(args) != 3:
            fail("if() takes a condition, a value when true and a value when false", node)
        want(args[0], BOOL, "if()'s condition")
        then, otherwise = check(args[1], types, source), check(args[2], types, source)
        if then != otherwise:
            fail(f"if() gives a {then} when true but a {otherwise} when false", node)
        node.type = then
    elif name == "bands":
        if len(args) != 2 or args[1].kind != "bands":
            fail("bands() takes a value and {threshold: points, …}", node)
        want(args[0], NUMBER, "bands()")
        pairs = args[1].args[0].args
        half = len(pairs) // 2
        thresholds = [p.value for p in pairs[:half]]
        for p in pairs:
            if p.kind != "num":
                fail("thresholds and points are numbers", p)
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            fail("thresholds must rise from left to right", args[1])
        node.type = NUMBER


def band_pairs(node: Node) -> list[tuple[Decimal, Decimal]]:
    """[(threshold, points), …] of a bands() call, rising."""
    pairs = node.args[1].args[0].args
    half = len(pairs) // 2
    return [(pairs[i].value, pairs[half + i].value) for i in range(half)]


def _closest(name: str, known) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return found[0] if found else None
