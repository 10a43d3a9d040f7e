"""`zhuqi cultivation …`: the pools, the 小升规 lists and the key lists, from the shell, acting as a
user of the coordinating office (`--as USER`, default: the first active coordinator).

zhuqi cultivation test                                run the pack's scenario tests (both evaluators)
zhuqi cultivation target POOL N [--town CODE]         set a pool's target (小升规: by town)
zhuqi cultivation propose POOL [--year Y]             propose a pool's candidates (seed, gazelle, pre_ipo, upscale)
zhuqi cultivation lists [--year Y]                    refresh 准规上 / 拟入库 / 易退库
zhuqi cultivation keylist KIND [--year Y] [--publish] propose a key list (scale, growth, strength, projects)
zhuqi cultivation export KIND FILE.xlsx [--year Y]    write a pool, list or key list (gaps:POOL for the gaps)
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.core import permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.cultivation import exports, facts, keylists, services
from zhuqi.cultivation.models import ListKind
from zhuqi.directory.models import Town
from zhuqi.rules.engine import run_scenarios


class Command(BaseCommand):
    help = "Cultivation pools, the 小升规 lists and the key lists."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["test", "target", "propose", "lists", "keylist", "export"])
        parser.add_argument("names", nargs="*")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--town", default="")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--as", dest="username", default="")

    def _user(self, username: str) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
        else:
            user = next(
                (
                    u
                    for u in User.objects.filter(is_active=True).order_by("id")
                    if permissions.has(u, Capability.MANAGE_CULTIVATION)
                ),
                None,
            )
        if user is None:
            raise CommandError("no such user (--as USER: a user of the coordinating office)")
        return user

    def handle(self, *args, action, names, year, town, publish, username, **options):
        year = year or timezone.localdate().year
        try:
            if action == "test":
                results = run_scenarios(facts.pack())
                failed = [r for r in results if not r.passed]
                for r in failed:
                    self.stdout.write(self.style.ERROR(f"FAIL {r.scenario.name}: {r.message}"))
                self.stdout.write(
                    f"{facts.PACK_FILE.name}: {len(results) - len(failed)}/{len(results)} scenario tests passed"
                )
                if failed:
                    raise CommandError(f"{len(failed)} scenario tests failed")
                return
            user = self._user(username)
            if action == "target":
                kind, number = (names + ["", ""])[:2]
                found = Town.objects.filter(code=town).first() if town else None
                row = services.target_set(
                    kind=kind, year=year, town=found, target=int(number or 0), acting_user=user
                )
                self.stdout.write(f"{row.kind} {row.year} {town or '-'}: {row.target}")
            elif action == "propose":
                for kind in names or ["seed", "gazelle", "pre_ipo", "upscale"]:
                    counts = services.pool_propose(kind=kind, year=year, acting_user=user)
                    self.stdout.write(
                        f"{kind} {year}: {counts['candidates']} candidates, {counts['added']} new, {counts['withdrawn']} withdrawn"
                    )
            elif action == "lists":
                counts = services.upscale_refresh(year=year, acting_user=user)
                for kind, c in counts.items():
                    if kind != "year":
                        self.stdout.write(
                            f"{kind} {year}: {c['on_list']} on the list, {c['entered']} entered, {c['left']} left"
                        )
            elif action == "keylist":
                for kind in names or ListKind.values:
                    if kind not in ListKind.values:
                        raise CommandError(f"unknown list: {kind}")
                    key_list = keylists.list_for(kind, year)
                    counts = keylists.list_propose(key_list=key_list, acting_user=user)
                    self.stdout.write(
                        f"{kind} {year}: {counts['placed']} listed, {counts['late']} out for late figures"
                        + (f", {counts['behind']} out behind plan" if "behind" in counts else "")
                    )
                    if publish:
                        keylists.list_publish(key_list=key_list, acting_user=user)
            else:
                kind, target = (names + ["", ""])[:2]
                if not target:
                    raise CommandError("export KIND FILE.xlsx")
                if kind.startswith("gaps:"):
                    content = exports.gaps(user, kind=kind[5:], year=year)
                elif kind in ListKind.values:
                    content = exports.key_list(user, kind=kind, year=year)
                else:
                    content = exports.members(user, kind=kind, year=year)
                Path(target).write_bytes(content)
                self.stdout.write(f"{target}: written")
        except (OSError, ValueError, ZhuqiError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
