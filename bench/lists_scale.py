"""Long lists at province scale (issue 16, item 3): the first and a deep page of every long list, with the
count estimated (the default past ZHUQI_COUNT_ESTIMATE_ABOVE) and exact (on request), against
`SELECT count(*)` of the same table in the same run.

    .venv/bin/python -m bench.lists_scale                  # 1,000,000 appeals, notifications, audit events
    .venv/bin/python -m bench.lists_scale --keep           # times again on the world already built
    .venv/bin/python -m bench.lists_scale --appeals 200000 --rows 200000 --policy-rows 50000

It drops and creates the database zq_lists_bench on BENCH_PG (default postgres://postgres@127.0.0.1:5432)
and builds the appeals world of bench/appeals_scale.py (appeals, their events, 100,000 enterprises),
then in bulk SQL: the coordinator's notifications (`--rows`, one user's list: the deepest there is),
as many audit events, and `--policy-rows` applications and grant offers over four clauses. It prints
the plan of each list's id walk at its deep page (it should read the list's index, not sort), then
times each page in process through Django's test client as the coordinator (best of 2)."""

import argparse
import time

from bench import backends
from bench.appeals_scale import build, timed

DB_NAME = "zq_lists_bench"


def build_lists(rows: int, policy_rows: int) -> None:
    from django.db import connection

    from zhuqi.accounts.models import User
    from zhuqi.directory.models import Department
    from zhuqi.policies.models import Clause, Policy, PolicyPack

    coordinator = User.objects.get(username="coordinator")
    pack = PolicyPack.objects.create(code="bench", title="基准政策包", document="")
    policy = Policy.objects.create(pack=pack, code="bench-p", title="基准政策")
    departments = list(Department.objects.order_by("pk")[:4])
    clauses = [
        Clause.objects.create(
            policy=policy,
            code=f"bench-c{i}",
            title=f"基准条款{i}",
            source="第一条",
            department=departments[i],
        )
        for i in range(4)
    ]
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO core_notification (key, user_id, subject, body, link, created_at, read_at)
            SELECT 'bench-' || i, %(user)s, '基准通知' || i, '正文', '',
                now() - (%(n)s - i) * interval '1 minute', CASE WHEN i %% 3 = 0 THEN now() END
            FROM generate_series(1, %(n)s) AS i
            """,
            {"user": coordinator.pk, "n": rows},
        )
        c.execute(
            """
            INSERT INTO core_auditevent (created_at, actor_id, verb, object_type, object_id, data, via_token,
                actor_name, seq, prev_hash, hash)
            SELECT now() - (%(n)s - i) * interval '1 second', NULL, 'bench', 'appeals.appeal', i::text,
                '{}'::jsonb, '', '', NULL, '', ''
            FROM generate_series(1, %(n)s) AS i
            """,
            {"n": rows},
        )
        c.execute("SELECT min(id), max(id) FROM directory_enterprise")
        lo_ent, hi_ent = c.fetchone()
        common = {
            "n": policy_rows,
            "lo_ent": lo_ent,
            "n_ent": hi_ent - lo_ent + 1,
            "lo_clause": clauses[0].pk,
            "user": coordinator.pk,
        }
        c.execute(
            """
            INSERT INTO policies_application (number, enterprise_id, clause_id, year, project, inputs, state,
                computed_max, approved_amount, decision_reason, submitted_by_id, decided_by_id,
                idempotency_key, created_at, decided_at)
            SELECT 'ZS' || lpad(i::text, 10, '0'), %(lo_ent)s + (i * 7919) %% %(n_ent)s, %(lo_clause)s + i %% 4,
                2026, '', '{}'::jsonb, (ARRAY['submitted','approved','rejected','withdrawn'])[1 + i %% 4],
                100000, NULL, '', %(user)s, NULL, NULL, now() - (%(n)s - i) * interval '1 minute', NULL
            FROM generate_series(1, %(n)s) AS i
            """,
            common,
        )
        # One offer per enterprise, clause and year (the unique constraint): enterprise i mod n, year by block.
        c.execute(
            """
            INSERT INTO policies_grantoffer (number, enterprise_id, clause_id, year, amount, facts, state,
                bank_name, account_name, account_number, confirmed_by_id, confirmed_at, pay_due, batch_id,
                paid_at, created_at)
            SELECT 'MS' || lpad(i::text, 10, '0'), %(lo_ent)s + i %% %(n_ent)s, %(lo_clause)s + (i / %(n_ent)s) %% 4,
                2020 + i / (%(n_ent)s * 4), 50000, '{}'::jsonb, (ARRAY['offered','confirmed','cancelled'])[1 + i %% 3],
                '', '', '', NULL, NULL, NULL, NULL, NULL, now() - (%(n)s - i) * interval '1 minute'
            FROM generate_series(1, %(n)s) AS i
            """,
            common,
        )
        c.execute("VACUUM ANALYZE")


def id_walk_plan(rows, bottom: int) -> str:
    """The plan of a page's id read (core/pagination.page_rows), one line a node."""
    ids = rows.values_list("pk", flat=True)[bottom : bottom + 26]
    return ids.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="notifications and audit events")
    parser.add_argument("--policy-rows", type=int, default=200_000, help="applications and grant offers")
    parser.add_argument("--keep", action="store_true", help="reuse the database built by a previous run")
    args = parser.parse_args()
    backends.django_site(backends.postgres_database(DB_NAME, fresh=not args.keep))
    from django.db import connection
    from django.test import Client

    if not args.keep:
        start = time.perf_counter()
        build(args.appeals, args.enterprises)
        build_lists(args.rows, args.policy_rows)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)

    from zhuqi.accounts.models import User
    from zhuqi.appeals import selectors as appeals
    from zhuqi.core import selectors as core
    from zhuqi.directory import selectors as directory
    from zhuqi.policies import selectors as policies

    coordinator = User.objects.get(username="coordinator")
    rows: list = []
    tables = {
        "appeals": "appeals_appeal",
        "enterprises": "directory_enterprise",
        "applications": "policies_application",
        "offers": "policies_grantoffer",
        "notifications": "core_notification",
        "audit events": "core_auditevent",
    }
    sizes = {}
    with connection.cursor() as c:
        for name, table in tables.items():

            def count(table=table):
                c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
                return c.fetchone()[0]

            sizes[name] = timed(f"count(*) {name}", count, rows)
    print(", ".join(f"{name} {n:,}" for name, n in sizes.items()), flush=True)

    def deep(name, per_page=25):
        """The page half-way down the list (page 20,000 of a million rows)."""
        return max(1, sizes[name] // per_page // 2)

    lists = [
        ("appeals", appeals.appeal_list(coordinator), "/appeals/", "/api/v1/appeals"),
        ("enterprises", directory.enterprise_search(coordinator), "/enterprises/", "/api/v1/enterprises"),
        (
            "applications",
            policies.application_list(coordinator),
            "/policies/applications/",
            "/api/v1/policy-applications",
        ),
        ("offers", policies.offer_list(coordinator), "/policies/offers/", "/api/v1/grant-offers"),
        ("notifications", core.notifications_of(coordinator), "/notifications/", "/api/v1/notifications"),
    ]
    from zhuqi.core.pagination import count_of, estimated_count

    counted = [
        *lists,
        ("open appeals", appeals.appeal_list(coordinator, state="open"), None, None),
        ("appeals of a town", appeals.appeal_list(coordinator, town="T03"), None, None),
        (
            "enterprises named 基准企业12…",
            directory.enterprise_search(coordinator, q="基准企业12"),
            None,
            None,
        ),
    ]
    for name, qs, _page, _api in counted:
        guess = timed(f"{name}: count, estimated", lambda qs=qs: count_of(qs)[0], rows)
        exact = timed(f"{name}: count, exact", lambda qs=qs: count_of(qs, exact=True)[0], rows)
        planner = estimated_count(qs)
        print(
            f"{name}: planner {planner:,} / exact {exact:,} ({planner / exact - 1:+.1%}); shown {guess:,}",
            flush=True,
        )
    for name, qs, _page, _api in lists:
        print(
            f"--- id walk of {name}, page {deep(name):,}:\n{id_walk_plan(qs, (deep(name) - 1) * 25)}",
            flush=True,
        )

    client = Client()
    client.force_login(coordinator)

    def get(url, expect=None):
        """A timed GET; `expect`: a text the page shows, or for the API whether its count is estimated."""

        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if isinstance(expect, bool):
                assert response.json()["count_estimated"] is expect, url
            elif expect is not None:
                assert expect in response.content.decode(), (url, expect)
            return response

        return run

    for name, _qs, page, api in lists:
        n = deep(name)
        timed(f"{name} page 1 (estimated count)", get(page, "共约"), rows)
        timed(f"{name} page 1, exact count", get(f"{page}?count=exact"), rows)
        timed(f"{name} page {n:,} (estimated count)", get(f"{page}?page={n}", "共约"), rows)
        timed(f"{name} page {n:,}, exact count", get(f"{page}?page={n}&count=exact"), rows)
        timed(f"{name} API page 1 (estimated count)", get(api, True), rows)
        timed(f"{name} API page {n:,}, exact count", get(f"{api}?page={n}&exact_count=true", False), rows)
        timed(f"{name} API page {n:,} (estimated count)", get(f"{api}?page={n}", True), rows)
    timed("audit page (estimated count)", get("/audit/", "约"), rows)
    timed("audit page, exact count", get("/audit/?count=exact"), rows)


if __name__ == "__main__":
    main()
