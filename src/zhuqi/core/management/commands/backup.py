from django.core.management.base import BaseCommand, CommandError

from zhuqi.core import backup
from zhuqi.core.errors import ZhuqiError


class Command(BaseCommand):
    help = (
        "Writes the database (SQLite: online backup API; PostgreSQL: pg_dump) and the attached files "
        "into one .tar.gz with a manifest of rows per table."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. zhuqi-2026-11-25.tar.gz")

    def handle(self, *args, file, **options):
        try:
            result = backup.backup(file)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {result.engine} database ({len(result.counts)} tables, {rows} rows) and "
                f"{result.files} files to {result.path}."
            )
        )
