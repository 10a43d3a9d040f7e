"""The yearly tier assessment (issue 10): every enterprise against the three tier packs of
工信部企业〔2022〕63号 (创新型, 专精特新, 小巨人) in one Polars batch, against a per-row evaluation (the single
evaluator, one enterprise and tier at a time) in the same run; and the whole stored run
(`zhuqi tiers assess`) over enterprises stored in PostgreSQL.

    .venv/bin/python -m bench.tiers_assessment                       # both parts
    .venv/bin/python -m bench.tiers_assessment --part batch --rows 1000000
    .venv/bin/python -m bench.tiers_assessment --part stored --enterprises 100000

batch: a synthetic facts table of `--rows` enterprises (every fact of the three packs, some missing);
the batch is tiers.assessment.outcomes for the three packs (each clause, its requirements, the score,
what each enterprise lacks and the facts missing); the per-row baseline runs engine.explain for each
tier on `--sample` rows and is scaled to the table's size. Goal: ≥ 30× and ≤ 2 s for 1,000,000 rows.

stored: drops and creates `zhuqi_bench_tiers` on BENCH_PG (default postgres://postgres@127.0.0.1:5432),
stores `--enterprises` enterprises with three years of revenue, main revenue and R&D expense, staff,
R&D staff, 12 tier facts each and recognitions for a fifth, then times the whole run (facts read, the
three packs, candidates written with COPY, audit) against an ORM read of the enterprises.
Goal: ≤ 20 s for 100,000. Figures: bench/README.md.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

DAY = date(2025, 6, 30)


def synthetic(rows: int, seed: int = 11):
    """Every fact of the three packs for `rows` enterprises, drawn by hashing the row number (Polars,
    no Python loop): booleans half true, numbers spread over each unit's range, 5 % of each missing."""
    import polars as pl

    from zhuqi.tiers import assessment

    packs = assessment.all_packs()
    facts = {}
    for pack in packs.values():
        facts |= {n: f for n, f in pack.facts.items() if n not in ("period_year", "granted_this_year")}
    i = pl.int_range(0, rows, dtype=pl.UInt64)
    columns = []
    for k, (name, fact) in enumerate(sorted(facts.items())):
        draw = i.hash(seed + 2 * k)
        missing = (i.hash(seed + 2 * k + 1) % 100) < 5
        if fact.type == "bool":
            value = (draw % 2) == 0
        else:
            high = {"件": 5, "%": 100, "年": 10, "分": 100, "人": 2000}.get(fact.unit, 300_000_000)
            value = ((draw % (high * 100)).cast(pl.Int64).cast(pl.Decimal(38, 0)) / 100).cast(
                pl.Decimal(38, 2)
            )
        columns.append(pl.when(missing).then(None).otherwise(value).alias(name))
    table = pl.select(i.cast(pl.Int64).alias("enterprise_id"), *columns)
    return table, packs


