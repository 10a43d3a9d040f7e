"""The annual evaluation of 1,000 pilots over 5 years of indicators (seed 000 四(四)), on SQLite and
on PostgreSQL, against a plain ORM read of the same indicator rows in the same run.

    .venv/bin/python -m bench.programs_evaluation                       # both databases, 1,000 pilots
    .venv/bin/python -m bench.programs_evaluation --pilots 5000 --backends sqlite

Each backend runs in its own process (settings read the environment once): SQLite in a fresh
temporary ZHUQI_DATA_DIR, PostgreSQL in a database `zhuqi_bench_eval` dropped and created on BENCH_PG
(default postgres://postgres@127.0.0.1:5432). The world: the city programme with its four classes,
N pilots (3- or 5-year commitments, some on probation) and N/10 reserve enterprises; main revenue and
tax of 2016–2021 from the tax and the statistics bureau for every pilot (24 rows a pilot). It times,
best of 3: the evaluation of 2020 (the figures read, every pilot's standing and proposal, the
candidates, the items stored, the audit), first run and re-run (items replaced, the office's inputs
kept). Baseline: `list(IndicatorValue.objects.filter(…).values_list(…))` of the same rows.
Figures: bench/README.md.
"""

import argparse
import random
import resource
import time

from bench import backends

YEAR = 2020


def populate(count: int) -> list[int]:
    from datetime import date

    from django.db import connection, transaction

    from zhuqi.core import uscc
    from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Town
    from zhuqi.programs.models import Pilot, Programme, ProgrammeClass, ReserveEntry

    rng = random.Random(11)
    classes = ["private_mfg", "foreign", "high_tech", "listed"]
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    programme = Programme.objects.create(code="bench", name="基准倍增计划")
    for i, c in enumerate(classes):
        department = Department.objects.create(code=f"d{i}", name=f"基准局{i}", level="city")
        ProgrammeClass.objects.create(programme=programme, enterprise_class=c, department=department)
    departments = {pc.enterprise_class: pc.department_id for pc in ProgrammeClass.objects.all()}
    e_table, i_table = Enterprise._meta.db_table, IndicatorValue._meta.db_table
    reserve = count // 10
    with transaction.atomic(), connection.cursor() as cursor:
        now = "2026-01-01 00:00:00+00"
        cursor.executemany(
            f"INSERT INTO {e_table} (uscc, name, town_id, industry_code, ownership, listing, size, doubling_class,"
            " address, created_at, updated_at) VALUES (%s, %s, %s, 'C39', 'private', 'none', 'small', %s, '', %s, %s)",
            [
                (uscc.make("441900", f"E{i:07d}"), f"基准企业{i}", town.pk, classes[i % 4], now, now)
                for i in range(count + reserve)
            ],
        )
        cursor.execute(f"SELECT id FROM {e_table} ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        pilots, values = ids[:count], []
        for e in pilots:
            revenue, tax = rng.uniform(2e7, 5e9), rng.uniform(1e6, 2e8)
            rate = rng.uniform(-0.05, 0.35)
            for year in range(2016, 2022):
                r = revenue * (1 + rate) ** (year - 2016)
                t = tax * (1 + rate * rng.uniform(0.5, 1.5)) ** (year - 2016)
                for source, noise in (("tax", 1.0), ("stats", rng.uniform(0.97, 1.03))):
                    values.append(
                        (e, "main_revenue", year, round(r * noise, 2), source, source == "tax", now)
                    )
                    values.append((e, "tax_paid", year, round(t * noise, 2), source, source == "tax", now))
        cursor.executemany(
            f"INSERT INTO {i_table} (enterprise_id, indicator, period_type, year, period_no, value, source, verified,"
            " updated_at) VALUES (%s, %s, 'year', %s, 1, %s, %s, %s, %s)",
            values,
        )
        Pilot.objects.bulk_create(
            Pilot(
                programme=programme,
                enterprise_id=e,
                enterprise_class=classes[i % 4],
                department_id=departments[classes[i % 4]],
                commitment_years=3 if i % 3 else 5,
                start_year=2017,
                state="probation" if i % 7 == 0 else "active",
                since=date(2017, 3, 1),
            )
            for i, e in enumerate(pilots)
        )
        ReserveEntry.objects.bulk_create(
            ReserveEntry(
                programme=programme,
                enterprise_id=e,
                enterprise_class=classes[(count + i) % 4],
                score=round(rng.uniform(60, 95), 2),
                since=date(2017, 3, 1),
            )
            for i, e in enumerate(ids[count:])
        )
    return pilots


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

    from zhuqi.directory.models import IndicatorValue
    from zhuqi.programs import evaluation
    from zhuqi.programs.evaluation_models import Evaluation
    from zhuqi.programs.models import Programme

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    pilots = populate(count)
    built = time.perf_counter() - start
    programme = Programme.objects.get(code="bench")

    def read():
        return list(
            IndicatorValue.objects.filter(
                enterprise_id__in=pilots,
                period_type="year",
                year__in=[2016, YEAR],
                indicator__in=["main_revenue", "tax_paid"],
            ).values_list("enterprise_id", "indicator", "year", "value", "source", "verified")
        )

    baseline, rows = best_of(rounds, read)
    first_start = time.perf_counter()
    run = evaluation.evaluation_run(programme=programme, year=YEAR, acting_user=None)
    first_s = time.perf_counter() - first_start
    again_s, run = best_of(
        rounds, lambda: evaluation.evaluation_run(programme=programme, year=YEAR, acting_user=None)
    )
    found = evaluation.counts(run.items.all())
    assert Evaluation.objects.count() == 1 and run.items.count() == count
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n== {connection.vendor}: {count:,} pilots, {IndicatorValue.objects.count():,} indicator rows (world built in {built:.1f} s)"
    )
    print(f"baseline  ORM read of the same rows ({len(rows):,})   {baseline:7.3f} s")
    print(
        f"evaluate  first run (items created)          {first_s:7.3f} s   ×{first_s / baseline:5.1f} baseline"
    )
    print(
        f"evaluate  re-run (items replaced, inputs kept) {again_s:7.3f} s   ×{again_s / baseline:5.1f} baseline"
    )
    print(f"          {found}")
    print(f"peak RSS  {peak_mb:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=backends.BACKENDS, choices=backends.BACKENDS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.pilots, args.rounds)
        return
    backends.run_each(
        "bench.programs_evaluation",
        "zhuqi_bench_eval",
        args.backends,
        ["--pilots", str(args.pilots), "--rounds", str(args.rounds)],
    )


if __name__ == "__main__":
    main()
