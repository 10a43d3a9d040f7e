"""The whole `zhuqi policies match` over 100,000 stored enterprises, on SQLite and on PostgreSQL,
against a plain ORM read of the same enterprises in the same run.

    .venv/bin/python -m bench.policies_match                      # both databases, 100,000 enterprises
    .venv/bin/python -m bench.policies_match --enterprises 20000 --backends sqlite

Each backend runs in its own process (settings read the environment once): SQLite in a fresh
temporary ZHUQI_DATA_DIR, PostgreSQL in a database `zhuqi_bench_match` dropped and created on
BENCH_PG (default postgres://postgres@127.0.0.1:5432). The world: the shipped pack; enterprises of
which 8 % are pilots (`programs.Pilot` rows of a city programme, current, 3- or 5-year commitment,
first year 2017 — what the packs read as pilot:…) and 6 % gazelles (the tag 瞪羚企业); 2020 and 2021 city-retained tax and 2020
R&D expense for every enterprise (300,000 indicator rows). The period is 2021-12-31, when all 19
clauses are in force. It times, best of 3: the facts table, the batch evaluation, and the whole run
(facts, evaluation, replacing the stored matches, notifications, audit) — the first run stores every
match as new, the later ones replace them. Baseline: `list(Enterprise.objects.values_list(…))` of
the same rows. Prints seconds, ratios and the peak resident memory. Figures: bench/README.md.
"""

import argparse
import random
import resource
import time
from datetime import date

from bench import backends

PERIOD = date(2021, 12, 31)


def populate(count: int) -> None:
    from django.db import connection, transaction

    from zhuqi.core import uscc
    from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Tag, Town
    from zhuqi.policies import packs
    from zhuqi.programs.models import Pilot, Programme

    packs.install_shipped()
    rng = random.Random(7)
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    gazelle = Tag.objects.get_or_create(name="瞪羚企业")[0].pk
    programme = Programme.objects.create(code="bench", name="倍增计划（基准）")
    department = Department.objects.create(code="bench-mfg", name="基准工信局", level="city")
    e_table, i_table = Enterprise._meta.db_table, IndicatorValue._meta.db_table
    through = Enterprise.tags.through._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        now = "2026-01-01 00:00:00+00"
        cursor.executemany(
            f"INSERT INTO {e_table} (uscc, name, town_id, industry_code, ownership, listing, size, doubling_class,"
            " address, created_at, updated_at) VALUES (%s, %s, %s, 'C39', 'private', %s, 'small', 'private_mfg', '', %s, %s)",
            [
                (
                    uscc.make("441900", f"B{i:07d}"),
                    f"基准企业{i}",
                    town.pk,
                    "neeq" if i % 50 == 0 else "none",
                    now,
                    now,
                )
                for i in range(count)
            ],
        )
        cursor.execute(f"SELECT id FROM {e_table} ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        Pilot.objects.bulk_create(
            [
                Pilot(
                    programme=programme,
                    enterprise_id=e,
                    enterprise_class="private_mfg",
                    department=department,
                    commitment_years=rng.choice((3, 5)),
                    start_year=2017,
                    since=date(2017, 2, 10),
                )
                for e in ids
                if rng.random() < 0.08
            ],
            batch_size=2000,
        )
        tag_rows = [(e, gazelle) for e in ids if rng.random() < 0.06]
        cursor.executemany(f"INSERT INTO {through} (enterprise_id, tag_id) VALUES (%s, %s)", tag_rows)
        values = []
        for e in ids:
            tax = rng.uniform(1e5, 5e7)
            values += [
                (e, "city_retained_tax", 2020, round(tax, 2), "tax", True, now),
                (e, "city_retained_tax", 2021, round(tax * rng.uniform(0.8, 1.6), 2), "tax", True, now),
                (e, "rd_expense", 2020, round(rng.uniform(1e5, 4e7), 2), "tax", rng.random() < 0.9, now),
            ]
        cursor.executemany(
            f"INSERT INTO {i_table} (enterprise_id, indicator, period_type, year, period_no, value, source, verified,"
            " updated_at) VALUES (%s, %s, 'year', %s, 1, %s, %s, %s, %s)",
            values,
        )


def best_of(n: int, work):
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(count: int, rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhuqi.directory.models import Enterprise
    from zhuqi.policies import facts, matching, packs
    from zhuqi.policies.models import Match

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    populate(count)
    built = time.perf_counter() - start
    pack_list = [p for _r, p in packs.active_packs()]
    baseline, _rows = best_of(
        rounds, lambda: list(Enterprise.objects.values_list("id", "uscc", "name", "listing"))
    )
    facts_s, table = best_of(rounds, lambda: facts.build(pack_list, PERIOD.year))
    eval_s, evaluation = best_of(rounds, lambda: matching.evaluate(PERIOD))
    first_start = time.perf_counter()
    first = matching.match_run(period=PERIOD)
    first_s = time.perf_counter() - first_start
    again_s, again = best_of(rounds, lambda: matching.match_run(period=PERIOD))
    stored = Match.objects.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = connection.vendor
    print(
        f"\n== {name}: {count:,} enterprises × {len(evaluation.clauses)} clauses (world built in {built:.1f} s)"
    )
    print(f"baseline  ORM read of the enterprises      {baseline:7.3f} s")
    if "is_pilot" in table.columns:  # the Pilot rows, as the packs read them (pilot:current)
        print(f"pilots    {int(table['is_pilot'].sum()):,} enterprises read as current pilots")
    print(
        f"facts     facts table (pilots, tags, fields, 3 indicators)  {facts_s:7.3f} s   ×{facts_s / baseline:5.1f} baseline   {table.height:,} rows"
    )
    print(
        f"evaluate  facts + granted + batch, 19 clauses  {eval_s:7.3f} s   ×{eval_s / baseline:5.1f} baseline"
    )
    print(
        f"match     first run (all new, stored)       {first_s:7.3f} s   ×{first_s / baseline:5.1f} baseline   {first.eligible:,} eligible, {first.unknown:,} undecided"
    )
    print(
        f"match     again (replace, nothing new)      {again_s:7.3f} s   ×{again_s / baseline:5.1f} baseline   {again.newly_eligible} newly eligible, {stored:,} rows stored"
    )
    print(f"peak RSS  {peak_mb:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=backends.BACKENDS, choices=backends.BACKENDS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.enterprises, args.rounds)
        return
    backends.run_each(
        "bench.policies_match",
        "zhuqi_bench_match",
        args.backends,
        ["--enterprises", str(args.enterprises), "--rounds", str(args.rounds)],
    )


if __name__ == "__main__":
    main()
