"""Issue 15, finding 10: `zhuqi backup` → `zhuqi restore` into an empty database gives the same rows
in every table, and the attached files; on SQLite and on PostgreSQL (whichever the suite runs on)."""

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhuqi.accounts import services as account_services
from zhuqi.core import audit, backup
from zhuqi.core.scopes import HOTLINE

pytestmark = pytest.mark.django_db(transaction=True)
ZHUQI = str(Path(sys.executable).with_name("zhuqi"))


@pytest.fixture
def empty_target(tmp_path):
    """The environment of a `zhuqi` process whose database is new and empty."""
    env = dict(os.environ, ZHUQI_DATA_DIR=str(tmp_path / "restored"))
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        yield env, None
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_restore"
    admin = {"host": params["HOST"] or "127.0.0.1", "port": params["PORT"] or 5432, "user": params["USER"]}
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{admin['user']}:{params['PASSWORD']}@" if params.get("PASSWORD") else f"{admin['user']}@"
    env["DATABASE_URL"] = f"postgres://{auth}{admin['host']}:{admin['port']}/{name}"
    yield env, (name, admin)
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_counts(env, pg) -> dict[str, int]:
    """Counted straight from the restored database, not through the code under test."""
    if pg is None:
        db = sqlite3.connect(Path(env["ZHUQI_DATA_DIR"]) / "zhuqi.sqlite3")
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    import psycopg

    name, admin = pg
    with psycopg.connect(dbname=name, **admin) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def test_backup_then_restore_into_an_empty_database_gives_equal_counts(
    world, tmp_path, settings, empty_target
):
    env, pg = empty_target
    settings.MEDIA_ROOT = tmp_path / "media"
    attached = settings.MEDIA_ROOT / "attachments" / "2026" / "11" / "报告.pdf"
    attached.parent.mkdir(parents=True)
    attached.write_bytes(b"%PDF-1.7 test")
    account_services.api_token_create(user=world.users["system"], name="12345", scopes=HOTLINE)
    audit.record(actor=world.users["coordinator"], verb="test_event", obj=world.a, data={"x": 1})
    archive = tmp_path / "zhuqi.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "1 files" in out.getvalue()
    source = backup.table_counts()
    assert (
        source["accounts_user"] == 10
        and source["directory_enterprise"] == 2
        and source["core_auditevent"] >= 2
    )

    restored = subprocess.run([ZHUQI, "restore", str(archive)], env=env, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    assert "equal to the backup" in restored.stdout
    assert restored_counts(env, pg) == source
    assert (
        Path(env["ZHUQI_DATA_DIR"]) / "media/attachments/2026/11/报告.pdf"
    ).read_bytes() == b"%PDF-1.7 test"

    again = subprocess.run([ZHUQI, "restore", str(archive)], env=env, capture_output=True, text=True)
    assert again.returncode == 1 and "空数据库" in again.stderr  # restore only into an empty database
    assert restored_counts(env, pg) == source  # the refused restore changed nothing


def test_backup_never_overwrites_a_file(world, tmp_path):
    archive = tmp_path / "zhuqi.tar.gz"
    archive.write_bytes(b"precious")
    with pytest.raises(CommandError, match=str(archive)):
        call_command("backup", str(archive))
    assert archive.read_bytes() == b"precious"
