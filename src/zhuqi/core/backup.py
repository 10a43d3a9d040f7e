"""Backup and restore of the whole platform: the database and the attached files.

`zhuqi backup FILE` writes one .tar.gz holding `manifest.json` (engine, time, rows per table), the
database and `media/` (the attachments under `$ZHUQI_DATA_DIR/media`). `zhuqi restore FILE` puts
it back into an EMPTY database of the same engine (it refuses a database with tables) and then
counts the rows of every table against the manifest (exit 1 on any difference).

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while
  the site keeps running; restore copies it into the new file the same way.
- PostgreSQL: `pg_dump --format=custom` and `pg_restore`. A dump of the server's own tool keeps
  every type, constraint, index and sequence exactly, and the counts in the manifest are taken in
  the very snapshot pg_dump dumps (`pg_export_snapshot()` + `pg_dump --snapshot`), so they are the
  dump's and not "roughly at that time". A Django-level dump (dumpdata) would be slower by an order
  of magnitude, lose sequences and anything outside the models, and need the whole dataset in
  memory; so pg_dump is required (the postgresql-client package, at least the server's version).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, ZhuqiError

FORMAT = 1


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_counts(cursor=None) -> dict[str, int]:
    """Rows of every table of the database (Django's and any other: axes, sessions, migrations)."""
    cursor = cursor or connection.cursor()
    names = sorted(connection.introspection.table_names(cursor))
    counts = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")  # noqa: S608 — names from the catalogue
        counts[name] = cursor.fetchone()[0]
    return counts


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ZhuqiError(
            "pg_tools_missing",
            Message(
                _("%(tool)s is not installed: install the PostgreSQL client tools (postgresql-client)."),
                {"tool": name},
            ),
        )
    return path


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise ZhuqiError(
            "backup_tool_failed",
            Message(
                _("%(tool)s failed: %(error)s"), {"tool": Path(argv[0]).name, "error": result.stderr.strip()}
            ),
        )


def _dump_database(target: Path) -> dict[str, int]:
    """Writes the database to `target`; returns the rows per table of exactly what was written."""
    if engine() == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        copy = sqlite3.connect(target)
        try:
            names = [
                r[0]
                for r in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {n: copy.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}  # noqa: S608
        finally:
            copy.close()
    if engine() != "postgresql":
        raise ZhuqiError("engine_unsupported", _("Backups are made of SQLite and PostgreSQL databases."))
    pg_dump = _tool("pg_dump")
    # One REPEATABLE READ snapshot for the counts and the dump: pg_dump dumps what we counted.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                ]
            )
        finally:
            cursor.execute("ROLLBACK")
    return counts


@dataclass
class BackupResult:
    path: Path
    engine: str
    counts: dict[str, int]
    files: int


def backup(path: Path) -> BackupResult:
    path = Path(path)
    if path.exists():
        raise ZhuqiError(
            "backup_exists", Message(_("%(path)s exists; choose a new file."), {"path": str(path)})
        )
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / ("db.sqlite3" if engine() == "sqlite" else "db.pgdump")
        counts = _dump_database(db_file)
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "engine": engine(),
            "created_at": timezone.now().isoformat(),
            "tables": counts,
            "files": len(files),
        }
        (Path(tmp) / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(tmp) / "manifest.json", arcname="manifest.json")
            archive.add(db_file, arcname=db_file.name)
            for f in files:
                archive.add(f, arcname=f"media/{f.relative_to(media).as_posix()}")
        partial.rename(path)  # a backup file that exists is complete
    return BackupResult(path, manifest["engine"], counts, len(files))


@dataclass
class RestoreResult:
    counts: dict[str, int]
    expected: dict[str, int]
    files: int
    differences: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.differences


def _require_empty_database() -> None:
    if engine() == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        if target.exists() and target.stat().st_size:
            check = sqlite3.connect(target)
            try:
                tables = check.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            finally:
                check.close()
            if tables:
                raise _not_empty()
        return
    with connection.cursor() as cursor:
        if connection.introspection.table_names(cursor):
            raise _not_empty()


def _not_empty() -> ZhuqiError:
    return ZhuqiError(
        "database_not_empty",
        _("Restore only into an empty database: this one already has tables. Create a new database."),
    )


def _restore_database(db_file: Path) -> None:
    if engine() == "sqlite":
        connection.close()
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        source, dest = sqlite3.connect(db_file), sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        return
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            settings.DATABASES["default"]["NAME"],
            str(db_file),
        ]
    )


def restore(path: Path) -> RestoreResult:
    path = Path(path)
    if not path.is_file():
        raise ZhuqiError("backup_missing", Message(_("No backup file %(path)s."), {"path": str(path)}))
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r:gz") as archive:
        archive.extractall(tmp, filter="data")  # no absolute paths, no "..", no links out
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine():
            raise ZhuqiError(
                "backup_engine_mismatch",
                Message(
                    _("This backup is of a %(theirs)s database; restore it into %(theirs)s, not %(ours)s."),
                    {"theirs": manifest.get("engine"), "ours": engine()},
                ),
            )
        _require_empty_database()
        media_src = Path(tmp) / "media"
        media = Path(settings.MEDIA_ROOT)
        clashes = (
            [p for p in media_src.rglob("*") if p.is_file() and (media / p.relative_to(media_src)).exists()]
            if media_src.is_dir()
            else []
        )
        if clashes:
            raise ZhuqiError(
                "media_not_empty",
                Message(
                    _("%(path)s already holds files of the backup; restore into an empty data directory."),
                    {"path": str(media)},
                ),
            )
        db_file = Path(tmp) / ("db.sqlite3" if engine() == "sqlite" else "db.pgdump")
        _restore_database(db_file)
        files = 0
        if media_src.is_dir():
            for src in media_src.rglob("*"):
                if src.is_file():
                    dest = media / src.relative_to(media_src)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest)
                    files += 1
    counts = table_counts()
    expected = manifest["tables"]
    differences = {
        name: (expected.get(name), counts.get(name))
        for name in sorted(set(expected) | set(counts))
        if expected.get(name) != counts.get(name)
    }
    return RestoreResult(counts, expected, files, differences)
