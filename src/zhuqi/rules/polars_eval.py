"""The batch evaluator: every clause compiled to Polars expressions over a table of enterprise
facts, evaluated in one pass (Polars shares common sub-expressions and runs on every core).

The meaning is exactly the single evaluator's (single.py): missing values propagate, x / 0 is
missing, a missing condition is not eligible, and numbers are exact decimals (exact.py). A number
is compiled to an integer expression and its `Shape` (scale and the largest magnitude it can reach):
a fact column holds fen (scale 2), 30% is the integer 3 at scale 1, × multiplies integers and adds
scales, + and comparisons bring both sides to the larger scale first. Nothing is rounded but a
division (half to even, exact.DIVISION_PLACES) and the amount when it becomes money (half up, to
the fen). A node that fits 64 bits is Int64; one that may not is Int128.
"""

import polars as pl

from zhuqi.rules import exact
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


def _int(value: int | None, bound: int) -> pl.Expr:
    return pl.lit(value, dtype=_dtype(bound))


def rescale(value: pl.Expr, shape: Shape, scale: int) -> tuple[pl.Expr, int]:
    """The integer of `value` at a scale at least its own (exact: a multiplication by 10**k), with its
    bound; the result is in the integer type that bound needs."""
    factor = 10 ** (scale - shape.scale)
    bound = shape.bound * factor
    dtype = _dtype(bound)
    cast = value.cast(dtype)
    return (cast if factor == 1 else cast * pl.lit(factor, dtype=dtype)), bound


def _negate(value: pl.Expr, bound: int) -> pl.Expr:
    """-value (Polars has no negation of Int128)."""
    dtype = _dtype(bound)
    return pl.lit(0, dtype=dtype) - value.cast(dtype)


def _costly(node: Node) -> bool:
    return (
        node.kind == "call"
        or (node.kind == "binary" and node.value == "/")
        or any(_costly(a) for a in node.args)
    )


def _common(parts: list[tuple[pl.Expr, Shape]]) -> tuple[list[pl.Expr], Shape]:
    """Several numbers at one scale and in one integer type."""
    scale, bound = exact.aligned([s for _e, s in parts])
    dtype = _dtype(bound)
    return [rescale(e, s, scale)[0].cast(dtype) for e, s in parts], Shape(scale, bound)


