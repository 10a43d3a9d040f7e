"""zhuqi report quarterly|monthly|half-yearly --period 2026Q3 [--out DIR] [--as USER]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts.models import User
from zhuqi.briefings import services
from zhuqi.briefings.models import Briefing
from zhuqi.core import permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability

KINDS = {
    "quarterly": "quarterly",
    "monthly": "monthly",
    "half-yearly": "half_yearly",
    "half_yearly": "half_yearly",
}


class Command(BaseCommand):
    help = "Generates a briefing (通报) as .docx and .pdf, stores it and writes both files to --out."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--period", required=True, help="2026Q3 (quarterly), 2026M10 (monthly), 2026H1")
        parser.add_argument("--out", default=".", help="folder to write the two files into (default: here)")
        parser.add_argument(
            "--as", dest="username", help="the user it is made as (default: the first coordinator)"
        )

    def handle(self, *args, kind, period, out, username, **options):
        kind = KINDS[kind]
        user = self._user(username)
        try:
            p = services.check_request(kind, period)
            briefing = Briefing.objects.create(
                kind=kind,
                period=p.code,
                title=services.TITLES[kind].format(label=p.label),
                number=services._number(kind, p.end.year),
                created_by=user,
            )
            stated = services.generate(briefing, user=user)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        source = services.folder(briefing)
        for fmt in ("docx", "pdf"):
            target = folder / f"{kind}-{p.code}.{fmt}"
            target.write_bytes((source / f"briefing.{fmt}").read_bytes())
            self.stdout.write(f"wrote {target}")
        self.stdout.write(
            f"{briefing.number} {briefing.title}: {stated['appeals']} appeals, "
            f"resolution {stated['resolution_rate']} (target {stated['target']})"
        )

    def _user(self, username):
        roles = permissions.roles_with(Capability.MAKE_BRIEFINGS)
        users = User.objects.filter(role__in=roles, is_active=True).order_by("id")
        found = users.filter(username=username).first() if username else users.first()
        if found is None:
            raise CommandError(
                "No user who may make briefings (coordinator or admin): create one, or name it with --as."
            )
        return found
