"""The city cockpit and the KPI page at province scale (issue 12): against `SELECT count(*)` in the same run.

    .venv/bin/python -m bench.cockpit                                  # 1,000,000 appeals, 100,000 enterprises
    .venv/bin/python -m bench.cockpit --appeals 200000 --enterprises 20000   # a smaller world
    .venv/bin/python -m bench.cockpit --keep                           # reuse the last world
    .venv/bin/python -m bench.cockpit --db zhuqi_perf --build-only     # build a world in a database of one's own
    .venv/bin/python -m bench.cockpit --db zhuqi_perf --keep           # then time it again and again

It drops and creates the database zq_cockpit_bench on BENCH_PG (default postgres://postgres@127.0.0.1:5432)
and builds the appeals world of `bench/appeals_scale.py` (its generate_series builder), then adds five
years of monthly indicators (revenue and tax, 2022 to October 2026: 2 × 58 values per enterprise, the
best-value precedence exercised by a second, self-reported revenue for a tenth of them), the 规上 tag on
30 % of the enterprises, the city's and every town's 2026 targets (seasonal breakdown, through the
service), and the warnings sweep. It times the monthly-actuals rebuild and the sweep (the worker's
work), then, in process through Django's test client as the coordinator, the home page with the cockpit,
the cockpit page and API, the targets page, the warnings centre and the KPI page.
"""

import argparse
import os
import time
from datetime import date
from decimal import Decimal

from bench.appeals_scale import PG, build, timed

DB_NAME = "zq_cockpit_bench"
YEARS = (2022, 2023, 2024, 2025, 2026)


def recreate_database(name: str = DB_NAME) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{PG}/{name}"


def build_indicators() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT EXISTS (SELECT 1 FROM directory_indicatorvalue)")
        if not c.fetchone()[0]:
            _monthly_values(c)
        c.execute("SELECT EXISTS (SELECT 1 FROM directory_tag WHERE name = '规上企业')")
        if not c.fetchone()[0]:
            _precedence_and_tags(c)
        c.execute("VACUUM ANALYZE")


def _monthly_values(c) -> None:
    # r: a fixed pseudo-random size per enterprise; a seasonal shape by month; growth by year.
    c.execute(
        """
        INSERT INTO directory_indicatorvalue (enterprise_id, indicator, period_type, year, period_no, value,
            source, verified, updated_at)
        SELECT e.id, ind.name, 'month', y, m,
            round((1e6 + ((e.id * 2654435761) %% 1000003) * 50.0) * (0.8 + 0.04 * m)
                  * power(1.08, y - 2022) * ind.share, 2),
            ind.source, true, now()
        FROM directory_enterprise e
        CROSS JOIN generate_series(%s, %s) AS y
        CROSS JOIN generate_series(1, 12) AS m
        CROSS JOIN (VALUES ('revenue', 1.0, 'stats'), ('tax_paid', 0.05, 'tax')) AS ind(name, share, source)
        WHERE y < 2026 OR m <= 10
        """,
        [YEARS[0], YEARS[-1]],
    )


