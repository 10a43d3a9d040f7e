"""`zhuqi policies match` (and optionally `zhuqi tiers assess`) at a province's scale on PostgreSQL:
millions of enterprises built in bulk SQL (generate_series), the run streamed in chunks of
ZHUQI_BATCH_CHUNK enterprises; time and peak resident memory, against `SELECT count(*)` of the same
tables in the same run (issue 16, item 7).

    .venv/bin/python -m bench.policies_scale --enterprises 3000000
    .venv/bin/python -m bench.policies_scale --enterprises 1000000 --chunk 200000 --rounds 2

Runs in a child process against a database `zhuqi_bench_scale` dropped and created on BENCH_PG
(default postgres://postgres@127.0.0.1:5432). The world, all in SQL: the shipped pack; enterprises of
which 2 % on the NEEQ, 6 % gazelles (瞪羚企业, a tag) and 8 % pilots of the city's programme
(programs.Pilot, inserted in SQL); 2020 and 2021 city-retained tax (tax bureau,
verified) and 2020 R&D expense (90 % verified) for every enterprise, plus a self-reported 2021 tax
figure for one in ten (so the best-value choice has work), 3.1 indicator rows per enterprise. Period 2021-12-31. The first run stores every match as
new; the second replaces them and notifies nobody. Figures: bench/README.md.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date

PERIOD = date(2021, 12, 31)


def populate(count: int) -> None:
    from django.db import connection, transaction

    from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Tag, Town
    from zhuqi.policies import packs
    from zhuqi.programs.models import Pilot, Programme

    packs.install_shipped()
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    gazelle = Tag.objects.get_or_create(name="瞪羚企业")[0].pk
    programme = Programme.objects.create(code="bench", name="倍增计划（基准）", level=Programme.Level.CITY)
    department = Department.objects.create(code="bench", name="基准局", level=Department.Level.CITY)
    e_table, i_table = Enterprise._meta.db_table, IndicatorValue._meta.db_table
    through = Enterprise.tags.through._meta.db_table
    # A value from the row number: the same world every time, spread like uniform draws.
    h = "(('x' || substr(md5(e.id::text || '{salt}'), 1, 8))::bit(32)::bigint / 4294967296.0)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {e_table} (uscc, name, town_id, industry_code, ownership, listing, size, doubling_class,"
            " address, created_at, updated_at) SELECT 'S' || lpad(i::text, 17, '0'), '基准企业' || i, %s, 'C39',"
            " 'private', CASE WHEN i %% 50 = 0 THEN 'neeq' ELSE 'none' END, 'small', 'private_mfg', '', now(), now()"
            " FROM generate_series(1, %s) AS i",
            [town.pk, count],
        )
        cursor.execute(
            f"INSERT INTO {through} (enterprise_id, tag_id) SELECT e.id, %s FROM {e_table} e"
            f" WHERE {h.format(salt='g')} < 0.06",
            [gazelle],
        )
        cursor.execute(
            f"INSERT INTO {Pilot._meta.db_table} (programme_id, enterprise_id, enterprise_class, department_id,"
            " commitment_years, start_year, state, honorary, since) SELECT %s, e.id, 'private_mfg', %s, 3, 2017,"
            f" 'active', false, '2017-03-01' FROM {e_table} e WHERE {h.format(salt='p')} < 0.08",
            [programme.pk, department.pk],
        )
        tax = f"(1e5 + {h.format(salt='t')} * 5e7)"
        cursor.execute(
            f"INSERT INTO {i_table} (enterprise_id, indicator, period_type, year, period_no, value, source,"
            " verified, updated_at)"
            f" SELECT e.id, 'city_retained_tax', 'year', 2020, 1, round({tax}::numeric, 2), 'tax', true, now()"
            f" FROM {e_table} e UNION ALL"
            f" SELECT e.id, 'city_retained_tax', 'year', 2021, 1, round(({tax} * (0.8 + 0.8 * {h.format(salt='u')}))"
            f"::numeric, 2), 'tax', true, now() FROM {e_table} e UNION ALL"
            f" SELECT e.id, 'city_retained_tax', 'year', 2021, 1, round({tax}::numeric * 2, 2), 'self', false, now()"
            f" FROM {e_table} e WHERE e.id % 10 = 0 UNION ALL"
            f" SELECT e.id, 'rd_expense', 'year', 2020, 1, round((1e5 + {h.format(salt='r')} * 4e7)::numeric, 2),"
            f" 'tax', {h.format(salt='v')} < 0.9, now() FROM {e_table} e"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def measure(count: int, rounds: int, tiers: bool) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from zhuqi.policies import matching
    from zhuqi.policies.models import Match

    call_command("migrate", verbosity=0)
    built, _none = timed(lambda: populate(count))

    def counts():
        with connection.cursor() as cursor:
            for table in ("directory_enterprise", "directory_indicatorvalue"):
                cursor.execute(f"SELECT count(*) FROM {table}")
                cursor.fetchone()

    baseline = min(timed(counts)[0] for _ in range(3))
    load = os.getloadavg()
    chunk = settings.ZHUQI_BATCH_CHUNK
    print(
        f"\n== postgresql: {count:,} enterprises, chunks of {chunk:,} (world built in SQL in {built:.0f} s)"
    )
    print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    print(f"baseline  SELECT count(*) of enterprises and indicator values   {baseline:8.3f} s")
    for n in range(rounds):
        seconds, run = timed(lambda: matching.match_run(period=PERIOD))
        what = "first run (all new)" if n == 0 else "again (replace, nothing new)"
        print(
            f"match     {what:30s} {seconds:8.1f} s  ×{seconds / baseline:6.1f} baseline   "
            f"{run.eligible:,} eligible, {run.unknown:,} undecided, {run.newly_eligible:,} newly eligible"
        )
        print(f"peak RSS  after that run {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"stored    {Match.objects.count():,} matches")
    if tiers:
        from zhuqi.tiers import assessment

        seconds, run = timed(lambda: assessment.assess(year=2025, day=date(2025, 6, 30)))
        print(
            f"tiers     zhuqi tiers assess (no tier facts)  {seconds:8.1f} s  ×{seconds / baseline:6.1f} baseline"
        )
        print(f"peak RSS  after that run {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3_000_000)
    parser.add_argument("--chunk", type=int, default=200_000, help="ZHUQI_BATCH_CHUNK")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tiers", action="store_true", help="also the tier assessment")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.enterprises, args.rounds, args.tiers)
        return
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhuqi.settings", ZHUQI_CONN_MAX_AGE="0")
    env["ZHUQI_BATCH_CHUNK"] = str(args.chunk)
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    for sql in ("DROP DATABASE IF EXISTS zhuqi_bench_scale", "CREATE DATABASE zhuqi_bench_scale"):
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
    env["DATABASE_URL"] = f"{server}/zhuqi_bench_scale"
    with tempfile.TemporaryDirectory() as data_dir:
        env["ZHUQI_DATA_DIR"] = data_dir
        command = [sys.executable, "-m", "bench.policies_scale", "--child"]
        command += ["--enterprises", str(args.enterprises), "--rounds", str(args.rounds)]
        subprocess.run(command + (["--tiers"] if args.tiers else []), env=env, check=True)


if __name__ == "__main__":
    main()
