"""Batch evaluation of the shipped policy clauses over synthetic enterprises, against plain per-row
Python evaluation of the same clauses, OpenFisca and the same clauses hand-written in plain Polars,
in the same run (compute only: no database).

    pip install -e '.[bench]'   # openfisca-core, once
    .venv/bin/python -m bench.rules_batch [--rows 100000 1000000] [--clauses 50]

The shipped pack's clauses are repeated until there are at least --clauses; every copy reads its
own parameters with different values, so no two copies compute the same amount (what reads the
facts alone, such as the year-on-year growth of city-retained tax, the engine computes once for all,
as it would for distinct clauses reading the same facts).
Synthetic facts and application inputs are hashed from the row number (deterministic, no numpy):
amounts in fen as Decimal(38, 2) columns, as the directory gives them, with about 5 % of every
column missing. Prints seconds (best of 3), rows per second,
the ratio to the per-row evaluator, to OpenFisca (bench/rules_openfisca.py: a TaxBenefitSystem
generated from the same clauses and parameters, float64, timed from its numpy input arrays) and
to plain Polars (bench/rules_plain.py: the clauses written by hand, timed from a Float64 copy of
the facts), each in wall and CPU seconds, taking turns in each round; one enterprise's
full trace over every clause, and the peak resident memory. Before timing, the run asserts on the
per-row sample that the engine equals the per-row evaluator bit for bit, and that OpenFisca and
plain Polars give the same eligibility and amounts within half a fen (they compute in floats and
do not round). Figures: bench/README.md.
"""

import argparse
import copy
import gc
import re
import resource
import time
from datetime import date

import numpy as np
import polars as pl

from bench import rules_float, rules_plain
from zhuqi.rules import exact, packs, single
from zhuqi.rules.engine import batch, constants, derive, explain, to_yuan
from zhuqi.rules.model import load_pack

PERIOD = date(2021, 6, 30)  # every clause of the pack in force


def pack_with(clauses_wanted: int):
    """The shipped pack with its clauses repeated up to `clauses_wanted`. Copy k reads its own
    parameters (`<name>.v<k>`: rates raised by k ‰, amounts by k yuan), so no two copies
    compute the same amount."""
    pack = load_pack(packs.DIRECTORY / "dongguan_doubling.yaml")
    document = copy.deepcopy(pack.document)
    base = [c for p in document["policies"] for c in p["clauses"]]
    names = sorted(pack.parameters, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w.])")
    copies, k = [], 1
    while len(base) + len(copies) < clauses_wanted:
        for raw in base:
            if len(base) + len(copies) >= clauses_wanted:
                break
            twin = dict(raw, code=f"{raw['code']}#{k}")
            for part in ("condition", "amount"):
                twin[part] = pattern.sub(lambda m, k=k: f"{m.group(1)}.v{k}", raw[part])
            copies.append(twin)
        k += 1
    for name in pack.parameters:
        spec = document["parameters"][name]
        for j in range(1, k + 1):
            document["parameters"][f"{name}.v{j}"] = dict(
                spec, values={d: (None if v is None else _raised(v, j)) for d, v in spec["values"].items()}
            )
    document["policies"][0]["clauses"] = document["policies"][0]["clauses"] + copies
    document["tests"] = []
    return load_pack(document)


def _raised(value, k: int):
    number = exact.literal(value)
    if number < 1:  # a rate: k ‰ more (three places, as the seeds' rates: 57.5 %)
        return number + exact.literal(f"{k}").scaleb(-3)
    return number + k if number >= 10_000 else number  # money: k yuan more; years, factors stay


def synthetic(pack, rows: int) -> pl.DataFrame:
    fields = dict(pack.facts)
    for clause in pack.clauses:
        fields |= clause.inputs
    fields.pop("period_year")
    i = pl.int_range(rows, dtype=pl.UInt64)
    columns = []
    for n, (name, fact) in enumerate(sorted(fields.items())):
        h = (i * 2654435761 + n * 40503).hash(seed=n)
        missing = (h % 100) < 5
        if fact.type == "bool":
            value = (h % 7) < 3
        elif fact.type == "text":
            value = pl.lit(
                pl.Series(["neeq", "listed", "pre_ipo", "none", "示范", "智能化改造", "自动化改造"])
            ).get((h % 7).cast(pl.Int64))
        elif fact.unit in ("年", "人"):
            value = (h % 6).cast(pl.Decimal(38, 2))
        elif name == "granted_this_year":
            value = ((h % 4) * 250_000).cast(pl.Decimal(38, 2))
        else:  # up to 60,000,000.00 yuan, any number of fen
            value = (h % 6_000_000_000).cast(pl.Int64).cast(pl.Decimal(38, 2)) / 100
        columns.append(pl.when(missing).then(None).otherwise(value).alias(name))
    return pl.select(*columns)


