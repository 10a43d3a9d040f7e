"""The batch evaluator: every clause compiled to Polars expressions over a table of enterprise
facts, evaluated in one pass (Polars shares common sub-expressions and runs on every core).

The meaning is exactly the single evaluator's (single.py): missing values propagate, x / 0 is
missing, a missing condition is not eligible, and numbers are exact decimals (exact.py). A number
is compiled to an integer expression and its `Shape` (scale and the largest magnitude it can reach):
a fact column holds fen (scale 2), 30% is the integer 3 at scale 1, × multiplies integers and adds
scales, + and comparisons bring both sides to the larger scale first. Nothing is rounded but a
division (half to even, exact.DIVISION_PLACES) and the amount when it becomes money (half up, to
the fen). A node that fits 64 bits is Int64; one that may not is Int128.

What the compiler knows when it compiles is used, never what it guesses: a node that reads no
column (literals, parameters, the period's year, a fact missing for every row) is computed once,
exactly, by the single evaluator and becomes a literal (`Compiled.known`), so `if(parameter == 1,
a, b)` compiles only the branch in force and `period_year >= 2018` is no column; each number carries
the interval its integer lies in (exact.Shape: from the facts' actual smallest and largest values
when the batch tells them, engine.prepare), so Int64 is used wherever the values provably fit, a
max(0, x) of an x that is never negative is x, and rounding a non-negative amount needs no branch.
"""

from decimal import Decimal

import polars as pl

from zhuqi.rules import exact, single
from zhuqi.rules.exact import Shape
from zhuqi.rules.expr import ARITHMETIC, BOOL, COMPARISONS, NUMBER, TEXT, Node, band_pairs

# A number column of the prepared facts table is the value in fen (engine.prepare makes it so).
DTYPES = {NUMBER: pl.Int64, BOOL: pl.Boolean, TEXT: pl.String}

# Polars' expression simplifier rewrites arithmetic; one meaning means no rewrite we did not write.
EXACT = pl.QueryOptFlags(simplify_expression=False)


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    """Evaluates compiled clauses exactly as single.py does (see EXACT)."""
    return frame.collect(optimizations=EXACT)


def _dtype(bound: int) -> pl.DataType:
    exact.check_bound(bound, "a value")
    return pl.Int128 if bound > exact.INT64_MAX else pl.Int64


class Compiled:
    """A compiled node: its expression, its Shape (numbers; None for bool and text), the Polars type
    the expression has, and, when the node reads no column, its value (`known`; a number as its
    integer at shape.scale, None when missing). Unpacks as (expression, shape)."""

    __slots__ = ("dtype", "expr", "known", "shape", "value")

    def __init__(self, expr: pl.Expr, shape: Shape | None, dtype, known: bool = False, value=None):
        self.expr, self.shape, self.dtype, self.known, self.value = expr, shape, dtype, known, value

    def __iter__(self):
        return iter((self.expr, self.shape))

    @property
    def missing(self) -> bool:
        return self.known and self.value is None

    def decimal(self):
        """A known value as single.py holds it (a number as Decimal)."""
        if self.shape is None or self.value is None:
            return self.value
        return Decimal(self.value).scaleb(-self.shape.scale, context=exact.CONTEXT)


_UNKNOWN = object()


def _number(raw: int | None, scale: int) -> Compiled:
    """A known number: its integer at `scale` (None: missing)."""
    if raw is None:
        return Compiled(pl.lit(None, dtype=pl.Int64), Shape(scale, 0), pl.Int64, True, None)
    shape = Shape.span(scale, raw, raw)
    dtype = _dtype(shape.bound)
    return Compiled(pl.lit(raw, dtype=dtype), shape, dtype, True, raw)


def _known(value, kind: str) -> Compiled:
    """A value computed when compiling (single.py's), as a literal."""
    if kind == NUMBER:
        if value is None:
            return _number(None, 0)
        shape, raw = exact.constant_shape(value)
        return _number(raw, shape.scale)
    return Compiled(pl.lit(value, dtype=DTYPES[kind]), None, DTYPES[kind], True, value)


