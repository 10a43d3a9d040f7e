"""Evaluating a pack: every clause over a table of enterprises (batch), one clause for one
enterprise with its trace (explain), and the pack's scenario tests through both."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from zhuqi.rules import polars_eval, single
from zhuqi.rules.expr import NUMBER
from zhuqi.rules.model import Clause, Fact, Pack, Scenario

FEN = Decimal("0.01")


def to_yuan(amount: float | None) -> Decimal | None:
    """An evaluated amount as Decimal yuan, rounded half up to the fen."""
    if amount is None:
        return None
    return Decimal(repr(amount)).quantize(FEN, rounding=ROUND_HALF_UP)


def constants(pack: Pack, clause: Clause, period: date) -> dict[str, float | None]:
    return {name: pack.parameters[name].at(period) for name in clause.parameter_names(pack)}


def prepare(pack: Pack, facts: pl.DataFrame, clauses: list[Clause], period: date) -> pl.DataFrame:
    """The facts table with every column the clauses read, typed; absent ones are missing (null),
    except granted_this_year (0) and period_year (the period's)."""
    wanted: dict[str, Fact] = dict(pack.facts)
    for clause in clauses:
        wanted |= clause.inputs
    columns = []
    for name, fact in wanted.items():
        dtype = polars_eval.DTYPES[fact.type]
        if name == "period_year":
            columns.append(pl.lit(float(period.year), dtype=dtype).alias(name))
        elif name == "granted_this_year":  # nothing granted yet unless told
            given = pl.col(name).cast(dtype) if name in facts.columns else pl.lit(None, dtype=dtype)
            columns.append(given.fill_null(0.0).alias(name))
        elif name in facts.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    keep = [c for c in facts.columns if c not in wanted]
    return facts.select(*keep, *columns)


def batch(pack: Pack, facts: pl.DataFrame, period: date, clauses: list[Clause] | None = None) -> pl.DataFrame:
    """Per clause three columns: `<code>:eligible` (bool), `<code>:unknown` (a fact or input the
    condition needs is missing) and `<code>:amount` (float yuan; null when not eligible or an input
    is missing). Clauses not in force on `period` are left out. A column `granted_this_year:<code>`
    in `facts` is what that clause already granted each enterprise this year (annual caps)."""
    clauses = [c for c in (clauses or pack.clauses) if c.in_force(period)]
    table = prepare(pack, facts, clauses, period)
    outputs = []
    for clause in clauses:
        values = constants(pack, clause, period)
        granted = f"granted_this_year:{clause.code}"
        if granted in table.columns:
            values["granted_this_year"] = pl.col(granted).cast(pl.Float64).fill_null(0.0)
        condition = polars_eval.compile_expr(clause.condition, values)
        amount = polars_eval.compile_expr(clause.amount, values)
        eligible = condition.fill_null(False)
        outputs += [
            eligible.alias(f"{clause.code}:eligible"),
            condition.is_null().alias(f"{clause.code}:unknown"),
            pl.when(eligible).then(amount).otherwise(None).alias(f"{clause.code}:amount"),
        ]
    return polars_eval.collect(table.lazy().select(*outputs))


@dataclass
class Explanation:
    clause: Clause
    period: date
    eligible: bool
    unknown: bool  # the condition needs a value that is missing
    amount: float | None
    checks: list[single.Check]
    missing: list[Fact]  # facts and inputs the clause reads that were not given
    parameters: dict[str, float | None] = field(default_factory=dict)

    @property
    def amount_yuan(self) -> Decimal | None:
        return to_yuan(self.amount)


def explain(pack: Pack, clause: Clause, facts: dict, period: date, inputs: dict | None = None) -> Explanation:
    """The single-enterprise evaluation with its trace: same meaning as batch()."""
    env = _environment(pack, clause, {**facts, **(inputs or {})}, period)
    values = constants(pack, clause, period)
    env |= values
    in_force = clause.in_force(period)
    condition = single.evaluate(clause.condition, env) if in_force else False
    eligible = condition is True
    amount = single.evaluate(clause.amount, env) if eligible else None
    read = clause.condition.names() | clause.amount.names()
    labels = pack.labels(clause)
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
    )


def _environment(pack: Pack, clause: Clause, given: dict, period: date) -> dict:
    env = {}
    for name, fact in pack.labels(clause).items():
        value = given.get(name)
        if value is not None and fact.type == NUMBER:
            value = float(value)
        env[name] = value
    env["period_year"] = float(period.year)
    if env.get("granted_this_year") is None:
        env["granted_this_year"] = 0.0
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
        frame = batch(
            pack, pl.DataFrame([given]) if given else pl.DataFrame({"_": [0]}), scenario.period, [clause]
        )
        if clause.in_force(scenario.period):
            many_eligible = frame[f"{clause.code}:eligible"][0]
            many_amount = frame[f"{clause.code}:amount"][0]
        else:
            many_eligible, many_amount = False, None
        expected = to_yuan(scenario.amount) if scenario.eligible else None
        problems = []
        for name, eligible, amount in (
            ("single", one.eligible, one.amount),
            ("batch", many_eligible, many_amount),
        ):
            if eligible != scenario.eligible:
                problems.append(f"{name}: eligible {eligible}, expected {scenario.eligible}")
            elif scenario.eligible and scenario.amount is not None and to_yuan(amount) != expected:
                problems.append(f"{name}: amount {to_yuan(amount)}, expected {expected}")
        results.append(ScenarioResult(scenario, not problems, "; ".join(problems)))
    return results
