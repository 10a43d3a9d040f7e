"""Each database of a bench in a process of its own: SQLite in a fresh temporary data directory,
PostgreSQL in a database dropped and created on BENCH_PG (default postgres://postgres@127.0.0.1:5432).
The bench module is run again with `--child BACKEND` and the same arguments."""

import os
import subprocess
import sys
import tempfile

BACKENDS = ["sqlite", "postgres"]


def postgres_database(database: str, *, fresh: bool = True) -> str:
    """The DATABASE_URL of `database` on BENCH_PG: dropped and created when `fresh`, else created only
    when missing (a bench that keeps a large world between runs)."""
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    if fresh:
        subprocess.run(
            ["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
            check=True,
        )
    found = subprocess.run(
        ["psql", f"{server}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not found:
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    return f"{server}/{database}"


def django_site(url: str) -> None:
    """Django set up on `url` with the benches' settings (bench/site), answering any host, for a bench
    that drives the platform in its own process."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.site.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def run_each(module: str, database: str, backends: list[str], arguments: list[str]) -> None:
    for backend in backends:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhuqi.settings", ZHUQI_CONN_MAX_AGE="0")
        env.pop("DATABASE_URL", None)
        with tempfile.TemporaryDirectory() as data_dir:
            env["ZHUQI_DATA_DIR"] = data_dir
            if backend == "postgres":
                env["DATABASE_URL"] = postgres_database(database)
            command = [sys.executable, "-m", module, "--child", backend, *arguments]
            subprocess.run(command, env=env, check=True)