def _as(c: Compiled, dtype: pl.DataType) -> pl.Expr:
    """The expression of `c` in `dtype` (a literal is written in it; no cast when it already is)."""
    if c.known:
        return pl.lit(c.value, dtype=dtype)
    return c.expr if c.dtype == dtype else c.expr.cast(dtype)


def _at(c: Compiled, scale: int) -> Compiled:
    """A number at a scale at least its own (exact: its integer times 10**k)."""
    if scale == c.shape.scale:
        return c
    factor = 10 ** (scale - c.shape.scale)
    if c.known:
        return _number(None if c.value is None else c.value * factor, scale)
    shape = c.shape.at(scale)
    dtype = _dtype(shape.bound)
    return Compiled(_as(c, dtype) * pl.lit(factor, dtype=dtype), shape, dtype)


def rescale(value: pl.Expr, shape: Shape, scale: int) -> tuple[pl.Expr, int]:
    """The integer of `value` at a scale at least its own (exact: a multiplication by 10**k), with its
    bound; the result is in the integer type that bound needs."""
    c = _at(Compiled(value, shape, _dtype(shape.bound)), scale)
    return c.expr, c.shape.bound


def _negate(c: Compiled) -> Compiled:
    """-c (Polars has no negation of Int128: 0 - c)."""
    shape = Shape.span(c.shape.scale, -c.shape.high, -c.shape.low)
    if c.known:
        return _number(None if c.value is None else -c.value, shape.scale)
    return Compiled(pl.lit(0, dtype=c.dtype) - c.expr, shape, c.dtype)


def _costly(node: Node) -> bool:
    return (
        node.kind == "call"
        or (node.kind == "binary" and node.value == "/")
        or any(_costly(a) for a in node.args)
    )


def _common(parts: list[Compiled]) -> tuple[list[pl.Expr], Shape, pl.DataType]:
    """Several numbers at one scale and in one integer type, and the interval that holds them all."""
    scale = max(p.shape.scale for p in parts)
    parts = [_at(p, scale) for p in parts]
    shape = Shape.span(scale, min(p.shape.low for p in parts), max(p.shape.high for p in parts))
    dtype = _dtype(shape.bound)
    return [_as(p, dtype) for p in parts], shape, dtype


