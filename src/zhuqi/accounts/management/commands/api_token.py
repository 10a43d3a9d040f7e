from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.accounts import services
from zhuqi.accounts.models import ApiToken, User
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.scopes import SCOPES


class Command(BaseCommand):
    help = (
        "API tokens of system clients: zhuqi token create --user U --name N --scopes S[,S…] [--days N] | "
        "list | rotate PREFIX [--days N] | revoke PREFIX | scopes."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="prints the raw token once; only its hash is stored")
        create.add_argument("--user", required=True, help="a system client (role system)")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated; see `zhuqi token scopes`")
        create.add_argument("--days", type=int, default=None, help="lifetime (default ZHUQI_TOKEN_DAYS)")
        sub.add_parser("list")
        rotate = sub.add_parser("rotate", help="issues a successor; the old token lives a grace period")
        rotate.add_argument("prefix")
        rotate.add_argument("--days", type=int, default=None)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")
        sub.add_parser("scopes", help="lists the scopes a token can hold")

    def handle(self, *args, action, **o):
        try:
            getattr(self, f"do_{action}")(**o)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def _show(self, token: ApiToken, raw: str) -> None:
        self.stdout.write(
            f"Token {token.prefix} for {token.user.username} ({token.name}), scopes "
            f"{' '.join(token.scopes)}, expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}; "
            "store it now, it is not shown again:"
        )
        self.stdout.write(raw)

    def do_create(self, *, user, name, scopes, days, **_):
        owner = User.objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user {user}.")
        self._show(*services.api_token_create(user=owner, name=name, scopes=scopes.split(","), days=days))

    def do_rotate(self, *, prefix, days, **_):
        new, raw = services.api_token_rotate(prefix=prefix, days=days)
        old = ApiToken.objects.get(prefix=prefix, rotated_at__isnull=False, revoked_at__isnull=True)
        self._show(new, raw)
        self.stdout.write(
            f"The old token {prefix} works until {timezone.localtime(old.expires_at):%Y-%m-%d %H:%M}."
        )

    def do_revoke(self, *, prefix, **_):
        services.api_token_revoke(prefix=prefix)
        self.stdout.write(self.style.SUCCESS(f"Revoked {prefix}."))

    def do_list(self, **_):
        now = timezone.now()
        for t in ApiToken.objects.select_related("user").order_by("created_at"):
            if t.revoked_at:
                state = f"revoked {timezone.localtime(t.revoked_at):%Y-%m-%d}"
            elif t.expires_at <= now:
                state = f"expired {timezone.localtime(t.expires_at):%Y-%m-%d}"
            else:
                state = f"{'rotated, ' if t.rotated_at else ''}expires {timezone.localtime(t.expires_at):%Y-%m-%d %H:%M}"
            used = (
                f"last used {timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M} from {t.last_used_from or '?'}, "
                f"{t.use_count} uses"
                if t.last_used_at
                else "never used"
            )
            self.stdout.write(
                f"{t.prefix}  {t.user.username:<12} {t.name:<20} {','.join(t.scopes):<40} {state}; {used}"
            )

    def do_scopes(self, **_):
        for scope, info in SCOPES.items():
            self.stdout.write(f"{scope.value:<24} {info.allows}")
