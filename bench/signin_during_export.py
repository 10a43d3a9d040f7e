"""Sign-in latency while a 213,000-value indicator export runs as a background job, on PostgreSQL.

gunicorn (2 sync workers, the production Argon2 hasher) serves the platform and `zhuqi worker` runs
beside it, as `zhuqi run` does. In the same run, in alternating turns, clients keep `--concurrency`
sign-ins (POST /login/ with the form's CSRF token; the GET of the form is not timed) in flight:

  alone           nothing else runs;
  during export   a coordinator's indicator export (213,000 values: 3,000 enterprises × 71) is
                  queued through the API and runs in the worker; the turn lasts while an export is
                  running (another is queued as soon as one finishes) and at least `--seconds`.

It prints p50/p99 of each turn and the ratio of p99 during the export to p99 alone (goal: ≤ 2).

    .venv/bin/python -m bench.signin_during_export [--seconds 20] [--concurrency 2] [--rounds 2]

It creates (and drops at the start) the database zq_prodjobs_bench on BENCH_PG (default
postgres://postgres@127.0.0.1:5432). Figures and the machine they came from: bench/README.md.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from bench.appeals_http import ROOT, Gunicorn

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "zq_prodjobs_bench"
ENTERPRISES = 3000
PASSWORD = "bench-pass-2026"
SIGNERS = 4


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"{PG}/{DB_NAME}"


def build_world() -> int:
    """3,000 enterprises with 71 indicator values each (13 indicators × 2021–2025, revenue and tax
    for 2026 Q1–Q3): 213,000 values, as the demo city. Returns the number of values."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhuqi.accounts.models import Role
    from zhuqi.accounts.services import user_create
    from zhuqi.core import uscc
    from zhuqi.directory import indicators
    from zhuqi.directory.models import Enterprise, IndicatorValue, Town

    town = Town.objects.create(code="BT01", name="基准镇")
    for n in range(SIGNERS):
        user_create(
            username=f"bench-signer{n}",
            password=PASSWORD,
            check_password=False,
            role=Role.COORDINATOR,
            display_name="s",
        )
    user_create(
        username="bench-exporter",
        password=PASSWORD,
        check_password=False,
        role=Role.COORDINATOR,
        display_name="e",
    )
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(uscc=uscc.make("441900", f"{n:08d}"), name=f"基准企业{n:04d}有限公司", town=town)
        for n in range(ENTERPRISES)
    )
    keys = [i.key for i in indicators.INDICATORS]
    assert len(keys) == 13
    rows = []
    for e in enterprises:
        for year in range(2021, 2026):
            rows.extend(
                IndicatorValue(
                    enterprise=e,
                    indicator=k,
                    period_type="year",
                    year=year,
                    period_no=1,
                    value=1000 + e.pk + year,
                    source="stats",
                )
                for k in keys
            )
        for quarter in (1, 2, 3):
            rows.extend(
                IndicatorValue(
                    enterprise=e,
                    indicator=k,
                    period_type="quarter",
                    year=2026,
                    period_no=quarter,
                    value=500 + quarter,
                    source="tax",
                )
                for k in ("revenue", "tax_paid")
            )
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


class Session:
    """One browser: cookies and the form's CSRF token, over a new connection per request (sync
    gunicorn workers close them)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, payload

    def sign_in(self, username: str) -> float:
        """Returns the seconds the POST took; fails unless it signs in (302 to the home page)."""
        self.cookies.clear()
        status, page = self.request("GET", "/login/")
        assert status == 200, status
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        started = time.perf_counter()
        status, payload = self.request(
            "POST", "/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        elapsed = time.perf_counter() - started
        if status != 302:
            raise SystemExit(f"sign-in of {username} answered {status}: {payload[:300]!r}")
        return elapsed


def sign_ins(port: int, concurrency: int, keep_going) -> list[float]:
    latencies, lock = [], threading.Lock()

    def client(n: int):
        session, mine = Session(port), []
        while keep_going():
            mine.append(session.sign_in(f"bench-signer{n % SIGNERS}"))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies)


def figures(latencies: list[float]) -> dict:
    return {
        "n": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    }


class Exporter:
    """Queues indicator exports through the API as a coordinator and follows them to the end."""

    def __init__(self, port: int):
        self.session = Session(port)
        self.session.sign_in("bench-exporter")
        self.durations: list[float] = []

    def queue(self) -> int:
        status, body = self.session.request(
            "POST", "/api/v1/exports/indicators", headers={"X-CSRFToken": self.session.cookies["csrftoken"]}
        )
        assert status == 202, (status, body[:300])
        return json.loads(body)["id"]

    def state(self, job_id: int) -> dict:
        status, body = self.session.request("GET", f"/api/v1/jobs/{job_id}")
        assert status == 200, status
        return json.loads(body)


def turn_during_export(port, exporter: Exporter, seconds: float, concurrency: int, expected: int) -> dict:
    """Sign-ins while exports run back to back; the turn ends with the first export that finishes
    after `seconds`."""
    running = {"id": exporter.queue(), "started": time.monotonic()}
    turn_started = time.monotonic()
    finished = threading.Event()

    def follow():
        while True:
            job = exporter.state(running["id"])
            if job["state"] == "failed":
                raise SystemExit(f"export failed: {job['message_en']}")
            if job["state"] == "done":
                assert job["result"]["values"] == expected, job["result"]
                exporter.durations.append(time.monotonic() - running["started"])
                if time.monotonic() - turn_started >= seconds:
                    finished.set()
                    return
                running.update(id=exporter.queue(), started=time.monotonic())
            time.sleep(0.25)

    follower = threading.Thread(target=follow)
    follower.start()
    latencies = sign_ins(port, concurrency, lambda: not finished.is_set())
    follower.join()
    return figures(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    database_url = recreate_database()
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.site.settings"
    data_dir = tempfile.mkdtemp(prefix="zq-bench-jobs-")
    os.environ["ZHUQI_DATA_DIR"] = data_dir
    import django

    django.setup()
    started = time.monotonic()
    values = build_world()
    print(f"built {values:,} indicator values in {time.monotonic() - started:.0f} s")

    env = {**os.environ, "ZHUQI_SMS_GATEWAY": "console", "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "zhuqi.cli", "worker", "--idle", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    server = Gunicorn(database_url)
    try:
        exporter = Exporter(server.port)
        warm_until = time.monotonic() + 3
        sign_ins(server.port, args.concurrency, lambda: time.monotonic() < warm_until)  # warm up
        rows = []
        for round_no in range(1, args.rounds + 1):
            stop_at = time.monotonic() + args.seconds
            alone = figures(
                sign_ins(server.port, args.concurrency, lambda stop_at=stop_at: time.monotonic() < stop_at)
            )
            during = turn_during_export(server.port, exporter, args.seconds, args.concurrency, values)
            rows.append((round_no, alone, during))
            print(
                f"round {round_no}: alone n={alone['n']} p50={alone['p50_ms']:.0f} ms p99={alone['p99_ms']:.0f} ms | "
                f"during export n={during['n']} p50={during['p50_ms']:.0f} ms p99={during['p99_ms']:.0f} ms | "
                f"p99 ratio {during['p99_ms'] / alone['p99_ms']:.2f}",
                flush=True,
            )
        print(
            f"exports of {values:,} values: {len(exporter.durations)} ran, "
            f"{min(exporter.durations):.1f}–{max(exporter.durations):.1f} s each (queued to done, as the API reports)"
        )
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
