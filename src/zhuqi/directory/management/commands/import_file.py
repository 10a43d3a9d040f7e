from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts.models import Role, User
from zhuqi.core import tabular
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Checks an .xlsx/.csv file and prints its row report; imports it when it has no error (zhuqi import)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportBatch.Kind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows, skip the bad ones"
        )
        parser.add_argument("--check", action="store_true", help="only print the row report")
        parser.add_argument(
            "--as", dest="username", help="acting user (a coordinator or admin); default: first admin"
        )

    def handle(self, *args, kind, file, valid_only, check, username, **o):
        user = (
            User.objects.filter(username=username).first()
            if username
            else User.objects.filter(role=Role.ADMIN).order_by("id").first()
        )
        if user is None:
            raise CommandError("No acting user: pass --as USERNAME (a coordinator or admin).")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            tabular.check_size(file.stat().st_size)
            batch = importers.import_check(
                kind=kind, filename=file.name, content=file.read_bytes(), acting_user=user
            )
            self.stdout.write(
                f"{batch.total_rows} rows, {batch.valid_rows} valid, {len(batch.errors)} errors."
            )
            for e in batch.errors:
                self.stdout.write(f"  row {e['row']}, {e['column']}: {e['message']} / {e['message_en']}")
            if check or (batch.errors and not valid_only):
                if batch.errors and not check:
                    self.stdout.write("Nothing imported: fix the file, or pass --valid-only.")
                importers.import_discard(batch=batch, acting_user=user)
                if batch.errors and not check:
                    raise CommandError("The file has errors.")
                return
            batch = importers.import_apply(batch=batch, acting_user=user, valid_only=valid_only)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        r = batch.result
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {r['created']} created, {r['updated']} updated, {r['unchanged']} unchanged."
            )
        )
