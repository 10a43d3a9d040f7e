"""The batch runs at a province's scale on PostgreSQL (issue 16, item 7): `zhuqi policies match`,
`zhuqi policies offers` (免申即享) and `zhuqi tiers assess` over one world of millions of enterprises
built in bulk SQL (generate_series), each run streamed in chunks of ZHUQI_BATCH_CHUNK enterprises;
per run its time, rows per second and peak resident memory, against `SELECT count(*)` of the same
tables in the same run.

    .venv/bin/python -m bench.policies_scale --enterprises 3000000
    .venv/bin/python -m bench.policies_scale --enterprises 3000000 --keep --runs offers,tiers
    .venv/bin/python -m bench.policies_scale --enterprises 100000 --chunk 20000 --rounds 1

The world is built in a database `zhuqi_bench_scale` on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), dropped and created first unless `--keep` finds one of the same
size. Each run is a process of its own, so that its peak resident memory (getrusage) is its own; the
resident memory after each chunk is printed too (flat when the run streams).

The world, all in SQL: the shipped packs; enterprises of which 2 % on the NEEQ, 6 % gazelles (瞪羚企业,
a tag) and 8 % pilots of the city's programme; for the 2021 match, 2020 and 2021 city-retained tax
(tax bureau, verified) and 2020 R&D expense (90 % verified) for every enterprise, plus a self-reported
2021 tax figure for one in ten; for the tier assessment of 2025 (day 2025-06-30), revenue and
main-business revenue 2022–2024, R&D expense 2023–2024, staff and R&D staff 2024 for every enterprise,
the twelve tier facts for one in five (those that filed them), innovative recognitions (2024) for one
in five; for the 2025 offers, deductible R&D expense 2024 for the gazelles (90 % verified: INNOV-RD),
first provincial 专精特新 recognitions in 2025 for 1 % (ZJTX-REWARD-PROVINCIAL, its budget set to 60 % of
what they would get, so that the budget is spent part-way) and first 小巨人 recognitions in 2025 for
0.1 %. 13.2 indicator rows and 2.4 tier facts per enterprise. Figures: bench/README.md.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date

from bench.backends import postgres_database

DATABASE = "zhuqi_bench_scale"
MATCH_PERIOD = date(2021, 12, 31)
OFFER_PERIOD = date(2025, 12, 31)
TIER_YEAR, TIER_DAY = 2025, date(2025, 6, 30)
RUNS = ["match", "offers", "tiers"]
# A value from the enterprise id: the same world every time, spread like uniform draws in [0, 1).
H = "(('x' || substr(md5(e.id::text || '{salt}'), 1, 8))::bit(32)::bigint / 4294967296.0)"
TIER_FACTS = [  # key, lowest, highest (whole numbers; 0/1 for the yes/no facts)
    ("ip_class1", 0, 4),
    ("ip_class1_high", 0, 1),
    ("ip_class1_own", 0, 2),
    ("ip_class2", 0, 5),
    ("debt_ratio", 20, 90),
    ("sei_field", 0, 1),
    ("segment_years", 1, 8),
    ("specialised_score", 40, 90),
    ("market_share", 1, 30),
    ("info_system", 1, 1),
    ("certification", 0, 1),
    ("own_brand", 0, 1),
]


def h(salt: str) -> str:
    return H.format(salt=salt)


@contextmanager
def without_indexes(cursor, table: str):
    """Loads `table` with its secondary indexes, unique and foreign-key constraints dropped and made
    again afterwards: one sort per index instead of tens of millions of index insertions."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
        " AND contype IN ('u', 'f')",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def populate(count: int) -> None:
    from django.db import connection, transaction

    from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Tag, Town
    from zhuqi.policies import packs
    from zhuqi.policies.models import Clause
    from zhuqi.programs.models import Pilot, Programme
    from zhuqi.tiers.models import Recognition, TierFact

    packs.install_shipped()
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    gazelle = Tag.objects.get_or_create(name="瞪羚企业")[0].pk
    programme = Programme.objects.create(code="bench", name="倍增计划（基准）", level=Programme.Level.CITY)
    department = Department.objects.create(code="bench", name="基准局", level=Department.Level.CITY)
    e_table, i_table = Enterprise._meta.db_table, IndicatorValue._meta.db_table
    r_table, f_table = Recognition._meta.db_table, TierFact._meta.db_table
    through = Enterprise.tags.through._meta.db_table
    indicator_columns = (
        f"INSERT INTO {i_table} (enterprise_id, indicator, period_type, year, period_no, value, source,"
        " verified, updated_at)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        with without_indexes(cursor, e_table):
            cursor.execute(
                f"INSERT INTO {e_table} (uscc, name, town_id, industry_code, ownership, listing, size,"
                " doubling_class, address, created_at, updated_at) SELECT 'S' || lpad(i::text, 17, '0'),"
                " '基准企业' || i, %s, 'C39', 'private', CASE WHEN i %% 50 = 0 THEN 'neeq' ELSE 'none' END,"
                " 'small', 'private_mfg', '', now(), now() FROM generate_series(1, %s) AS i",
                [town.pk, count],
            )
        cursor.execute(f"ANALYZE {e_table}")
        cursor.execute(
            f"INSERT INTO {through} (enterprise_id, tag_id) SELECT e.id, %s FROM {e_table} e WHERE {h('g')} < 0.06",
            [gazelle],
        )
        cursor.execute(
            f"INSERT INTO {Pilot._meta.db_table} (programme_id, enterprise_id, enterprise_class, department_id,"
            " commitment_years, start_year, state, honorary, since) SELECT %s, e.id, 'private_mfg', %s, 3, 2017,"
            f" 'active', false, '2017-03-01' FROM {e_table} e WHERE {h('p')} < 0.08",
            [programme.pk, department.pk],
        )
        tax = f"(1e5 + {h('t')} * 5e7)"
        with without_indexes(cursor, i_table):
            # For the 2021 match.
            cursor.execute(
                f"{indicator_columns}"
                f" SELECT e.id, 'city_retained_tax', 'year', 2020, 1, round({tax}::numeric, 2), 'tax', true, now()"
                f" FROM {e_table} e UNION ALL"
                f" SELECT e.id, 'city_retained_tax', 'year', 2021, 1, round(({tax} * (0.8 + 0.8 * {h('u')}))"
                f"::numeric, 2), 'tax', true, now() FROM {e_table} e UNION ALL"
                f" SELECT e.id, 'city_retained_tax', 'year', 2021, 1, round({tax}::numeric * 2, 2), 'self', false,"
                f" now() FROM {e_table} e WHERE e.id % 10 = 0 UNION ALL"
                f" SELECT e.id, 'rd_expense', 'year', 2020, 1, round((1e5 + {h('r')} * 4e7)::numeric, 2),"
                f" 'tax', {h('v')} < 0.9, now() FROM {e_table} e"
            )
            # For the 2025 tier assessment: the years before, as the tier packs read them.
            cursor.execute(
                f"{indicator_columns} SELECT b.id, v.indicator, 'year', v.year, 1, round(v.value::numeric, 2),"
                " 'stats', true, now() FROM (SELECT e.id,"
                f" 5e6 + {h('rv')} * 2.95e8 AS r, 0.9 + 0.35 * {h('a')} AS g3, 0.9 + 0.35 * {h('b')} AS g4,"
                f" 0.5 + 0.49 * {h('m')} AS m, 0.005 + 0.075 * {h('d')} AS d,"
                f" 20 + floor(781 * {h('s')}) AS staff, 2 + floor(199 * {h('q')}) AS rd_staff"
                f" FROM {e_table} e) AS b, LATERAL (VALUES"
                " ('revenue', 2022, r), ('revenue', 2023, r * g3), ('revenue', 2024, r * g3 * g4),"
                " ('main_revenue', 2022, r * m), ('main_revenue', 2023, r * g3 * m),"
                " ('main_revenue', 2024, r * g3 * g4 * m), ('rd_expense', 2023, r * g3 * d),"
                " ('rd_expense', 2024, r * g3 * g4 * d), ('staff', 2024, staff), ('rd_staff', 2024, rd_staff)"
                ") AS v (indicator, year, value)"
            )
            # For the 2025 offers: INNOV-RD reads the gazelles' deductible R&D expense of 2024.
            cursor.execute(
                f"{indicator_columns} SELECT e.id, 'rd_expense_deductible', 'year', 2024, 1,"
                f" round((1e5 + {h('k')} * 2e7)::numeric, 2), 'tax', {h('w')} < 0.9, now()"
                f" FROM {e_table} e JOIN {through} et ON et.enterprise_id = e.id AND et.tag_id = %s",
                [gazelle],
            )
        facts = ", ".join(f"('{k}', {lo}, {hi})" for k, lo, hi in TIER_FACTS)
        with without_indexes(cursor, f_table):
            cursor.execute(
                f"INSERT INTO {f_table} (enterprise_id, key, value, as_of, source, document, batch_id, updated_at)"
                " SELECT e.id, f.key, f.lo + floor((f.hi - f.lo + 1) * (('x' || substr(md5(e.id::text || f.key),"
                " 1, 8))::bit(32)::bigint / 4294967296.0)), '2025-03-31', '基准', '', 'bench', now()"
                f" FROM {e_table} e, (VALUES {facts}) AS f (key, lo, hi) WHERE {h('f')} < 0.2"
            )
        recognitions = [
            ("innovative", "provincial", "2024-05-01", "2027-04-30", "i", 0.2),
            ("specialised", "provincial", "2025-05-01", "2028-04-30", "z", 0.01),
            ("little_giant", "national", "2025-03-01", "2028-02-29", "l", 0.001),
        ]
        for tier, level, since, until, salt, share in recognitions:
            cursor.execute(
                f"INSERT INTO {r_table} (enterprise_id, tier, level, document, recognised_on, expires_on,"
                " revoked_reason, note, created_at) SELECT e.id, %s, %s, '基准', %s, %s, '', '', now()"
                f" FROM {e_table} e WHERE {h(salt)} < %s",
                [tier, level, since, until, share],
            )
        cursor.execute(f"SELECT count(*) FROM {r_table} WHERE tier = 'specialised'")
        specialised = cursor.fetchone()[0]
    # Enough for 60 % of the new provincial 专精特新 (200,000 yuan each): the rest is over budget.
    Clause.objects.filter(code="ZJTX-REWARD-PROVINCIAL").update(budget=specialised * 120_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chunk_printer(label: str):
    """progress(done, total): one line a chunk with the resident memory then (flat when streaming)."""
    start = time.perf_counter()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(resident_mb())
        if done in (1, total) or done % 5 == 0:
            print(
                f"  {label} chunk {done:3d}/{total}  {time.perf_counter() - start:7.1f} s"
                f"  resident {seen[-1]:6.0f} MB",
                flush=True,
            )

    progress.seen = seen
    return progress


def build(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from zhuqi.directory.models import Enterprise

    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if have == count:
        print(f"\n== world of {count:,} enterprises kept from an earlier run")
        return
    if have:
        sys.exit(f"{DATABASE} holds {have:,} enterprises, not {count:,}: run without --keep")
    seconds, _none = timed(lambda: populate(count))
    print(f"\n== world of {count:,} enterprises built in SQL in {seconds:.0f} s", flush=True)


def measure(run: str, rounds: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from zhuqi.directory.models import Enterprise

    def counts():
        with connection.cursor() as cursor:
            for table in ("directory_enterprise", "directory_indicatorvalue"):
                cursor.execute(f"SELECT count(*) FROM {table}")
                cursor.fetchone()

    baseline = min(timed(counts)[0] for _ in range(3))
    enterprises = Enterprise.objects.count()
    load = os.getloadavg()
    print(
        f"\n== {run}: {enterprises:,} enterprises in chunks of {settings.ZHUQI_BATCH_CHUNK:,};"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)"
    )
    print(f"baseline  SELECT count(*) of enterprises and indicator values   {baseline:8.3f} s", flush=True)
    for n in range(rounds):
        progress = chunk_printer(run)
        seconds, summary = timed(lambda p=progress: RUNNERS[run](p))
        what = "first" if n == 0 else "again"
        resident = progress.seen
        print(
            f"{run:8s}  {what}  {seconds:8.1f} s  ×{seconds / baseline:6.0f} baseline"
            f"  {enterprises / seconds:,.0f} enterprises/s  peak RSS {peak_mb():,.0f} MB"
            f"  (resident after chunks {min(resident):,.0f}–{max(resident):,.0f} MB)"
        )
        print(f"          {summary}", flush=True)
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def run_match(progress) -> str:
    from zhuqi.policies import matching

    run = matching.match_run(period=MATCH_PERIOD, progress=progress)
    return f"{run.eligible:,} eligible, {run.unknown:,} undecided, {run.newly_eligible:,} newly eligible"


def run_offers(progress) -> str:
    from zhuqi.policies import grants

    done = grants.offers_run(period=OFFER_PERIOD, progress=progress)
    return (
        f"{done.created:,} offers made, {done.already_offered:,} already offered,"
        f" {done.unverified:,} on unverified data, {done.over_budget:,} over budget"
    )


def run_tiers(progress) -> str:
    from zhuqi.tiers import assessment

    run = assessment.assess(year=TIER_YEAR, day=TIER_DAY, progress=progress)
    return f"counts {run.counts}"


RUNNERS = {"match": run_match, "offers": run_offers, "tiers": run_tiers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3_000_000)
    parser.add_argument("--chunk", type=int, default=200_000, help="ZHUQI_BATCH_CHUNK")
    parser.add_argument("--rounds", type=int, default=2, help="each run this many times")
    parser.add_argument("--runs", default=",".join(RUNS), help="which runs, of " + ",".join(RUNS))
    parser.add_argument("--keep", action="store_true", help="reuse the world of an earlier run")
    parser.add_argument("--child", choices=["build", *RUNS], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        build(args.enterprises)
        return
    if args.child:
        measure(args.child, args.rounds)
        return
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    if unknown := set(runs) - set(RUNS):
        parser.error(f"no run {', '.join(sorted(unknown))}")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhuqi.settings", ZHUQI_CONN_MAX_AGE="0")
    env["ZHUQI_BATCH_CHUNK"] = str(args.chunk)
    env["DATABASE_URL"] = postgres_database(DATABASE, fresh=not args.keep)
    with tempfile.TemporaryDirectory() as data_dir:
        env["ZHUQI_DATA_DIR"] = data_dir
        command = [sys.executable, "-m", "bench.policies_scale", "--enterprises", str(args.enterprises)]
        for child in ["build", *runs]:
            subprocess.run([*command, "--rounds", str(args.rounds), "--child", child], env=env, check=True)


if __name__ == "__main__":
    main()
