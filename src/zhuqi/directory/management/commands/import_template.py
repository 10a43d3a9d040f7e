from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts.models import Role, User
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch


class Command(BaseCommand):
    help = "Writes the .xlsx template of an import kind: its columns and one example row (zhuqi import-template)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportBatch.Kind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="username",
            help="the user who will import it (its scope picks the example); default: first admin",
        )

    def handle(self, *args, kind, file, username, **o):
        user = (
            User.objects.filter(username=username).first()
            if username
            else User.objects.filter(role=Role.ADMIN).order_by("id").first()
        )
        if user is None:
            raise CommandError("No acting user: pass --as USERNAME.")
        try:
            file.write_bytes(importers.template(kind=kind, acting_user=user))
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Wrote {file}.")
