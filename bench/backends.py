"""Each database of a bench in a process of its own: SQLite in a fresh temporary data directory,
PostgreSQL in a database dropped and created on BENCH_PG (default postgres://postgres@127.0.0.1:5432).
The bench module is run again with `--child BACKEND` and the same arguments."""

import os
import subprocess
import sys
import tempfile

BACKENDS = ["sqlite", "postgres"]


def run_each(module: str, database: str, backends: list[str], arguments: list[str]) -> None:
    for backend in backends:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="zhuqi.settings", ZHUQI_CONN_MAX_AGE="0")
        env.pop("DATABASE_URL", None)
        with tempfile.TemporaryDirectory() as data_dir:
            env["ZHUQI_DATA_DIR"] = data_dir
            if backend == "postgres":
                server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
                for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
                    subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
                env["DATABASE_URL"] = f"{server}/{database}"
            command = [sys.executable, "-m", module, "--child", backend, *arguments]
            subprocess.run(command, env=env, check=True)
