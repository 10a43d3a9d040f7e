"""Appeals at province scale (issue 16): pages and sweeps against `SELECT count(*)` in the same run.

    .venv/bin/python -m bench.appeals_scale                      # 1,000,000 appeals, 100,000 enterprises
    .venv/bin/python -m bench.appeals_scale --appeals 200000     # a smaller world on a slow machine

It drops and creates the database zq_scale_bench on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), migrates it, and builds the world in bulk SQL (generate_series):
enterprises, appeals (about 9 % open, the rest mostly closed, some withdrawn, rated, reopened) with two
trail events each. Then it times, in process through Django's test client as the coordinator (who sees
every appeal), each page or job against `SELECT count(*)` of the appeals, events and enterprises.
"""

import argparse
import time
from pathlib import Path

from bench import backends

ROOT = Path(__file__).resolve().parent.parent

DB_NAME = "zq_scale_bench"


def build(appeals: int, enterprises: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from zhuqi.accounts.models import Role, User
    from zhuqi.directory.models import Department, ServiceCategory, Town

    towns = [Town.objects.create(code=f"T{i:02d}", name=f"基准{i}镇", kind="town") for i in range(12)]
    parents = [ServiceCategory.objects.create(code=f"c{i}", name=f"大类{i}") for i in range(6)]
    for p in parents:
        for j in range(3):
            ServiceCategory.objects.create(code=f"{p.code}.{j}", name=f"{p.name}·{j}", parent=p)
    for i in range(24):
        d = Department.objects.create(code=f"D{i:02d}", name=f"基准局{i}", short_name=f"局{i}", level="city")
        d.head = User.objects.create(
            username=f"head{i}", role=Role.HANDLER, department=d, mobile=f"1390000{i:04d}"
        )
        d.save()
    User.objects.create(username="coordinator", role=Role.COORDINATOR)
    User.objects.create(username="hotline", role=Role.SYSTEM)
    lo_town, hi_town = min(t.pk for t in towns), max(t.pk for t in towns)
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO directory_enterprise (uscc, name, town_id, industry_code, ownership, listing, size,
                doubling_class, address, created_at, updated_at)
            SELECT 'B' || lpad(i::text, 17, '0'), '基准企业' || i || '有限公司', %s + i %% %s, 'C39',
                'private', 'none', 'small', 'private_mfg', '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [lo_town, hi_town - lo_town + 1, enterprises],
        )
        c.execute("SELECT min(id), max(id) FROM directory_enterprise")
        lo_ent, hi_ent = c.fetchone()
        c.execute("SELECT min(id), max(id) FROM directory_servicecategory WHERE parent_id IS NOT NULL")
        lo_cat, hi_cat = c.fetchone()
        c.execute("SELECT min(id), max(id) FROM directory_department")
        lo_dep, hi_dep = c.fetchone()
        c.execute("SELECT id FROM accounts_user WHERE username = 'hotline'")
        (hotline,) = c.fetchone()
        # r: a fixed pseudo-random number per appeal; the state, rating and dates follow from it.
        c.execute(
            """
            INSERT INTO appeals_appeal (number, enterprise_id, title, description, category_id, urgency,
                channel, within_policy, contact_name, contact_phone, submitted_by_id, state, department_id,
                version, reopen_count, created_at, dispatched_at, accepted_at, replied_at, closed_at,
                dispatch_due, progress_due, resolve_due, reply, rating, close_reason, on_time)
            SELECT 'SQ' || lpad(i::text, 10, '0'), %(lo_ent)s + (i * 7919) %% %(n_ent)s, '基准诉求' || i, '描述',
                %(lo_cat)s + i %% %(n_cat)s, 'ordinary', 'web', true, '', '', %(hotline)s, s.state,
                CASE WHEN s.state = 'submitted' THEN NULL ELSE %(lo_dep)s + i %% %(n_dep)s END,
                1, CASE WHEN r < 0.08 THEN 1 WHEN r < 0.1 THEN 2 ELSE 0 END, t.created, t.created + interval '3 hours',
                t.created + interval '5 hours',
                CASE WHEN s.state IN ('replied', 'closed') THEN t.created + (r * 20) * interval '1 day' END,
                CASE WHEN s.state IN ('closed', 'withdrawn') THEN t.created + (r * 25 + 1) * interval '1 day' END,
                t.created + interval '1 day', t.created + interval '3 days', t.created + interval '9 days',
                '', CASE WHEN s.state = 'closed' AND r < 0.6 THEN (ARRAY['satisfied','basic','unsatisfied'])[1 + (i %% 3)] ELSE '' END,
                CASE WHEN s.state = 'closed' THEN (CASE WHEN r < 0.6 THEN 'rated' ELSE 'unrated' END) ELSE '' END,
                CASE WHEN s.state = 'closed' THEN r < 0.5 END
            FROM generate_series(1::bigint, %(n)s) AS i,
                LATERAL (SELECT ((i * 2654435761) %% 1000003) / 1000003.0 AS r) AS rr,
                LATERAL (SELECT now() - ((%(n)s - i)::float / %(n)s) * interval '5 years' AS created) AS t,
                LATERAL (SELECT CASE
                    WHEN i > %(n)s * 0.91 THEN (ARRAY['submitted','dispatched','accepted','replied','escalated'])[1 + (i %% 5)]
                    WHEN r < 0.02 THEN 'withdrawn'
                    ELSE 'closed' END AS state) AS s
            """,
            {
                "lo_ent": lo_ent,
                "n_ent": hi_ent - lo_ent + 1,
                "lo_cat": lo_cat,
                "n_cat": hi_cat - lo_cat + 1,
                "lo_dep": lo_dep,
                "n_dep": hi_dep - lo_dep + 1,
                "hotline": hotline,
                "n": appeals,
            },
        )
        c.execute(
            """
            INSERT INTO appeals_appealevent (appeal_id, created_at, action, from_state, to_state, department_id,
                comment, data)
            SELECT id, created_at, 'submit', '', 'submitted', NULL, '', '{}'::jsonb FROM appeals_appeal
            UNION ALL
            SELECT id, coalesce(dispatched_at, created_at), 'dispatch', 'submitted', state, department_id, '',
                '{}'::jsonb FROM appeals_appeal
            """
        )
        # As Appeal.save and the migration set it: when the sweep must next look at each appeal.
        c.execute(
            """UPDATE appeals_appeal SET sweep_at = CASE
                 WHEN state IN ('dispatched', 'accepted', 'escalated') AND department_id IS NOT NULL THEN resolve_due
                 WHEN state = 'replied' THEN replied_at END"""
        )
        c.execute("VACUUM ANALYZE")