def _precedence_and_tags(c) -> None:
    c.execute(
        """
        INSERT INTO directory_indicatorvalue (enterprise_id, indicator, period_type, year, period_no, value,
            source, verified, updated_at)
        SELECT enterprise_id, indicator, period_type, year, period_no, value * 1.1, 'self', false, now()
        FROM directory_indicatorvalue WHERE indicator = 'revenue' AND enterprise_id % 10 = 0
        """
    )
    c.execute("INSERT INTO directory_tag (name) VALUES ('规上企业') RETURNING id")
    (tag,) = c.fetchone()
    c.execute(
        "INSERT INTO directory_enterprise_tags (enterprise_id, tag_id) "
        "SELECT id, %s FROM directory_enterprise WHERE id %% 10 < 3",
        [tag],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database of a previous run (finishing its indicators)"
    )
    parser.add_argument("--db", default=DB_NAME, help=f"the database's name (default {DB_NAME})")
    parser.add_argument("--build-only", action="store_true", help="build (or finish) the world, time nothing")
    args = parser.parse_args()
    url = f"{PG}/{args.db}" if args.keep else recreate_database(args.db)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.site.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from zhuqi.accounts.models import User
    from zhuqi.appeals import kpis
    from zhuqi.directory.models import Town
    from zhuqi.monitoring import actuals, targets, warnings
    from zhuqi.monitoring.models import Target

    rows: list = []
    if not args.keep:
        start = time.perf_counter()
        build(args.appeals, args.enterprises)
        build_indicators()
        kpis.recompute_handling_days()
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    else:
        from django.core.management import call_command

        start = time.perf_counter()
        call_command("migrate", verbosity=0)  # the migrations landed since the world was built
        build_indicators()  # what a previous run left unfinished
        from zhuqi.appeals.models import Appeal

        if Appeal.objects.filter(state="closed", handling_days__isnull=True).exists():
            kpis.recompute_handling_days()
        print(f"finished in {time.perf_counter() - start:.0f} s", flush=True)
    timed("monthly actuals rebuilt (5 years)", lambda: actuals.refresh(YEARS), rows, repeat=1)
    if not Target.objects.exists():
        coordinator = User.objects.get(username="coordinator")
        for measure in ("revenue", "tax_paid"):
            last = actuals.annual(measure, [2025]).get(2025) or sum(actuals.monthly(measure, 2025).values())
            targets.target_set(
                acting_user=coordinator,
                measure=measure,
                year=2026,
                town=None,
                annual=Decimal(last * Decimal("1.10")).quantize(Decimal(1)),
            )
            for town in Town.objects.all():
                town_last = sum(actuals.monthly(measure, 2025, town.pk).values())
                targets.target_set(
                    acting_user=coordinator,
                    measure=measure,
                    year=2026,
                    town=town,
                    annual=Decimal(town_last * Decimal("1.12")).quantize(Decimal(1)),
                )
        for measure, annual in (("above_scale_count", args.enterprises // 3), ("rd_coverage", 75)):
            targets.target_set(acting_user=coordinator, measure=measure, year=2026, town=None, annual=annual)
    today = date(2026, 11, 10)
    from zhuqi.monitoring.models import SweepStamp, Warning

    if not args.keep or not Warning.objects.exists():
        timed("warnings sweep (every kind)", lambda: warnings.sweep(today), rows, repeat=1)
    if args.build_only:
        return

    def sweep_reading_everything():
        SweepStamp.objects.all().delete()  # as before stamps: every provider reads its tables
        return warnings.sweep(today)

    timed("warnings sweep, nothing new, every kind read", sweep_reading_everything, rows, repeat=1)
    timed("warnings sweep again (nothing new)", lambda: warnings.sweep(today), rows, repeat=1)
    timed("worker: KPI rollup rebuilt", lambda: kpis.refresh_rollup(force=True), rows, repeat=1)

    with connection.cursor() as c:

        def count(table):
            def run():
                c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
                return c.fetchone()[0]

            return run

        n_appeals = timed("count(*) appeals", count("appeals_appeal"), rows)
        n_values = timed("count(*) indicator values", count("directory_indicatorvalue"), rows)
        n_ent = timed("count(*) enterprises", count("directory_enterprise"), rows)
    print(f"appeals {n_appeals:,}, indicator values {n_values:,}, enterprises {n_ent:,}", flush=True)

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return run

    pages = [
        ("home page with the city cockpit", "/"),
        ("cockpit page (city)", "/monitoring/"),
        ("cockpit page (a town)", f"/monitoring/?town={Town.objects.order_by('code').first().code}"),
        ("cockpit API", "/api/v1/monitoring/cockpit"),
        ("targets page", "/monitoring/targets/"),
        ("warnings centre page 1", "/monitoring/warnings/"),
        ("warnings API page 1", "/api/v1/monitoring/warnings"),
        ("KPI page (by department)", "/appeals/kpis/"),
        ("KPI page (by month)", "/appeals/kpis/?by=month"),
    ]
    for label, url in pages:
        timed(label, get(url), rows)
    base = {label: t for label, t in rows if label.startswith("count(*)")}
    slowest_count = max(base.values())
    print("\nratio to the slowest count(*) of the same run:")
    for label, t in rows:
        if not label.startswith("count(*)"):
            print(f"{label:<44} {t / slowest_count:8.1f}×", flush=True)


if __name__ == "__main__":
    main()
