"""`zhuqi monitoring …`: targets, warnings and the sweep from the shell.

zhuqi monitoring targets [--year Y] [--town CODE|all]              the targets and where each stands
zhuqi monitoring targets set MEASURE ANNUAL [--year Y] [--town CODE] [--method seasonal|even]
zhuqi monitoring warnings [--kind K] [--level L] [--state S] [--town CODE] [--limit N]
zhuqi monitoring sweep [--date YYYY-MM-DD] [--kind K …]            raise, update and resolve warnings now
zhuqi monitoring refresh [--year Y]                                  rebuild the monthly actuals (Y-3 … Y)
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.chains.models import Chain
from zhuqi.core.errors import ZhuqiError
from zhuqi.monitoring import actuals, dashboards, measures, rules, selectors, status, targets, warnings
from zhuqi.monitoring.models import OPEN_WARNING_STATES, Method, Warning


class Command(BaseCommand):
    help = "Targets, warnings and the warnings sweep of the monitoring centre."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["targets", "warnings", "sweep", "refresh"])
        parser.add_argument("args", nargs="*", help="targets set MEASURE ANNUAL")
        parser.add_argument("--year", type=int)
        parser.add_argument("--town", default="")
        parser.add_argument("--chain", default="", help="targets set: an industry chain's code")
        parser.add_argument("--programme", default="", help="targets set: a programme's code")
        parser.add_argument("--method", default=Method.SEASONAL, choices=[Method.SEASONAL, Method.EVEN])
        parser.add_argument("--kind", action="append", default=[])
        parser.add_argument("--level", default="")
        parser.add_argument("--state", default="")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--date", type=date.fromisoformat)

    def handle(
        self,
        *names,
        action,
        year=None,
        town="",
        chain="",
        programme="",
        method=Method.SEASONAL,
        kind=(),
        level="",
        state="",
        limit=50,
        date=None,
        **options,
    ):
        year = year or dashboards.year_of()
        try:
            if action == "targets":
                if names and names[0] == "set":
                    self._set(names[1:], year, town, method, chain, programme)
                else:
                    self._targets(year, town)
            elif action == "warnings":
                self._warnings(kind, level, state, town, limit)
            elif action == "sweep":
                counts = warnings.sweep(date or timezone.localdate(), kinds=kind or None)
                for name, c in sorted(counts.items()):
                    self.stdout.write(f"{name}: " + ", ".join(f"{k} {v}" for k, v in c.items()))
            else:
                cells = actuals.refresh(range(year - 3, year + 1))
                self.stdout.write(f"{year - 3}–{year}: {cells} cells of monthly actuals rebuilt")
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def _scope(self, code):
        if not code:
            return None
        found = selectors.town_by_code(code)
        if found is None:
            raise CommandError(f"unknown town: {code}")
        return found

    def _chain(self, code):
        if not code:
            return None
        found = Chain.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"unknown industry chain: {code}")
        return found

    def _programme(self, code):
        if not code:
            return None
        found = selectors.programme_by_code(code)
        if found is None:
            raise CommandError(f"unknown programme: {code}")
        return found

    def _targets(self, year, code):
        scope = "all" if code == "all" else self._scope(code)
        found = selectors.targets(year=year, town=scope)
        thresholds = rules.target_thresholds()
        for t in found:
            p = status.progress(t, thresholds=thresholds)
            where = t.town.name if t.town else "全市"
            to_date = (
                f"{p.actual_to_date} / {p.target_to_date} to month {p.through}"
                if p.through
                else (
                    p.actual_to_date
                    if p.actual_to_date is not None
                    else "not measurable"
                    if not p.measurable
                    else "—"
                )
            )
            self.stdout.write(f"{t.pk}\t{year}\t{where}\t{t.measure}\t{t.annual}\t{to_date}\t{p.colour}")

    def _set(self, args, year, code, method, chain_code="", programme_code=""):
        if len(args) != 2 or args[0] not in measures.MEASURES:
            raise CommandError(
                "targets set MEASURE ANNUAL (MEASURE one of: " + ", ".join(measures.MEASURES) + ")"
            )
        try:
            annual = Decimal(args[1])
        except InvalidOperation as exc:
            raise CommandError(f"not a number: {args[1]}") from exc
        target = targets.target_set(
            acting_user=None,
            measure=args[0],
            year=year,
            town=self._scope(code),
            chain=self._chain(chain_code),
            programme=self._programme(programme_code),
            annual=annual,
            method=method,
            check_permission=False,
        )
        months = ", ".join(str(m.amount) for m in target.months.all())
        self.stdout.write(
            f"target {target.pk} version {target.version}: {target.annual} = {months or '(annual only)'}"
        )

    def _warnings(self, kinds, level, state, code, limit):
        qs = Warning.objects.select_related("town").order_by("-raised_at", "-id")
        if kinds:
            qs = qs.filter(kind__in=kinds)
        if level:
            qs = qs.filter(level=level)
        if state in ("", "open"):
            qs = qs.filter(state__in=OPEN_WARNING_STATES)
        elif state != "all":
            qs = qs.filter(state=state)
        if code:
            qs = qs.filter(town__code=code)
        self.stdout.write(f"{qs.count()} warnings")
        for w in qs[: max(1, min(limit, 10_000))]:
            self.stdout.write(f"{w.pk}\t{w.kind}\t{w.level}\t{w.state}\t{w.period}\t{w.text}")