def batch_part(rows: int, sample: int, rounds: int) -> None:
    import django

    django.setup()
    from zhuqi.rules import engine
    from zhuqi.tiers import assessment

    start = time.perf_counter()
    table, packs = synthetic(rows)
    print(
        f"\n== batch: {rows:,} enterprises × 3 tier packs (table built in {time.perf_counter() - start:.1f} s)"
    )
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        found = {tier: assessment.outcomes(pack, table, DAY) for tier, pack in packs.items()}
        times.append(time.perf_counter() - start)
    batch_s = min(times)
    met = {t: int((f["outcome"] == "meets").sum()) for t, f in found.items()}
    dicts = table.head(sample).to_dicts()
    start = time.perf_counter()
    for row in dicts:
        for pack in packs.values():
            clause = pack.clauses[0]
            engine.explain(pack, clause, row, DAY)
    per_row_s = (time.perf_counter() - start) * rows / sample
    print(f"batch     3 packs, outcomes and gaps       {batch_s:7.3f} s   (best of {rounds}; meets: {met})")
    print(f"per row   engine.explain × 3, {sample:,} rows scaled  {per_row_s:7.1f} s")
    print(f"ratio     per row / batch                  ×{per_row_s / batch_s:,.0f}")
    print(f"peak RSS  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def populate(count: int) -> None:
    from django.db import connection, transaction

    from zhuqi.core import uscc
    from zhuqi.directory.models import Enterprise, IndicatorValue, Town
    from zhuqi.tiers.models import Recognition, TierFact

    rng = random.Random(7)
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    e_table, i_table = Enterprise._meta.db_table, IndicatorValue._meta.db_table
    now = "2026-01-01 00:00:00+00"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {e_table} (uscc, name, town_id, industry_code, ownership, listing, size, doubling_class,"
            " address, created_at, updated_at) VALUES (%s, %s, %s, 'C39', 'private', 'none', 'small', 'private_mfg', '', %s, %s)",
            [(uscc.make("441900", f"T{i:07d}"), f"基准企业{i}", town.pk, now, now) for i in range(count)],
        )
        cursor.execute(f"SELECT id FROM {e_table} ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(
            f"COPY {i_table} (enterprise_id, indicator, period_type, year, period_no, value, source, verified, updated_at) FROM STDIN"
        ) as copy:
            for e in ids:
                revenue = rng.uniform(5e6, 3e8)
                for year in (2022, 2023, 2024):
                    revenue *= rng.uniform(0.9, 1.25)
                    for key, value in (
                        ("revenue", revenue),
                        ("main_revenue", revenue * rng.uniform(0.5, 0.99)),
                        ("rd_expense", revenue * rng.uniform(0.005, 0.08)),
                    ):
                        copy.write_row(
                            (e, key, "year", year, 1, round(Decimal(value), 2), "stats", True, now)
                        )
                copy.write_row((e, "staff", "year", 2024, 1, rng.randint(20, 800), "stats", True, now))
                copy.write_row((e, "rd_staff", "year", 2024, 1, rng.randint(2, 200), "stats", True, now))
        f_table = TierFact._meta.db_table
        with cursor.copy(
            f"COPY {f_table} (enterprise_id, key, value, as_of, source, document, batch_id, updated_at) FROM STDIN"
        ) as copy:
            for e in ids:
                for key, value in (
                    ("ip_class1", rng.randint(0, 4)),
                    ("ip_class1_high", rng.randint(0, 1)),
                    ("ip_class1_own", rng.randint(0, 2)),
                    ("ip_class2", rng.randint(0, 5)),
                    ("debt_ratio", rng.randint(20, 90)),
                    ("sei_field", rng.randint(0, 1)),
                    ("segment_years", rng.randint(1, 8)),
                    ("specialised_score", rng.randint(40, 90)),
                    ("market_share", rng.randint(1, 30)),
                    ("info_system", 1),
                    ("certification", rng.randint(0, 1)),
                    ("own_brand", rng.randint(0, 1)),
                ):
                    copy.write_row((e, key, value, date(2025, 3, 31), "基准", "", "bench", now))
        r_table = Recognition._meta.db_table
        with cursor.copy(
            f"COPY {r_table} (enterprise_id, tier, level, document, recognised_on, expires_on, revoked_reason, note, created_at) FROM STDIN"
        ) as copy:
            for e in ids[::5]:
                copy.write_row(
                    (e, "innovative", "provincial", "基准", date(2024, 5, 1), date(2027, 4, 30), "", "", now)
                )
            for e in ids[::25]:
                copy.write_row(
                    (e, "specialised", "provincial", "基准", date(2024, 5, 1), date(2027, 4, 30), "", "", now)
                )


def stored_part(count: int, rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhuqi.directory.models import Enterprise
    from zhuqi.tiers import assessment
    from zhuqi.tiers.models import Assessment

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    populate(count)
    built = time.perf_counter() - start
    base = []
    for _ in range(rounds):
        start = time.perf_counter()
        list(Enterprise.objects.values_list("id", "uscc", "name", "town_id"))
        base.append(time.perf_counter() - start)
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        run = assessment.assess(year=2025, day=DAY)
        runs.append(time.perf_counter() - start)
    print(f"\n== stored ({connection.vendor}): {count:,} enterprises (world built in {built:.1f} s)")
    print(f"baseline  ORM read of the enterprises       {min(base):7.3f} s")
    print(
        f"assess    zhuqi tiers assess, whole run       {min(runs):7.3f} s   ×{min(runs) / min(base):5.1f} baseline"
        f"   (runs: {', '.join(f'{r:.2f}' for r in runs)})"
    )
    print(f"stored    {Assessment.objects.filter(run=run).count():,} candidate rows; counts {run.counts}")
    print(f"peak RSS  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["batch", "stored", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["batch", "stored"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "batch":
        batch_part(args.rows, args.sample, args.rounds)
        return
    if args.child == "stored":
        stored_part(args.enterprises, args.rounds)
        return
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhuqi.settings", ZHUQI_CONN_MAX_AGE="0")
    env.pop("DATABASE_URL", None)
    import tempfile

    parts = ["batch", "stored"] if args.part == "both" else [args.part]
    for part in parts:
        with tempfile.TemporaryDirectory() as data_dir:
            env["ZHUQI_DATA_DIR"] = data_dir
            if part == "stored":
                server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
                for sql in ("DROP DATABASE IF EXISTS zhuqi_bench_tiers", "CREATE DATABASE zhuqi_bench_tiers"):
                    subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
                env["DATABASE_URL"] = f"{server}/zhuqi_bench_tiers"
            command = [sys.executable, "-m", "bench.tiers_assessment", "--child", part]
            command += ["--rows", str(args.rows), "--sample", str(args.sample)]
            command += ["--enterprises", str(args.enterprises), "--rounds", str(args.rounds)]
            subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