def timed(label: str, fn, rows: list, repeat: int = 2):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    rows.append((label, best))
    print(f"{label:<44} {best * 1000:10.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database built by a previous run")
    args = parser.parse_args()
    backends.django_site(backends.postgres_database(DB_NAME, fresh=not args.keep))
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    if not args.keep:
        start = time.perf_counter()
        build(args.appeals, args.enterprises)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)

    from zhuqi.accounts.models import User
    from zhuqi.appeals import kpis, services
    from zhuqi.appeals.models import Appeal

    rows: list = []
    with connection.cursor() as c:

        def count(table):
            def run():
                c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
                return c.fetchone()[0]

            return run

        n_appeals = timed("count(*) appeals", count("appeals_appeal"), rows)
        n_events = timed("count(*) appeal events", count("appeals_appealevent"), rows)
        n_ent = timed("count(*) enterprises", count("directory_enterprise"), rows)
    print(f"appeals {n_appeals:,}, events {n_events:,}, enterprises {n_ent:,}", flush=True)
    timed("recompute-handling (once, every closed appeal)", kpis.recompute_handling_days, rows, repeat=1)

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return run

    for by in ("all", "department", "town", "category", "month"):
        timed(f"KPI API by {by}", get(f"/api/v1/appeal-kpis?by={by}"), rows)
    timed("KPI page (by department)", get("/appeals/kpis/"), rows)
    timed("warnings API page 1", get("/api/v1/appeal-warnings"), rows)
    timed("warnings page 1", get("/appeals/warnings/"), rows)
    timed("ledger page 1", get("/appeals/"), rows)
    timed("ledger page 20,000", get("/appeals/?page=20000"), rows)
    timed("ledger API page 20,000", get("/api/v1/appeals?page=20000"), rows)

    now = timezone.now()
    services.sweep(now)  # the first sweep after the build raises what is overdue already
    timed("sweep, nothing new", lambda: services.sweep(now), rows)
    ids = list(
        Appeal.objects.filter(
            state__in=["dispatched", "accepted"], sweep_at__gt=now, supervisions__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    Appeal.objects.filter(pk__in=ids).update(resolve_due=now, sweep_at=now)
    later = now + timezone.timedelta(minutes=1)
    result = timed("sweep, 1,000 deadlines just passed", lambda: services.sweep(later), rows, repeat=1)
    print(result, flush=True)


if __name__ == "__main__":
    main()
