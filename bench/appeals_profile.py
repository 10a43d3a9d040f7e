"""Where the time of one appeal submission goes: cProfile of submissions through the Django test
client on the database bench.appeals_http built (run that first), summed by package.

    .venv/bin/python -m bench.appeals_profile [--submissions 100]

Prints the statements one submission runs, the in-process milliseconds per submission (without
the profiler), and the share of profiled time per package (django/db, psycopg's wait on the server,
zhuqi, ninja…). Figures: bench/README.md.
"""

import argparse
import collections
import cProfile
import json
import os
import pstats
import re
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--statements", action="store_true", help="print the SQL of one submission")
    args = parser.parse_args()
    os.environ.setdefault(
        "DATABASE_URL",
        f"{os.environ.get('BENCH_PG', 'postgres://postgres@127.0.0.1:5432')}/"
        f"{os.environ.get('BENCH_DB', 'zhuqi_bench')}",
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.site.settings"
    os.environ["ZHUQI_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhuqi.accounts.models import User
    from zhuqi.accounts.services import api_token_create
    from zhuqi.core.scopes import HOTLINE
    from zhuqi.directory.models import Enterprise

    token = api_token_create(user=User.objects.get(username="bench-12345"), name="profile", scopes=HOTLINE)[1]
    usccs = list(Enterprise.objects.values_list("uscc", flat=True)[:500])
    client = Client()

    def submit(n):
        for i in range(n):
            body = {
                "enterprise_uscc": usccs[i % len(usccs)],
                "title": f"贴息未到账 {time.time_ns()}",
                "description": "热线转办",
                "category_code": "loan",
                "channel": "hotline",
            }
            response = client.post(
                "/api/v1/appeals",
                json.dumps(body, ensure_ascii=False),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(time.time_ns())},
            )
            assert response.status_code == 201, response.content

    submit(5)  # warm up
    with CaptureQueriesContext(connection) as queries:
        submit(1)
    print(f"statements per submission: {len(queries.captured_queries)}")
    if args.statements:
        for query in queries.captured_queries:
            print(f"  {query['sql'][:300]}")
    started = time.perf_counter()
    submit(args.submissions)
    print(f"in-process: {(time.perf_counter() - started) / args.submissions * 1000:.1f} ms per submission")

    profile = cProfile.Profile()
    profile.runcall(submit, args.submissions)
    shares = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():
        m = re.search(r"site-packages/([^/]+)/([^/.]+)", filename)
        shares[f"{m.group(1)}/{m.group(2)}" if m else ("zhuqi" if "zhuqi" in filename else "python")] += own
    total = sum(shares.values())
    for name, own in shares.most_common(8):
        print(f"{own / total * 100:5.1f} %  {name}")


if __name__ == "__main__":
    main()