def per_row(pack, table: pl.DataFrame) -> list:
    """The plain way: walk each clause's tree for each enterprise in Python (amounts in fen)."""
    out = []
    clauses = [c for c in pack.clauses if c.in_force(PERIOD)]
    values = {c.code: constants(pack, c, PERIOD) for c in clauses}
    for row in table.iter_rows(named=True):
        row["period_year"] = exact.literal(str(PERIOD.year))
        row["granted_this_year"] = row["granted_this_year"] or 0  # as batch: nothing granted unless told
        for clause in clauses:
            env = row | values[clause.code]
            env |= derive(pack, env, pack.derived_read(clause))  # "pilot" and the like, per enterprise
            eligible = single.evaluate(clause.condition, env) is True
            amount = to_yuan(single.evaluate(clause.amount, env)) if eligible else None
            if amount is not None and amount <= 0:
                amount = None  # nothing to grant is not eligible (engine.explain)
            out.append(None if amount is None else int(amount.scaleb(2)))
    return out


def float_batch(pack, facts: pl.DataFrame) -> pl.DataFrame:
    """The same clauses through the float evaluator of before issue 14 (bench/rules_float.py), on
    the same facts as Float64: what exactness costs, measured in the same run."""
    table = facts.with_columns(
        *(pl.col(c).cast(pl.Float64) for c, d in facts.schema.items() if isinstance(d, pl.Decimal)),
        pl.lit(float(PERIOD.year)).alias("period_year"),
    ).with_columns(pl.col("granted_this_year").fill_null(0.0))
    every = {n: (None if p.at(PERIOD) is None else float(p.at(PERIOD))) for n, p in pack.parameters.items()}
    for name, value in pack.derived.items():  # "pilot" and the like: one column each, in the pack's order
        table = table.with_columns(rules_float.compile_expr(value.node, every).alias(name))
    outputs = []
    for clause in pack.clauses:
        values = {n: (None if v is None else float(v)) for n, v in constants(pack, clause, PERIOD).items()}
        condition = rules_float.compile_expr(clause.condition, values)
        amount = rules_float.compile_expr(clause.amount, values)
        eligible = condition.fill_null(False)
        outputs += [
            eligible.alias(f"{clause.code}:eligible"),
            condition.is_null().alias(f"{clause.code}:unknown"),
            pl.when(eligible).then(amount).otherwise(None).alias(f"{clause.code}:amount"),
        ]
    return rules_float.collect(table.lazy().select(*outputs))


def plain_clauses(pack, period: date) -> tuple[list[tuple[str, str, str]], dict[str, float | None]]:
    """What bench/rules_plain.py needs: (code, the shipped clause it copies, the suffix of its
    copy's parameters) for each clause in force, and every parameter's value at `period`."""
    clauses = []
    for clause in pack.clauses:
        if clause.in_force(period):
            base, _hash, k = clause.code.partition("#")
            clauses.append((clause.code, base, f".v{k}" if k else ""))
    values = {n: (None if p.at(period) is None else float(p.at(period))) for n, p in pack.parameters.items()}
    return clauses, values


def same_outcomes(name: str, engine: pl.DataFrame, other, codes: list[str]) -> None:
    """`other` (columns `<code>:eligible`, `<code>:amount` in float yuan) gives the engine's
    eligibility exactly and its amounts (exact fen) within half a fen."""
    for code in codes:
        eligible = engine[f"{code}:eligible"].to_numpy()
        theirs = np.asarray(other[f"{code}:eligible"], dtype=bool)
        wrong = np.flatnonzero(eligible != theirs)
        assert not len(wrong), f"{name}: {code} eligibility differs in row {wrong[0]}"
        fen = engine[f"{code}:amount"].cast(pl.Float64).to_numpy()
        yuan = other[f"{code}:amount"]
        yuan = yuan.to_numpy() if isinstance(yuan, pl.Series) else yuan
        missing = np.isnan(fen)
        assert (missing == np.isnan(yuan)).all(), f"{name}: {code} pays where the engine does not"
        gap = np.abs(fen[~missing] - yuan[~missing] * 100)
        assert (gap <= 0.5 + 1e-6).all(), f"{name}: {code} amount differs by {gap.max():.4f} fen"


