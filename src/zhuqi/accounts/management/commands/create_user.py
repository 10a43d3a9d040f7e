import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts import services
from zhuqi.accounts.models import Role
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory.models import Department, Enterprise, Town


class Command(BaseCommand):
    help = "Creates a user with a role and its membership (enterprise, department or town)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument("--enterprise", help="统一社会信用代码 of the enterprise (enterprise users)")
        parser.add_argument("--department", help="department code (handlers)")
        parser.add_argument("--town", help="town code (town officers)")
        parser.add_argument("--password", help="else $ZHUQI_PASSWORD, else asked for")

    def handle(self, *args, **o):
        def lookup(model, field, value):
            if not value:
                return None
            found = model.objects.filter(
                **{field: value.strip().upper() if field == "uscc" else value}
            ).first()
            if found is None:
                raise CommandError(f"No {model._meta.verbose_name} {value}.")
            return found

        password = o["password"] or os.environ.get("ZHUQI_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = services.user_create(
                username=o["username"],
                password=password,
                role=o["role"],
                display_name=o["name"],
                enterprise=lookup(Enterprise, "uscc", o["enterprise"]),
                department=lookup(Department, "code", o["department"]),
                town=lookup(Town, "code", o["town"]),
            )
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})."))
