from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts import services
from zhuqi.accounts.models import ApiToken, User
from zhuqi.core.errors import ZhuqiError


class Command(BaseCommand):
    help = "Creates, lists and revokes API tokens of system clients (zhuqi token create|list|revoke)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="prints the raw token once; only its hash is stored")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True)
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **o):
        try:
            if action == "create":
                user = User.objects.filter(username=o["user"]).first()
                if user is None:
                    raise CommandError(f"No user {o['user']}.")
                token, raw = services.api_token_create(user=user, name=o["name"])
                self.stdout.write(
                    f"Token for {user.username} ({token.name}); store it now, it is not shown again:"
                )
                self.stdout.write(raw)
            elif action == "list":
                for t in ApiToken.objects.select_related("user").order_by("created_at"):
                    state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                    self.stdout.write(f"{t.prefix}  {t.user.username:<12} {t.name:<24} {state}")
            else:
                services.api_token_revoke(prefix=o["prefix"])
                self.stdout.write(self.style.SUCCESS(f"Revoked {o['prefix']}."))
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
