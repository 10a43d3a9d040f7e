"""The batch evaluator as it was before issue 14 (binary floats), kept only so that
bench/rules_batch.py can measure, in the same run, what exact arithmetic costs. Not used by Zhuqi:
its amounts can be one fen off (4,238,794.05 × 30 % = 1,271,638.21).
"""

import polars as pl

from zhuqi.rules.expr import ARITHMETIC, BOOL, COMPARISONS, NUMBER, TEXT, Node, band_pairs

DTYPES = {NUMBER: pl.Float64, BOOL: pl.Boolean, TEXT: pl.String}
NULL_NUMBER = pl.lit(None, dtype=pl.Float64)


# Polars' expression simplifier turns `x / 2.5` into `x * 0.4`, which differs from the division in
# the last bit (3.5 / 2.5 = 1.4, 3.5 * 0.4 = 1.4000000000000001). One meaning means no such rewrite.
EXACT = pl.QueryOptFlags(simplify_expression=False)


def _as_column(divisor: pl.Expr) -> pl.Expr:
    """The divisor as a materialised column. Polars 2 divides a column by a scalar as a
    multiplication by its reciprocal (3.0 / 2.5 = 1.2000000000000002 on any column longer than one
    row), while column by column is IEEE division, as Python's. 0.0 + b is b exactly (x / 0 is
    caught before it is used)."""
    return pl.int_range(pl.len(), dtype=pl.Int64).cast(pl.Float64) * 0.0 + divisor


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    """Evaluates compiled clauses exactly as single.py does (see EXACT)."""
    return frame.collect(optimizations=EXACT)


def compile_expr(node: Node, constants: dict[str, object]) -> pl.Expr:
    """`constants` holds the parameters' values for the period (a missing one is None), or an
    expression to read instead of a column; every other name is a column of the facts table."""
    k = node.kind
    if k == "num":
        return pl.lit(float(node.value), dtype=pl.Float64)
    if k == "text":
        return pl.lit(node.value, dtype=pl.String)
    if k == "bool":
        return pl.lit(node.value, dtype=pl.Boolean)
    if k == "name":
        if node.value in constants:
            value = constants[node.value]
            # A constant may be a column expression: a per-clause column standing for a shared fact.
            return value if isinstance(value, pl.Expr) else pl.lit(value, dtype=DTYPES[node.type])
        return pl.col(node.value)
    args = [compile_expr(a, constants) for a in node.args] if k not in ("in", "call") else None
    if k == "unary":
        return -args[0]
    if k == "binary":
        a, b = args
        if node.value == "/":
            return pl.when(b != 0).then(a / _as_column(b)).otherwise(NULL_NUMBER)
        return ARITHMETIC[node.value](a, b)
    if k == "compare":
        return COMPARISONS[node.value](*args)
    if k == "in":
        value = compile_expr(node.args[0], constants)
        items = [i.value for i in node.args[1].args]
        inside = value.is_in(pl.lit(pl.Series(items, dtype=DTYPES[node.args[0].type])).implode())
        return pl.when(value.is_null()).then(None).otherwise(inside if node.value else ~inside)
    if k == "logic":
        return args[0] & args[1] if node.value == "and" else args[0] | args[1]
    if k == "not":
        return ~args[0]
    if k == "call":
        return _call(node, constants)
    raise ValueError(f"cannot compile a {k}")  # pragma: no cover


def _call(node: Node, constants) -> pl.Expr:
    name = node.value
    if name == "if":
        condition, then, otherwise = (compile_expr(a, constants) for a in node.args)
        return pl.when(condition.is_null()).then(None).when(condition).then(then).otherwise(otherwise)
    if name == "bands":
        value = compile_expr(node.args[0], constants)
        chain = pl.when(value.is_null()).then(NULL_NUMBER)
        for threshold, points in reversed(band_pairs(node)):
            chain = chain.when(value >= threshold).then(pl.lit(float(points)))
        return chain.otherwise(pl.lit(0.0))
    args = [compile_expr(a, constants) for a in node.args]
    if name == "abs":
        return args[0].abs()
    # A left fold of selects, as Python's min/max walk their arguments: the running value is
    # replaced only by a strictly smaller (larger) one, so ties keep the first, as in single.py. A
    # missing argument makes both comparisons missing, so the result is missing with no extra mask
    # (min_horizontal would skip it). The running value appears three times per step; Polars'
    # common-subexpression elimination evaluates it once (the shipped pack's longest min has 4).
    better = (lambda x, m: x < m) if name == "min" else (lambda x, m: x > m)
    worse_or_same = (lambda x, m: x >= m) if name == "min" else (lambda x, m: x <= m)
    running = args[0]
    for x in args[1:]:
        running = pl.when(better(x, running)).then(x).when(worse_or_same(x, running)).then(running)
    return running
