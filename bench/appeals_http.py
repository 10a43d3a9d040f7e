"""Appeal submission and listing through the HTTP API under concurrent load, on PostgreSQL.

gunicorn serves the platform with 2 sync workers; a load generator on 127.0.0.1 keeps N requests in
flight. In the same run it drives, in turns, a bare django-ninja endpoint that inserts one row (the
ceiling: no auth, routing, audit or outbox), the full submission (token auth, duplicate hints,
routing, working-day deadlines, audit events, the outbox row the worker fans out) as the 12345 hotline
does, and the paginated ledger as a coordinator reads it. It prints throughput, p50/p99 latency and
the ratio of the full submission to the bare insert.

    .venv/bin/python -m bench.appeals_http [--seconds 10] [--concurrency 4] [--rounds 2]

It creates (and drops at the start) the database zhuqi_bench (or BENCH_DB) on BENCH_PG (default
postgres://postgres@127.0.0.1:5432). Figures and the machine they came from: bench/README.md.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "zhuqi_bench")  # another name when two runs share the server
ENTERPRISES = 2000


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"{PG}/{DB_NAME}"


def build_world() -> dict:
    """A city with one town, a routed category, departments with heads, enterprises with liaisons,
    a hotline system user with two API tokens (submitting; reading the ledger)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhuqi.accounts.models import Role
    from zhuqi.accounts.services import api_token_create, user_create
    from zhuqi.core import uscc
    from zhuqi.core.scopes import HOTLINE, Scope
    from zhuqi.directory.models import Department, Enterprise, LiaisonAssignment, ServiceCategory, Town

    town = Town.objects.create(code="BT01", name="基准镇")
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    loan = ServiceCategory.objects.create(code="loan", name="贷款", parent=financing)
    department = Department.objects.create(code="BJRB", name="金融工作局", level=Department.Level.CITY)
    department.categories.add(financing)

    def user(username, role, **extra):
        return user_create(
            username=f"bench-{username}",
            password="bench-pass-2026",
            check_password=False,
            role=role,
            display_name=username,
            **extra,
        )

    admin = user("admin", Role.ADMIN)
    head = user("head", Role.HANDLER, department=department, mobile="13800000001")
    department.head = head
    department.save()
    user("handler", Role.HANDLER, department=department)
    leader = user("leader", Role.LEADER, mobile="13800000002")
    hotline = user("12345", Role.SYSTEM)
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(uscc=uscc.make("441900", f"{n:08d}"), name=f"基准企业{n:04d}有限公司", town=town)
        for n in range(ENTERPRISES)
    )
    LiaisonAssignment.objects.bulk_create(
        LiaisonAssignment(enterprise=e, leader=leader, tier="city", since=date(2026, 1, 1))
        for e in enterprises
    )
    return {
        "hotline": api_token_create(user=hotline, name="bench", scopes=HOTLINE, acting_user=admin)[1],
        # Tokens are for system clients only: the ledger is read by a second hotline token that may
        # only read appeals (a system client sees every appeal, as the coordinator does).
        "coordinator": api_token_create(
            user=hotline, name="bench-ledger", scopes=[Scope.APPEALS_READ], acting_user=admin
        )[1],
        "usccs": [e.uscc for e in enterprises],
        "category": loan.code,
    }


class Gunicorn:
    def __init__(self, database_url: str, workers: int = 2, threads: int = 1):
        self.port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.site.settings",
            "ZHUQI_CONN_MAX_AGE": "60",
            "ZHUQI_SMS_GATEWAY": "console",
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "zhuqi.wsgi:application",  # settings from DJANGO_SETTINGS_MODULE
                f"--workers={workers}",
                f"--threads={threads}",  # more than 1: the gthread worker overlaps database waits
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
                "--backlog=2048",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, make_request, seconds: float, concurrency: int) -> dict:
    """Keeps `concurrency` requests in flight for `seconds`; every answer must be 2xx."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(worker: int):
        n = 0
        mine = []
        while time.monotonic() < stop_at:
            method, path, body, headers = make_request(worker, n)
            n += 1
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except OSError as exc:  # a refused or reset connection is a failure, not a silent gap
                with lock:
                    failures.append(repr(exc))
                return
            finally:
                conn.close()
            mine.append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                with lock:
                    failures.append(f"{response.status} {payload[:200]!r}")
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(w,)) for w in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    args = parser.parse_args()

    database_url = recreate_database()
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.site.settings"
    import django

    django.setup()
    world = build_world()
    run_id = os.getpid()

    def bare(worker, n):
        return "POST", "/bench/bare", b"", {"Content-Length": "0"}

    def submit(worker, n):
        body = {
            "enterprise_uscc": world["usccs"][(worker * 7919 + n) % ENTERPRISES],
            "title": f"热线转办：申请流动资金贷款贴息 {worker}-{n}",
            "description": "企业来电反映：申请流动资金贷款贴息，材料已提交，尚未收到答复，请协调办理。",
            "category_code": world["category"],
            "channel": "hotline",
            "contact_name": "王经理",
            "contact_phone": "13900000000",
        }
        return (
            "POST",
            "/api/v1/appeals",
            json.dumps(body, ensure_ascii=False).encode(),
            {
                "Authorization": f"Bearer {world['hotline']}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{run_id}-{worker}-{n}-{time.monotonic_ns()}",
            },
        )

    def listing(worker, n):
        return (
            "GET",
            f"/api/v1/appeals?page={1 + n % 5}",
            None,
            {"Authorization": f"Bearer {world['coordinator']}"},
        )

    server = Gunicorn(database_url, threads=args.threads)
    try:
        load(server.port, bare, 2, args.concurrency)  # warm both workers' imports and connections
        load(server.port, submit, 2, args.concurrency)
        results: dict[str, list[dict]] = {"bare": [], "submit": [], "list": []}
        for _round in range(args.rounds):
            for name, maker in (("bare", bare), ("submit", submit), ("list", listing)):
                results[name].append(load(server.port, maker, args.seconds, args.concurrency))
    finally:
        server.stop()

    from zhuqi.appeals.models import Appeal
    from zhuqi.core.models import OutboxMessage

    kind = "sync" if args.threads == 1 else f"gthread ×{args.threads}"
    print(
        f"gunicorn 2 {kind} workers, PostgreSQL, {args.concurrency} in flight, {args.seconds:g} s × {args.rounds}"
    )
    print(f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}")
    best = {}
    for name, label in (("bare", "bare insert"), ("submit", "full submission"), ("list", "ledger page (50)")):
        for r in results[name]:
            print(
                f"{label:<22}{r['per_second']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['requests']:>10}"
            )
        best[name] = max(r["per_second"] for r in results[name])
    ratios = [
        s["per_second"] / b["per_second"] for s, b in zip(results["submit"], results["bare"], strict=True)
    ]
    print(f"full submission / bare insert, per round: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"appeals stored: {Appeal.objects.count()}, outbox rows: {OutboxMessage.objects.count()}")


if __name__ == "__main__":
    main()