class Compiler:
    """Compiles clauses of one batch. A sub-expression that would be read more than once (a min's
    arguments, a divisor, an if's condition) is bound to a column of its own and computed once:
    Polars' common-subexpression elimination does not look inside when/then or horizontal
    functions, and nested min() would otherwise be recomputed many times over. `frame` adds the
    bound columns in levels (each level reads only earlier ones; a level runs in parallel)."""

    def __init__(self, prefix: str = "__t"):
        self.prefix = prefix
        self.bindings: list[tuple[str, pl.Expr, int]] = []
        self.levels: dict[str, int] = {}

    def level(self, value: pl.Expr) -> int:
        return max((self.levels.get(n, 0) for n in value.meta.root_names()), default=0)

    def bind(self, value: pl.Expr) -> pl.Expr:
        if value.meta.is_column() or value.meta.is_literal(allow_aliasing=True):
            return value
        name = f"{self.prefix}{len(self.bindings)}"
        level = self.level(value) + 1
        self.bindings.append((name, value.alias(name), level))
        self.levels[name] = level
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
        return self.node(node, constants)[0]

    def number(self, node: Node, constants: dict[str, object]) -> tuple[pl.Expr, Shape]:
        return self.node(node, constants)

    def node(self, node: Node, constants: dict[str, object]) -> tuple[pl.Expr, Shape | None]:
        """`constants` holds the parameters' values for the period (Decimal, a missing one None), or
        an expression to read instead of a column (in fen); every other name is a column of the
        facts table. Returns the expression and, for a number, its Shape."""
        k = node.kind
        if k == "num":
            shape, raw = exact.constant_shape(node.value)
            return _int(raw, shape.bound), shape
        if k == "text":
            return pl.lit(node.value, dtype=pl.String), None
        if k == "bool":
            return pl.lit(node.value, dtype=pl.Boolean), None
        if k == "name":
            if node.value in constants:
                value = constants[node.value]
                if isinstance(value, tuple):  # a derived value already compiled: (expression, shape)
                    return value
                if isinstance(value, pl.Expr):  # a per-clause column standing for a shared fact (fen)
                    return value, exact.COLUMN
                if node.type == NUMBER:
                    shape, raw = exact.constant_shape(value)
                    return _int(raw, shape.bound), shape
                return pl.lit(value, dtype=DTYPES[node.type]), None
            return pl.col(node.value), (exact.COLUMN if node.type == NUMBER else None)
        if k == "unary":
            value, shape = self.node(node.args[0], constants)
            return _negate(value, shape.bound), shape
        if k == "binary":
            return self._binary(node, constants)
        if k == "compare":
            left, right = (self.node(a, constants) for a in node.args)
            if left[1] is None:
                return COMPARISONS[node.value](left[0], right[0]), None
            (a, b), _shape = _common([left, right])
            return COMPARISONS[node.value](a, b), None
        if k == "in":
            return self._membership(node, constants), None
        if k == "logic":
            a, b = (self.node(x, constants)[0] for x in node.args)
            return (a & b if node.value == "and" else a | b), None
        if k == "not":
            return ~self.node(node.args[0], constants)[0], None
        if k == "call":
            return self._call(node, constants)
        raise ValueError(f"cannot compile a {k}")  # pragma: no cover

    def _binary(self, node: Node, constants) -> tuple[pl.Expr, Shape]:
        (a, sa), (b, sb) = (self.node(x, constants) for x in node.args)
        if node.value in ("+", "-"):
            (a, b), shape = _common([(a, sa), (b, sb)])
            bound = shape.bound * 2
            dtype = _dtype(bound)
            return ARITHMETIC[node.value](a.cast(dtype), b.cast(dtype)), Shape(shape.scale, bound)
        if node.value == "*":
            shape = Shape(sa.scale + sb.scale, sa.bound * sb.bound)
            dtype = _dtype(shape.bound)
            return a.cast(dtype) * b.cast(dtype), shape
        return self._divide(a, sa, b, sb)

    def _divide(self, a: pl.Expr, sa: Shape, b: pl.Expr, sb: Shape) -> tuple[pl.Expr, Shape]:
        """a / b at exact.DIVISION_PLACES, rounded half to even, in integers: the quotient of
        a·10**e by b (or of a by b·10**-e), where e brings the result to that scale."""
        places = exact.DIVISION_PLACES
        e = places + sb.scale - sa.scale
        n, n_bound = rescale(a, sa, sa.scale + max(e, 0))
        d, d_bound = rescale(b, sb, sb.scale + max(-e, 0))
        dtype = _dtype(max(n_bound, d_bound))
        d = self.bind(d.cast(dtype))
        one, zero = pl.lit(1, dtype=dtype), pl.lit(0, dtype=dtype)
        n = self.bind(pl.when(d < 0).then(_negate(n, n_bound)).otherwise(n.cast(dtype)))
        positive = self.bind(pl.when(d == 0).then(one).otherwise(d.abs()))
        q = self.bind(n // positive)  # floor, so that the remainder is in [0, d)
        r = self.bind(n - q * positive)
        other = self.bind(positive - r)  # r compared with d / 2 without doubling (no overflow)
        up = (r > other) | ((r == other) & ((q % 2) != 0))
        quotient = q + pl.when(up).then(one).otherwise(zero)
        return pl.when(d != 0).then(quotient).otherwise(pl.lit(None, dtype=dtype)), Shape(places, n_bound)

    def _membership(self, node: Node, constants) -> pl.Expr:
        value, shape = self.node(node.args[0], constants)
        items = [i.value for i in node.args[1].args]
        if shape is not None:  # numbers: compare integers at a common scale
            shapes = [exact.constant_shape(i) for i in items]
            scale = max([shape.scale] + [s.scale for s, _r in shapes])
            value, bound = rescale(value, shape, scale)
            bound = max([bound] + [s.bound * 10 ** (scale - s.scale) for s, _r in shapes])
            dtype = _dtype(bound)
            value = value.cast(dtype)
            series = pl.Series([r * 10 ** (scale - s.scale) for s, r in shapes], dtype=dtype)
        else:
            series = pl.Series(items, dtype=DTYPES[node.args[0].type])
        value = self.bind(value)
        inside = value.is_in(pl.lit(series).implode())
        return pl.when(value.is_null()).then(None).otherwise(inside if node.value else ~inside)

    def _call(self, node: Node, constants) -> tuple[pl.Expr, Shape | None]:
        name = node.value
        if name == "if":
            condition = self.bind(self.node(node.args[0], constants)[0])
            then, otherwise = (self.node(a, constants) for a in node.args[1:])
            if then[1] is not None:
                (a, b), shape = _common([then, otherwise])
            else:
                (a, _s), (b, _t), shape = then, otherwise, None
            return pl.when(condition.is_null()).then(None).when(condition).then(a).otherwise(b), shape
        if name == "bands":
            return self._bands(node, constants)
        parts = [self.node(a, constants) for a in node.args]
        if name == "abs":
            return parts[0][0].abs(), parts[0][1]
        args, shape = _common(parts)
        # An argument is read twice below: bind those that are costly (calls, divisions); plain
        # arithmetic on a column is cheaper to compute twice than to store.
        args = [self.bind(a) if _costly(n) else a for a, n in zip(args, node.args, strict=True)]
        # Integers have no ties to break (equal integers are the same value, unlike 0.0 and -0.0),
        # so the horizontal minimum is the fold single.py does; a missing argument makes it missing
        # (min_horizontal, like SQL's LEAST, would skip it: not here).
        folded = pl.min_horizontal(*args) if name == "min" else pl.max_horizontal(*args)
        return pl.when(pl.any_horizontal(*(a.is_null() for a in args))).then(None).otherwise(folded), shape

    def _bands(self, node: Node, constants) -> tuple[pl.Expr, Shape]:
        value, shape = self.node(node.args[0], constants)
        pairs = band_pairs(node)
        thresholds = [exact.constant_shape(t) for t, _p in pairs]
        points = [exact.constant_shape(p) for _t, p in pairs]
        scale = max([shape.scale] + [s.scale for s, _r in thresholds])
        value, bound = rescale(value, shape, scale)
        bound = max([bound] + [s.bound * 10 ** (scale - s.scale) for s, _r in thresholds])
        value = self.bind(value.cast(_dtype(bound)))
        out_scale = max(s.scale for s, _r in points)
        out_bound = max(s.bound * 10 ** (out_scale - s.scale) for s, _r in points)
        out = _dtype(out_bound)
        chain = pl.when(value.is_null()).then(pl.lit(None, dtype=out))
        for (t_shape, t_raw), (p_shape, p_raw) in reversed(list(zip(thresholds, points, strict=True))):
            threshold = pl.lit(t_raw * 10 ** (scale - t_shape.scale), dtype=_dtype(bound))
            points_raw = pl.lit(p_raw * 10 ** (out_scale - p_shape.scale), dtype=out)
            chain = chain.when(value >= threshold).then(points_raw)
        return chain.otherwise(pl.lit(0, dtype=out)), Shape(out_scale, out_bound)

    def to_fen(self, value: pl.Expr, shape: Shape) -> pl.Expr:
        """A number as money: its integer in fen, rounded half up (away from zero) when it has more
        places than the fen (exact.to_fen)."""
        places = exact.FACT_PLACES
        if shape.scale <= places:
            return rescale(value, shape, places)[0]
        unit = 10 ** (shape.scale - places)
        dtype = _dtype(shape.bound + unit)
        value = self.bind(value.cast(dtype))
        half_up = (value.abs() + pl.lit(unit // 2, dtype=dtype)) // pl.lit(unit, dtype=dtype)
        return pl.when(value < 0).then(_negate(half_up, shape.bound)).otherwise(half_up)


def derived_columns(compiler: "Compiler", pack, names: list[str], period) -> dict[str, tuple]:
    """The pack's derived values `names` (in the pack's order), each compiled once and bound to a
    column of its own, as {name: (expression, shape)} for Compiler.node's constants."""
    out: dict[str, tuple] = {}
    for name in names:
        d = pack.derived[name]
        params = {n: pack.parameters[n].at(period) for n in d.node.names() & set(pack.parameters)}
        value, shape = compiler.node(d.node, params | out)
        out[name] = (compiler.bind(value), shape)
    return out
