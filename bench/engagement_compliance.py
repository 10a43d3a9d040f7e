"""Cadence compliance at city scale (issue 11): the compliance view against a plain ORM read of the
same visit rows, in the same run.

    .venv/bin/python -m bench.engagement_compliance                     # 10,000 enterprises, 3 years
    .venv/bin/python -m bench.engagement_compliance --enterprises 2000  # a smaller world
    .venv/bin/python -m bench.engagement_compliance --keep              # reuse the database

It drops and creates the database zq_engagement_bench on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), migrates it and builds in bulk SQL (generate_series): 12 towns,
24 units, 60 liaison leaders, the enterprises, one liaison each (since three years ago), and three
years of weekly contacts (phone or WeChat; about one week in eleven skipped) plus a monthly on-site
visit for most: about 1.6 million visits for 10,000 enterprises. Then it times, as the coordinating
office sees it (every enterprise):

- the compliance view of the current quarter (`cadence.compliance`: the weekly, monthly and
  quarterly rules; per leader, unit and town), and of the whole current year;
- the compliance page (`/engagement/compliance/`) through Django's test client;
- the plain ORM read of the same rows: `list(Visit.objects.filter(<the quarter's weeks>).values_list(
  enterprise, leader, day, kind))`, and of the year's.

Goal (issue 11): the view under 5× the plain read of its rows and under 1 s on PostgreSQL.
"""

import argparse
import time
from datetime import date

from bench import backends

DB_NAME = "zq_engagement_bench"
TODAY = date(2026, 11, 25)
YEARS = 3


def build(enterprises: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from zhuqi.accounts.models import Role, User
    from zhuqi.directory.models import Department, Town

    towns = [Town.objects.create(code=f"T{i:02d}", name=f"基准{i}镇", kind="town") for i in range(12)]
    units = [
        Department.objects.create(code=f"D{i:02d}", name=f"基准局{i}", short_name=f"局{i}", level="city")
        for i in range(24)
    ]
    leaders = [User.objects.create(username=f"leader{i}", role=Role.LEADER) for i in range(60)]
    User.objects.create(username="coordinator", role=Role.COORDINATOR)
    start = date(TODAY.year - YEARS, TODAY.month, TODAY.day)
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO directory_enterprise (uscc, name, town_id, industry_code, ownership, listing, size,
                doubling_class, address, created_at, updated_at)
            SELECT 'B' || lpad(i::text, 17, '0'), '基准企业' || i || '有限公司', %s + i %% 12, 'C39',
                'private', 'none', 'small', 'private_mfg', '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [towns[0].pk, enterprises],
        )
        c.execute(
            """
            INSERT INTO directory_liaisonassignment (leader_id, enterprise_id, tier, since, unit_id, end_reason)
            SELECT %s + e.id %% 60, e.id, 'town_member', %s, %s + e.id %% 24, '' FROM directory_enterprise e
            """,
            [leaders[0].pk, start, units[0].pk],
        )
        # Weekly contacts: week w of enterprise e on day (e + w) % 5 of the week, skipped when
        # (e * 7 + w) % 11 = 0; an on-site visit in the first week of each month for 9 in 10.
        c.execute(
            """
            INSERT INTO engagement_visit (enterprise_id, leader_id, kind, visited_on, participants,
                ask_status, ask_needs, ask_environment, brought_service, brought_conduct, help_ideas,
                help_transform, help_solve, help_longterm, summary, recorded_by_id, created_at)
            SELECT a.enterprise_id, a.leader_id,
                CASE WHEN extract(day FROM d) <= 7 AND a.enterprise_id %% 10 <> 0 THEN 'onsite'
                     WHEN (a.enterprise_id + w) %% 2 = 0 THEN 'phone' ELSE 'wechat' END,
                d, '', '', '', '', '', true, '', '', '', '', '', a.leader_id, now()
            FROM directory_liaisonassignment a
            CROSS JOIN generate_series(0, %s) AS w
            CROSS JOIN LATERAL (SELECT (%s::date + (w * 7 + (a.enterprise_id + w) %% 5)::int) AS d) AS day
            WHERE (a.enterprise_id * 7 + w) %% 11 <> 0 AND d < %s
            """,
            [YEARS * 52 + 1, start, TODAY],
        )
        c.execute("ANALYZE")


def timed(label: str, fn, rows: list, repeat: int = 3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    rows.append((label, best))
    print(f"{label:<52} {best * 1000:10.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database built by a previous run")
    args = parser.parse_args()
    backends.django_site(backends.postgres_database(DB_NAME, fresh=not args.keep))
    from django.test import Client

    if not args.keep:
        start = time.perf_counter()
        build(args.enterprises)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)

    from zhuqi.accounts.models import User
    from zhuqi.engagement import cadence
    from zhuqi.engagement.models import CadenceRule, Visit

    print(f"visits {Visit.objects.count():,}", flush=True)
    rows: list = []
    quarter = cadence.quarter_of(TODAY)
    year = (date(TODAY.year, 1, 1), date(TODAY.year, 12, 31))
    for name, (first, last) in (("quarter", quarter), ("year", year)):
        # The rows the view reads: the visits within the periods of its rules (the weeks reach past
        # the quarter's first and last days).
        spans = [cadence.periods(r.period, first, last) for r in CadenceRule.objects.filter(active=True)]
        lo = min(s[0][0] for s in spans)
        hi = max(s[-1][1] for s in spans)

        def plain(lo=lo, hi=hi):
            return list(
                Visit.objects.filter(visited_on__gte=lo, visited_on__lte=hi).values_list(
                    "enterprise_id", "leader_id", "visited_on", "kind"
                )
            )

        n = len(timed(f"plain ORM read of the {name}'s visits", plain, rows))

        def view(first=first, last=last):
            return cadence.compliance(start=first, end=last, today=TODAY)

        result = timed(f"compliance view of the {name}", view, rows)
        owed = sum(r.owed for r in result["town_id"])
        print(f"   {n:,} visits read; {owed:,} periods owed", flush=True)
        print(f"   ratio {rows[-1][1] / rows[-2][1]:.2f}× the plain read", flush=True)

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))

    def page():
        response = client.get(
            f"/engagement/compliance/?year={TODAY.year}&quarter={(TODAY.month - 1) // 3 + 1}"
        )
        assert response.status_code == 200, response.status_code
        return response

    timed("compliance page (quarter, test client)", page, rows)


if __name__ == "__main__":
    main()