class Compiler:
    """Compiles clauses of one batch. A sub-expression that would be read more than once (a min's
    arguments, a divisor, an if's condition) is bound to a column of its own and computed once:
    Polars' common-subexpression elimination does not look inside when/then or horizontal
    functions, and nested min() would otherwise be recomputed many times over. `frame` adds the
    bound columns in levels (each level reads only earlier ones; a level runs in parallel).

    `columns` gives the Shape of number columns whose values are known to lie in a narrower interval
    than any fact may (engine.prepare measures them); any other number column is exact.COLUMN."""

    def __init__(self, prefix: str = "__t", columns: dict[str, Shape] | None = None):
        self.prefix = prefix
        self.columns = columns or {}
        self.bindings: list[tuple[str, pl.Expr, int]] = []
        self.levels: dict[str, int] = {}
        self.bound: dict[bytes, str] = {}  # an expression's serialized form: the column bound to it

    def level(self, value: pl.Expr) -> int:
        return max((self.levels.get(n, 0) for n in value.meta.root_names()), default=0)

    def bind(self, value):
        """`value` (an expression, or a Compiled) bound to a column of its own, read as that column."""
        if isinstance(value, Compiled):
            if value.known:
                return value
            return Compiled(self.bind(value.expr), value.shape, value.dtype)
        if value.meta.is_column() or value.meta.is_literal(allow_aliasing=True):
            return value
        # The same expression bound twice is one column: clauses share sub-expressions of the facts
        # (revenue tiers, year-on-year growth, derived values), which Polars would compute per clause.
        # Serialized, an expression keeps its literals' types, so equal keys mean equal results.
        key = value.meta.serialize()
        if key in self.bound:
            return pl.col(self.bound[key])
        name = f"{self.prefix}{len(self.bindings)}"
        level = self.level(value) + 1
        self.bindings.append((name, value.alias(name), level))
        self.levels[name] = level
        self.bound[key] = name
        return pl.col(name)

    def frame(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """`frame` with every bound column, level by level."""
        for level in range(1, max(self.levels.values(), default=0) + 1):
            frame = frame.with_columns(*(e for _n, e, lv in self.bindings if lv == level))
        return frame

    def select(self, frame: pl.LazyFrame, outputs: list[pl.Expr]) -> pl.DataFrame:
        """The outputs, one row per row of `frame` (a constant is repeated, as with_columns does)."""
        names = [o.meta.output_name() for o in outputs]
        return collect(self.frame(frame).with_columns(*outputs).select(names))

    def expr(self, node: Node, constants: dict[str, object]) -> pl.Expr:
        """A condition (bool), a text, or a number as its integer (see number)."""
        return self.node(node, constants).expr

    def number(self, node: Node, constants: dict[str, object]) -> Compiled:
        return self.node(node, constants)

    def node(self, node: Node, constants: dict[str, object]) -> Compiled:
        """`constants` holds the parameters' values for the period (Decimal, a missing one None), a
        known value of a fact (the period's year; None for a fact missing in every row), or what to
        read instead of a column: a Compiled (a derived value), an (expression, shape) or an
        expression (in fen); every other name is a column of the facts table. Returns the
        expression, its shape (numbers) and, when it reads no column, its value."""
        found = self._fold(node, constants)
        if found is not _UNKNOWN:
            return _known(found, node.type)
        k = node.kind
        if k == "name":
            return self._name(node, constants)
        if k == "unary":
            return _negate(self.node(node.args[0], constants))
        if k == "binary":
            return self._binary(node, constants)
        if k == "compare":
            left, right = (self.node(a, constants) for a in node.args)
            if left.shape is None:
                return Compiled(COMPARISONS[node.value](left.expr, right.expr), None, pl.Boolean)
            if left.missing or right.missing:
                return _known(None, BOOL)
            (a, b), _shape, _dtype_ = _common([left, right])
            return Compiled(COMPARISONS[node.value](a, b), None, pl.Boolean)
        if k == "in":
            return Compiled(self._membership(node, constants), None, pl.Boolean)
        if k == "logic":
            return self._logic(node, constants)
        if k == "not":
            return Compiled(~self.node(node.args[0], constants).expr, None, pl.Boolean)
        if k == "call":
            return self._call(node, constants)
        raise ValueError(f"cannot compile a {k}")  # pragma: no cover

    def _fold(self, node: Node, constants) -> object:
        """The node's value when it reads no column (as single.py computes it), else _UNKNOWN."""
        if node.kind in ("num", "text", "bool"):
            return node.value
        env = {}
        for name in node.names():
            if name not in constants:
                return _UNKNOWN
            value = constants[name]
            if isinstance(value, Compiled):
                if not value.known:
                    return _UNKNOWN
                value = value.decimal()
            elif isinstance(value, pl.Expr | tuple):
                return _UNKNOWN
            env[name] = value
        return single.evaluate(node, env)

    def _name(self, node: Node, constants) -> Compiled:
        value = constants.get(node.value, _UNKNOWN)
        if isinstance(value, Compiled):  # a derived value already compiled, or a column given
            return value
        if isinstance(value, tuple):  # (expression, shape)
            expr, shape = value
            return Compiled(expr, shape, DTYPES[node.type] if shape is None else _dtype(shape.bound))
        if isinstance(value, pl.Expr):  # a per-clause column standing for a shared fact (fen)
            return Compiled(value, exact.COLUMN, pl.Int64)
        if node.type == NUMBER:
            return Compiled(pl.col(node.value), self.columns.get(node.value, exact.COLUMN), pl.Int64)
        return Compiled(pl.col(node.value), None, DTYPES[node.type])

    def _binary(self, node: Node, constants) -> Compiled:
        a, b = (self.node(x, constants) for x in node.args)
        if a.missing or b.missing:
            return _number(None, 0)
        if node.value in ("+", "-"):
            scale = max(a.shape.scale, b.shape.scale)
            a, b = _at(a, scale), _at(b, scale)
            if node.value == "+":
                low, high = a.shape.low + b.shape.low, a.shape.high + b.shape.high
            else:
                low, high = a.shape.low - b.shape.high, a.shape.high - b.shape.low
            shape = Shape.span(scale, low, high)
        elif node.value == "*":
            ends = [x * y for x in (a.shape.low, a.shape.high) for y in (b.shape.low, b.shape.high)]
            shape = Shape.span(a.shape.scale + b.shape.scale, min(ends), max(ends))
        else:
            return self._divide(a, b)
        dtype = _dtype(max(shape.bound, a.shape.bound, b.shape.bound))
        return Compiled(ARITHMETIC[node.value](_as(a, dtype), _as(b, dtype)), shape, dtype)

    def _divide(self, a: Compiled, b: Compiled) -> Compiled:
        """a / b at exact.DIVISION_PLACES, rounded half to even, in integers: the quotient of
        a·10**e by b (or of a by b·10**-e), where e brings the result to that scale."""
        places = exact.DIVISION_PLACES
        e = places + b.shape.scale - a.shape.scale
        n = _at(a, a.shape.scale + max(e, 0))
        d = _at(b, b.shape.scale + max(-e, 0))
        dtype = _dtype(max(n.shape.bound, d.shape.bound))
        one, zero = pl.lit(1, dtype=dtype), pl.lit(0, dtype=dtype)
        # |quotient| <= |n| (|d| >= 1), with the sign of n / d
        if n.shape.low >= 0 and d.shape.low >= 0:
            shape = Shape.span(places, 0, n.shape.high)
        elif n.shape.high <= 0 and d.shape.low >= 0:
            shape = Shape.span(places, n.shape.low, 0)
        else:
            shape = Shape(places, n.shape.bound)
        if d.known:  # a divisor known when compiling: no test of its sign or of 0 per row
            if d.value == 0:
                return _number(None, places)
            numerator = _as(n if d.value > 0 else _negate(n), dtype)
            n_, positive = self.bind(numerator), pl.lit(abs(d.value), dtype=dtype)
            q = self.bind(n_ // positive)
            r = self.bind(n_ - q * positive)
            other = positive - r
            up = (r > other) | ((r == other) & ((q % 2) != 0))
            return Compiled(q + pl.when(up).then(one).otherwise(zero), shape, dtype)
        d_ = self.bind(_as(d, dtype))
        n_ = self.bind(pl.when(d_ < 0).then(_as(_negate(n), dtype)).otherwise(_as(n, dtype)))
        positive = self.bind(pl.when(d_ == 0).then(one).otherwise(d_.abs()))
        q = self.bind(n_ // positive)  # floor, so that the remainder is in [0, d)
        r = self.bind(n_ - q * positive)
        other = self.bind(positive - r)  # r compared with d / 2 without doubling (no overflow)
        up = (r > other) | ((r == other) & ((q % 2) != 0))
        quotient = q + pl.when(up).then(one).otherwise(zero)
        return Compiled(pl.when(d_ != 0).then(quotient).otherwise(pl.lit(None, dtype=dtype)), shape, dtype)

    def _logic(self, node: Node, constants) -> Compiled:
        """and / or, three-valued; a side known when compiling decides or drops out."""
        a, b = (self.node(x, constants) for x in node.args)
        decisive = node.value == "or"  # true or x is true; false and x is false
        for side, other in ((a, b), (b, a)):
            if side.known and side.value is decisive:
                return _known(decisive, BOOL)
            if side.known and side.value is (not decisive):
                return other  # true and x is x; false or x is x
        return Compiled(a.expr & b.expr if node.value == "and" else a.expr | b.expr, None, pl.Boolean)

    def _membership(self, node: Node, constants) -> pl.Expr:
        value = self.node(node.args[0], constants)
        items = [i.value for i in node.args[1].args]
        if value.shape is not None:  # numbers: compare integers at a common scale
            shapes = [exact.constant_shape(i) for i in items]
            scale = max([value.shape.scale] + [s.scale for s, _r in shapes])
            value = _at(value, scale)
            bound = max([value.shape.bound] + [s.bound * 10 ** (scale - s.scale) for s, _r in shapes])
            dtype = _dtype(bound)
            expr = _as(value, dtype)
            series = pl.Series([r * 10 ** (scale - s.scale) for s, r in shapes], dtype=dtype)
        else:
            expr = value.expr
            series = pl.Series(items, dtype=DTYPES[node.args[0].type])
        expr = self.bind(expr)
        inside = expr.is_in(pl.lit(series).implode())
        return pl.when(expr.is_not_null()).then(inside if node.value else ~inside)

    def _call(self, node: Node, constants) -> Compiled:
        name = node.value
        if name == "if":
            condition = self.node(node.args[0], constants)
            if condition.known:  # decided when compiling: only the branch taken is compiled
                if condition.value is None:
                    return _known(None, node.type)
                return self.node(node.args[1 if condition.value else 2], constants)
            condition = self.bind(condition.expr)
            then, otherwise = (self.node(a, constants) for a in node.args[1:])
            if then.shape is not None:
                (a, b), shape, dtype = _common([then, otherwise])
            else:
                (a, b), shape, dtype = (then.expr, otherwise.expr), None, then.dtype
            # missing where the condition is: a validity mask over the choice
            chosen = pl.when(condition.is_not_null()).then(pl.when(condition).then(a).otherwise(b))
            return Compiled(chosen, shape, dtype)
        if name == "bands":
            return self._bands(node, constants)
        parts = [self.node(a, constants) for a in node.args]
        if name == "abs":
            value = parts[0]
            if value.shape.low >= 0:
                return value
            if value.shape.high <= 0:
                return _negate(value)
            return Compiled(
                value.expr.abs(), Shape.span(value.shape.scale, 0, value.shape.bound), value.dtype
            )
        return self._extreme(name, node, parts)

    def _extreme(self, name: str, node: Node, parts: list[Compiled]) -> Compiled:
        """min or max: missing when any argument is missing (unlike SQL's LEAST, which skips it).
        Arguments known when compiling are one constant; a constant that cannot change the result
        (max(0, x) of an x never negative) is dropped; the others are compared pairwise."""
        if any(p.missing for p in parts):
            return _number(None, 0)
        smallest = name == "min"
        pick = min if smallest else max
        scale = max(p.shape.scale for p in parts)
        parts = [_at(p, scale) for p in parts]
        shape = Shape.span(scale, pick(p.shape.low for p in parts), pick(p.shape.high for p in parts))
        dtype = _dtype(max(p.shape.bound for p in parts))
        known = [p.value for p in parts if p.known]
        columns = [(p, n) for p, n in zip(parts, node.args, strict=True) if not p.known]
        constant = pick(known) if known else None
        if not columns:  # every argument known: the result is too
            return _number(constant, scale)
        if constant is not None and (
            (smallest and constant >= min(p.shape.high for p, _n in columns))
            or (not smallest and constant <= max(p.shape.low for p, _n in columns))
        ):
            constant = None  # the others' min (max) is never above (below) it: they decide
        # Every argument after the first is read three times below (its validity, the comparison,
        # the choice): bound to a column of its own unless it is one, it is computed once. The
        # first is read twice: bound when costly (calls, divisions); plain arithmetic on a column
        # is cheaper to compute twice than to store.
        values = [
            self.bind(_as(p, dtype)) if i or _costly(n) else _as(p, dtype) for i, (p, n) in enumerate(columns)
        ]
        result = values[0]
        for i, value in enumerate(values[1:]):
            if i:
                result = self.bind(result)
            # the second when x > y, else the first (missing when the first is); missing when the
            # second is: a mask of its validity, which costs Polars far less than arithmetic would
            beyond = result > value if smallest else result < value
            result = pl.when(value.is_not_null()).then(pl.when(beyond).then(value).otherwise(result))
        if constant is not None:
            if len(values) > 1:
                result = self.bind(result)
            limit = pl.lit(constant, dtype=dtype)
            beyond = result > limit if smallest else result < limit
            result = pl.when(beyond).then(limit).otherwise(result)  # a missing value stays missing
        return Compiled(result, shape, dtype)

    def _bands(self, node: Node, constants) -> Compiled:
        value = self.node(node.args[0], constants)
        pairs = band_pairs(node)
        thresholds = [exact.constant_shape(t) for t, _p in pairs]
        points = [exact.constant_shape(p) for _t, p in pairs]
        scale = max([value.shape.scale] + [s.scale for s, _r in thresholds])
        value = _at(value, scale)
        bound = max([value.shape.bound] + [s.bound * 10 ** (scale - s.scale) for s, _r in thresholds])
        expr = self.bind(_as(value, _dtype(bound)))
        out_scale = max(s.scale for s, _r in points)
        raws = [r * 10 ** (out_scale - s.scale) for s, r in points]
        shape = Shape.span(out_scale, min([0, *raws]), max([0, *raws]))
        out = _dtype(shape.bound)
        chain = pl.when(expr.is_null()).then(pl.lit(None, dtype=out))
        for (t_shape, t_raw), raw in reversed(list(zip(thresholds, raws, strict=True))):
            threshold = pl.lit(t_raw * 10 ** (scale - t_shape.scale), dtype=_dtype(bound))
            chain = chain.when(expr >= threshold).then(pl.lit(raw, dtype=out))
        return Compiled(chain.otherwise(pl.lit(0, dtype=out)), shape, out)

    def to_fen(self, value, shape: Shape | None = None) -> Compiled:
        """A number as money: its integer in fen, rounded half up (away from zero) when it has more
        places than the fen (exact.to_fen)."""
        c = value if isinstance(value, Compiled) else Compiled(value, shape, _dtype(shape.bound))
        places = exact.FACT_PLACES
        if c.shape.scale <= places:
            return _at(c, places)
        unit = 10 ** (c.shape.scale - places)
        half = unit // 2

        def rounded(raw: int) -> int:
            return (abs(raw) + half) // unit * (1 if raw >= 0 else -1)

        if c.known:
            return _number(None if c.value is None else rounded(c.value), places)
        low, high = c.shape.low, c.shape.high
        result = Shape.span(places, rounded(low), rounded(high))
        dtype = _dtype(c.shape.bound + half)
        half_, unit_ = pl.lit(half, dtype=dtype), pl.lit(unit, dtype=dtype)
        if low >= 0:  # never negative: no branch
            expr = (_as(c, dtype) + half_) // unit_
        elif high <= 0:
            expr = pl.lit(0, dtype=dtype) - (half_ - _as(c, dtype)) // unit_
        else:
            v = self.bind(_as(c, dtype))
            half_up = (v.abs() + half_) // unit_
            expr = pl.when(v < 0).then(pl.lit(0, dtype=dtype) - half_up).otherwise(half_up)
        return Compiled(expr, result, dtype)


def derived_columns(compiler: "Compiler", pack, names: list[str], period, given=None) -> dict[str, Compiled]:
    """The pack's derived values `names` (in the pack's order), each compiled once and bound to a
    column of its own (or known when compiling), as {name: Compiled} for Compiler.node's
    constants. `given`: known values of facts (engine.batch's period_year and missing facts)."""
    out: dict[str, Compiled] = {}
    for name in names:
        d = pack.derived[name]
        params = {n: pack.parameters[n].at(period) for n in d.node.names() & set(pack.parameters)}
        out[name] = compiler.bind(compiler.node(d.node, (given or {}) | params | out))
    return out
