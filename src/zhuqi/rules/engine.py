"""Evaluating a pack: every clause over a table of enterprises (batch), one clause for one
enterprise with its trace (explain), and the pack's scenario tests through both."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from zhuqi.rules import exact, polars_eval, single
from zhuqi.rules.exact import Shape
from zhuqi.rules.expr import NUMBER
from zhuqi.rules.model import Clause, Fact, Pack, Scenario

HUNDRED = 10**exact.FACT_PLACES


def to_yuan(amount: Decimal | None) -> Decimal | None:
    """An evaluated amount as Decimal yuan, rounded half up (四舍五入) to the fen: the only rounding of
    an amount (exact.py says why)."""
    return exact.to_fen(amount)


def yuan_of_fen(fen: int | None) -> Decimal | None:
    """A batch amount (integer fen) as Decimal yuan."""
    return None if fen is None else Decimal(fen).scaleb(-exact.FACT_PLACES)


def constants(pack: Pack, clause: Clause, period: date) -> dict[str, Decimal | None]:
    return {name: pack.parameters[name].at(period) for name in clause.parameter_names(pack)}


def fen_column(facts: pl.DataFrame, name: str) -> tuple[pl.Expr, list[tuple[pl.Expr, str]]]:
    """A number column as exact integer fen (what the batch evaluator reads), from integers or
    decimals with at most two places, and the checks it must pass (exact.number's: no float, no
    third decimal place), as (expression true when it fails, reason). Its size (smaller than
    exact.FACT_LIMIT) is checked from its smallest and largest values (_checked)."""
    dtype = facts.schema[name]
    column = pl.col(name)
    checks = []
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int64).alias(name), checks
    if dtype.is_integer():
        fen = column.cast(pl.Int128) * HUNDRED
    elif isinstance(dtype, pl.Decimal):
        places = pl.Decimal(38, exact.FACT_PLACES)
        if (dtype.scale or 0) > exact.FACT_PLACES:
            checks.append(
                (column.cast(places) != column, f"has more than {exact.FACT_PLACES} decimal places")
            )
        fen = column.cast(places).to_physical()  # Decimal(38, 2) is stored as its integer in fen
    else:
        raise exact.NumberError(f"{name}: numbers are Decimal or integer columns, not {dtype}")
    return fen, checks


def _checked(
    facts: pl.DataFrame, table: pl.DataFrame, columns: dict[str, tuple[pl.Expr, list]]
) -> dict[str, Shape]:
    """Checks every number column (fen_column: its checks on `facts`, its size on `table`, where it
    is already Int64 fen) and measures it: the Shape of its values in fen, from its smallest and
    largest (a column missing in every row has none: it is not in the result)."""
    checks = [
        (name, reason, failing.fill_null(False).any().alias(f"{name}|{i}"))
        for name, (_e, found) in columns.items()
        for i, (failing, reason) in enumerate(found)
    ]
    if checks:
        failed = facts.select(*(c for _n, _r, c in checks)).row(0)
        for (name, reason, _c), bad in zip(checks, failed, strict=True):
            if bad:
                raise exact.NumberError(f"{name}: a value {reason}")
    if not columns:
        return {}
    ranges = table.select(
        *(x for n in columns for x in (pl.col(n).min().alias(f"{n}|min"), pl.col(n).max().alias(f"{n}|max")))
    ).row(0)
    limit = exact.FACT_LIMIT * HUNDRED
    shapes = {}
    for i, name in enumerate(columns):
        low, high = ranges[2 * i : 2 * i + 2]
        if low is None:
            continue
        if -low >= limit or high >= limit:
            raise exact.NumberError(f"{name}: a value is not smaller than {exact.FACT_LIMIT:,} in size")
        shapes[name] = Shape.span(exact.FACT_PLACES, low, high)
    return shapes


def prepare(
    pack: Pack, facts: pl.DataFrame, clauses: list[Clause], period: date
) -> tuple[pl.DataFrame, dict[str, Shape], set[str]]:
    """The facts table with every column the clauses read, typed (numbers in fen, fen_column;
    absent ones are missing, null, except granted_this_year: 0, and period_year: the period's), the
    Shape of each number column's values in fen, and the names the clauses read that are missing in
    every row (absent, or null throughout)."""
    wanted: dict[str, Fact] = dict(pack.facts)
    for clause in clauses:
        wanted |= clause.inputs
    columns = []
    numbers = {}
    missing = set()
    for name, fact in wanted.items():
        dtype = polars_eval.DTYPES[fact.type]
        if name == "granted_this_year":
            continue  # below, with the per-clause columns
        if name == "period_year":
            columns.append(pl.lit(period.year * HUNDRED, dtype=dtype).alias(name))
            continue
        if name not in facts.columns or facts[name].null_count() == facts.height:
            missing.add(name)
        if name in facts.columns and fact.type == NUMBER:
            numbers[name] = fen_column(facts, name)
        elif name in facts.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    granted = [c for c in facts.columns if c.startswith("granted_this_year")]
    numbers |= {c: fen_column(facts, c) for c in granted}
    if "granted_this_year" not in facts.columns:
        columns.append(pl.lit(0, dtype=pl.Int64).alias("granted_this_year"))
    keep = [c for c in facts.columns if c not in wanted and c not in granted]
    fen = [e.cast(pl.Int64).alias(n) for n, (e, _c) in numbers.items()]
    try:
        table = facts.select(*keep, *columns, *fen)
    except pl.exceptions.InvalidOperationError:  # a value past Int64: say which
        for name, (e, _c) in numbers.items():
            if facts.select((e.abs() >= exact.FACT_LIMIT * HUNDRED).any()).item():
                raise exact.NumberError(
                    f"{name}: a value is not smaller than {exact.FACT_LIMIT:,} in size"
                ) from None
        raise
    shapes = _checked(facts, table, numbers)
    if granted:  # 0: nothing granted yet
        table = table.with_columns(pl.col(granted).fill_null(0))
        for name in granted:
            s = shapes.get(name, Shape(exact.FACT_PLACES, 0))
            shapes[name] = Shape.span(s.scale, min(s.low, 0), max(s.high, 0))
    return table, shapes, missing


def batch(
    pack: Pack,
    facts: pl.DataFrame,
    period: date,
    clauses: list[Clause] | None = None,
    derived: list[str] = (),
) -> pl.DataFrame:
    """Per clause three columns: `<code>:eligible` (bool), `<code>:unknown` (a fact or input the
    condition needs is missing) and `<code>:amount` (integer fen, exact, rounded half up to the fen;
    null when not eligible or an input is missing; yuan_of_fen makes it Decimal yuan). Clauses not
    in force on `period` are left out. A column `granted_this_year:<code>` in `facts` is what that
    clause already granted each enterprise this year (annual caps). Number columns of `facts` are
    Decimal (at most two places) or integers, never floats (fen_column). Each derived value named in
    `derived` is one more column `derived:<name>`: a bool, or a number in integer fen (rounded half up
    to the fen, as an amount). Derived values are computed once however many clauses read them.

    What is the same for every row is computed once when compiling (polars_eval): the period's
    year, the parameters, a fact or input missing in every row, granted_this_year when not given."""
    clauses = [c for c in (clauses if clauses is not None else pack.clauses) if c.in_force(period)]
    table, shapes, missing = prepare(pack, facts, clauses, period)
    compiler = polars_eval.Compiler(columns=shapes)
    given: dict[str, object] = {"period_year": Decimal(period.year)} | dict.fromkeys(missing)
    if "granted_this_year" not in facts.columns:
        given["granted_this_year"] = Decimal(0)
    wanted = set(derived)
    for clause in clauses:
        wanted |= set(pack.derived_read(clause))
    wanted = set(pack.derived_read(_Names(wanted)))
    names = [n for n in pack.derived if n in wanted]
    shared = polars_eval.derived_columns(compiler, pack, names, period, given)
    # Every parameter read once for the period: clauses and their copies share the values.
    at = {name: parameter.at(period) for name, parameter in pack.parameters.items()}
    outputs = []
    for name in derived:
        value = shared[name]
        if value.shape is not None:
            value = compiler.to_fen(value)
        outputs.append(_column(value, f"derived:{name}"))
    for clause in clauses:
        values = given | {n: at[n] for n in clause.parameter_names(pack)} | shared
        granted = f"granted_this_year:{clause.code}"
        if granted in table.columns:
            values["granted_this_year"] = polars_eval.Compiled(pl.col(granted), shapes[granted], pl.Int64)
        outputs += _outcome(compiler, clause, values)
    return compiler.select(table.lazy(), outputs)


def _column(value: polars_eval.Compiled, name: str) -> pl.Expr:
    """An output column: a number as Int64 (fen; Int64 holds up to 92,233,720,368,547,758.07 yuan,
    past that the cast fails loudly)."""
    expr = value.expr if value.shape is None or value.dtype == pl.Int64 else value.expr.cast(pl.Int64)
    return expr.alias(name)


def _outcome(compiler: polars_eval.Compiler, clause: Clause, values: dict) -> list[pl.Expr]:
    """A clause's three output columns (batch)."""
    code = clause.code
    condition = compiler.bind(compiler.node(clause.condition, values))
    unknown = condition.expr.is_null().alias(f"{code}:unknown")
    if condition.known and condition.value is not True:  # eligible nowhere: no amount to compute
        return [
            pl.lit(False).alias(f"{code}:eligible"),
            unknown,
            pl.lit(None, pl.Int64).alias(f"{code}:amount"),
        ]
    amount = compiler.bind(compiler.to_fen(compiler.node(clause.amount, values)))
    fen = _column(amount, f"{code}:amount")
    held = condition.expr.fill_null(False)
    # Nothing to grant is not eligible (NOTHING_TO_GRANT); an amount still waiting for an input
    # (null) is: the enterprise supplies it when it applies. Eligible with an amount is exactly
    # "the condition holds and the amount is more than 0".
    if amount.known and amount.value is not None and amount.value <= 0:
        eligible, paid = pl.lit(False), pl.lit(None, pl.Int64).alias(f"{code}:amount")
    elif amount.known or amount.shape.low > 0:  # missing everywhere, or never 0 or less
        eligible, paid = held, pl.when(condition.expr).then(fen)
    else:
        eligible = held & (amount.expr.is_null() | (amount.expr > 0))
        paid = pl.when(condition.expr & (amount.expr > 0)).then(fen)
    return [eligible.alias(f"{code}:eligible"), unknown, paid.alias(f"{code}:amount")]


# An enterprise whose conditions hold but whose amount comes to 0 yuan (city-retained tax fell, no
# fees were paid) is NOT eligible for that year: a grant of 0 is no grant, every amount the seeds
# promise is a payment, and "eligible, 0 元" would list the clause among the enterprise's policies,
# notify it and invite an application that can only be refused. The trace still shows each
# condition met, and `nothing_to_grant` says why it is not eligible. Both evaluators do this.


class _Names:
    """A set of names standing in for a node (Pack.reads of several derived values at once)."""

    def __init__(self, names: set[str]):
        self._names = names

    def names(self) -> set[str]:
        return set(self._names)


@dataclass
class Explanation:
    clause: Clause
    period: date
    eligible: bool
    unknown: bool  # the condition needs a value that is missing
    amount: Decimal | None  # exact; amount_yuan is what is paid
    checks: list[single.Check]
    missing: list[Fact]  # facts and inputs the clause reads that were not given
    parameters: dict[str, Decimal | None] = field(default_factory=dict)
    nothing_to_grant: bool = False  # the conditions hold, but the amount is 0 yuan (see above)
    derived: dict[str, object] = field(default_factory=dict)  # every derived value read, in the pack's order

    @property
    def amount_yuan(self) -> Decimal | None:
        return to_yuan(self.amount)


def explain(pack: Pack, clause: Clause, facts: dict, period: date, inputs: dict | None = None) -> Explanation:
    """The single-enterprise evaluation with its trace: same meaning as batch()."""
    env = _environment(pack, clause, {**facts, **(inputs or {})}, period)
    values = constants(pack, clause, period)
    env |= values
    derived = derive(pack, env, pack.derived_read(clause))
    env |= derived
    in_force = clause.in_force(period)
    condition = single.evaluate(clause.condition, env) if in_force else False
    amount = single.evaluate(clause.amount, env) if condition is True else None
    nothing = amount is not None and to_yuan(amount) <= 0
    eligible = condition is True and not nothing
    read = pack.reads(clause)
    labels = pack.given(clause)
    missing = [labels[n] for n in sorted(read) if n in labels and env.get(n) is None]
    return Explanation(
        clause=clause,
        period=period,
        eligible=eligible,
        unknown=in_force and condition is None,
        amount=amount,
        checks=single.checks(clause.condition, env),
        missing=missing,
        parameters=values,
        nothing_to_grant=nothing,
        derived=derived,
    )


def derive(pack: Pack, env: dict, names: list[str]) -> dict[str, object]:
    """The derived values `names` (in the pack's order) for one enterprise whose facts and the
    period's parameters are in `env` (the single evaluator)."""
    found: dict[str, object] = {}
    for name in names:
        found[name] = single.evaluate(pack.derived[name].node, env | found)
    return found


def explain_derived(pack: Pack, facts: dict, period: date, names: list[str]) -> dict[str, object]:
    """Derived values for one enterprise without a clause: its facts, the parameters of `period`."""
    wanted = pack.derived_read(_Names(set(names)))
    env = {}
    for name, fact in pack.facts.items():
        value = facts.get(name)
        env[name] = exact.number(value, name) if value is not None and fact.type == NUMBER else value
    env["period_year"] = Decimal(period.year)
    env["granted_this_year"] = Decimal(0)
    params = pack.reads(_Names(set(wanted))) & set(pack.parameters)
    env |= {n: pack.parameters[n].at(period) for n in params}
    return derive(pack, env, wanted)


def _environment(pack: Pack, clause: Clause, given: dict, period: date) -> dict:
    env = {}
    for name, fact in pack.given(clause).items():
        value = given.get(name)
        if value is not None and fact.type == NUMBER:
            value = exact.number(value, name)
        env[name] = value
    env["period_year"] = Decimal(period.year)
    if env.get("granted_this_year") is None:
        env["granted_this_year"] = Decimal(0)
    return env


@dataclass
class ScenarioResult:
    scenario: Scenario
    passed: bool
    message: str


def run_scenarios(pack: Pack) -> list[ScenarioResult]:
    """Every test of the pack through both evaluators; a test passes when both give the expected
    eligibility and amount (to the fen)."""
    results = []
    for scenario in pack.scenarios:
        clause = pack.clause(scenario.clause)
        given = {**scenario.facts, **scenario.inputs}
        one = explain(pack, clause, scenario.facts, scenario.period, scenario.inputs)
        names = list(scenario.derived)
        frame = batch(
            pack,
            pl.DataFrame([given]) if given else pl.DataFrame({"_": [0]}),
            scenario.period,
            [clause],
            derived=names,
        )
        if clause.in_force(scenario.period):
            many_eligible = frame[f"{clause.code}:eligible"][0]
            many_amount = frame[f"{clause.code}:amount"][0]
        else:
            many_eligible, many_amount = False, None
        expected = to_yuan(scenario.amount) if scenario.eligible else None
        problems = []
        for name, eligible, amount in (
            ("single", one.eligible, one.amount_yuan),
            ("batch", many_eligible, yuan_of_fen(many_amount)),
        ):
            if eligible != scenario.eligible:
                problems.append(f"{name}: eligible {eligible}, expected {scenario.eligible}")
            elif scenario.eligible and scenario.amount is not None and amount != expected:
                problems.append(f"{name}: amount {amount}, expected {expected}")
        one_derived = explain_derived(pack, given, scenario.period, names)
        for n, want in scenario.derived.items():
            many = frame[f"derived:{n}"][0]
            many = many if pack.derived[n].type != NUMBER else yuan_of_fen(many)
            mine = one_derived[n] if pack.derived[n].type != NUMBER else to_yuan(one_derived[n])
            want = want if pack.derived[n].type != NUMBER else to_yuan(want)
            for name, got in (("single", mine), ("batch", many)):
                if got != want:
                    problems.append(f"{name}: {n} is {got}, expected {want}")
        results.append(ScenarioResult(scenario, not problems, "; ".join(problems)))
    return results