def interleaved(rounds: int, works: dict) -> dict[str, tuple[float, float]]:
    """Each work's best wall-clock and best CPU seconds (every thread of the process) over
    `rounds` rounds, the works taking turns within a round so that a change of load on the
    shared machine falls on all of them."""
    best = {name: (float("inf"), float("inf")) for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            gc.collect()  # what the one before left (an OpenFisca simulation is a cycle of objects)
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--clauses", type=int, default=50)
    parser.add_argument("--per-row-sample", type=int, default=5_000)
    parser.add_argument(
        "--floats", action="store_true", help="also time the float evaluator of before issue 14"
    )
    args = parser.parse_args()

    # numpy asks the kernel for transparent huge pages for its large arrays; on this shared machine
    # the kernel then compacts memory to find them, which cost OpenFisca 1.5-2.2 s of system time
    # per run against 0.6-0.9 s without (measured 2026-12-06). Off: the comparison favours OpenFisca.
    np._core.multiarray._set_madvise_hugepage(False)
    pack = pack_with(args.clauses)
    print(
        f"{len(pack.clauses)} clauses, period {PERIOD}, Polars {pl.__version__}, {pl.thread_pool_size()} threads"
    )

    sample = synthetic(pack, args.per_row_sample)
    per_row_seconds = best_of(1, lambda: per_row(pack, sample))
    per_row_rate = args.per_row_sample / per_row_seconds
    print(
        f"per-row Python: {args.per_row_sample:,} rows in {per_row_seconds:.2f} s = {per_row_rate:,.0f} rows/s"
    )

    # The batch result on the sample equals the per-row result (same meaning, bit for bit).
    result = batch(pack, sample, PERIOD)
    by_batch = [
        v for row in result.select([f"{c.code}:amount" for c in pack.clauses]).iter_rows() for v in row
    ]
    assert by_batch == per_row(pack, sample), "batch and per-row disagree"

    # OpenFisca and plain Polars give the same eligibility and amounts (floats: within half a fen).
    try:
        from bench import rules_openfisca
    except ImportError as e:
        raise SystemExit(f"OpenFisca is not installed ({e}): pip install -e '.[bench]'") from None
    in_force = [c for c in pack.clauses if c.in_force(PERIOD)]
    codes = [c.code for c in in_force]
    texts, arrays = rules_openfisca.inputs(pack, in_force, sample)
    openfisca = rules_openfisca.system(pack, in_force, texts)
    year = str(PERIOD.year)
    same_outcomes("OpenFisca", result, rules_openfisca.run(openfisca, pack, in_force, arrays, year), codes)
    plain, parameters = plain_clauses(pack, PERIOD)
    same_outcomes("plain Polars", result, rules_plain.evaluate(sample, plain, parameters, PERIOD.year), codes)
    print(f"on {args.per_row_sample:,} rows: engine == per-row; OpenFisca and plain Polars agree (½ fen)")

    for rows in args.rows:
        facts = synthetic(pack, rows)
        # OpenFisca reads numpy arrays and plain Polars Float64 columns: made once, not timed (the
        # engine's own reading of the Decimal columns is timed: a conservative comparison).
        started = time.perf_counter()
        texts, arrays = rules_openfisca.inputs(pack, in_force, facts)
        to_numpy = time.perf_counter() - started
        started = time.perf_counter()
        floats64 = facts.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
        to_float = time.perf_counter() - started
        openfisca = rules_openfisca.system(pack, in_force, texts)
        works = {
            "engine": lambda facts=facts: batch(pack, facts, PERIOD),
            "OpenFisca": lambda a=arrays, tbs=openfisca: rules_openfisca.run(tbs, pack, in_force, a, year),
            "plain": lambda f=floats64: rules_plain.evaluate(f, plain, parameters, PERIOD.year),
        }
        if args.floats:
            works["floats"] = lambda facts=facts: float_batch(pack, facts)
        took = interleaved(3, works)
        del arrays, floats64
        seconds, cpu = took["engine"]
        rate = rows / seconds
        print(
            f"batch {rows:>9,} × {len(pack.clauses)} clauses: {seconds:.3f} s (CPU {cpu:.3f} s) = "
            f"{rate:,.0f} rows/s, {rate / per_row_rate:,.0f}× per-row"
        )
        if args.floats:
            print(
                f"  floats (before issue 14) {took['floats'][0]:.3f} s, exact / floats {seconds / took['floats'][0]:.2f}"
            )
        of, of_cpu = took["OpenFisca"]
        print(
            f"  OpenFisca {of:.3f} s (CPU {of_cpu:.3f} s): the engine is {of / seconds:.2f}× OpenFisca's speed "
            f"(CPU {of_cpu / cpu:.2f}×); {(of + to_numpy) / seconds:.2f}× counting the {to_numpy:.3f} s "
            "it takes to make OpenFisca's numpy inputs"
        )
        hand, hand_cpu = took["plain"]
        print(
            f"  plain Polars by hand {hand:.3f} s (CPU {hand_cpu:.3f} s): the engine takes {seconds / hand:.2f}× "
            f"its time (CPU {cpu / hand_cpu:.2f}×); {seconds / (hand + to_float):.2f}× counting the "
            f"{to_float:.3f} s of casting its Decimal columns to Float64"
        )

    one = sample.row(0, named=True)
    trace_seconds = best_of(20, lambda: [explain(pack, c, one, PERIOD) for c in pack.clauses])
    print(f"one enterprise, full trace of {len(pack.clauses)} clauses: {trace_seconds * 1000:.2f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
