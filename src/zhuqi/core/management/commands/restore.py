from django.core.management.base import BaseCommand, CommandError

from zhuqi.core import backup
from zhuqi.core.errors import ZhuqiError


class Command(BaseCommand):
    help = (
        "Restores a `zhuqi backup` archive into an EMPTY database of the same engine and an empty data "
        "directory, then compares the rows of every table with the manifest (exit 1 on a difference)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            result = backup.restore(file)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        if not result.ok:
            lines = [
                f"  {name}: backup {want}, restored {got}" for name, (want, got) in result.differences.items()
            ]
            raise CommandError("Restored, but the row counts differ:\n" + "\n".join(lines), returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(result.counts)} tables ({sum(result.counts.values())} rows, equal to the backup's "
                f"counts table by table) and {result.files} files."
            )
        )
