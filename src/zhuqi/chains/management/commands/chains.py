"""`zhuqi chains …`: industry chains, matchmaking events and their quotas from the shell.

zhuqi chains list                                       chains with 链长, 链主, 专班 and members
zhuqi chains show CODE                                  a chain's members with revenue, growth, tax, open appeals
zhuqi chains quotas install --year Y --industry-department CODE --as USER
                                                        seed 002's yearly quotas (二(一)4, 二(五)23)
zhuqi chains progress [--year Y]                        each organiser against its quota today
zhuqi chains export FILE.xlsx [--year Y]                the year's events as .xlsx
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.chains import quotas, selectors, services
from zhuqi.chains.jobs import export_events
from zhuqi.chains.models import Chain, Event
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory.models import Department


class Command(BaseCommand):
    help = "Industry chains, matchmaking events and their yearly quotas."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "show", "quotas", "progress", "export"])
        parser.add_argument("names", nargs="*", help="a chain code (show), install (quotas), a file (export)")
        parser.add_argument("--year", type=int)
        parser.add_argument("--industry-department", default="miit", help="code of the industry department")
        parser.add_argument("--as", dest="username", help="the user acting (quotas install)")

    def handle(self, *args, action, names, year=None, industry_department="miit", username=None, **options):
        today = timezone.localdate()
        year = year or today.year
        try:
            getattr(self, f"_{action}")(names, year, today, industry_department, username)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def _list(self, names, year, today, *rest):
        for c in Chain.objects.select_related("leader", "lead_enterprise", "lead_department").annotate(
            n=Count("members")
        ):
            leader = c.leader or "-"
            lead = c.lead_enterprise.name if c.lead_enterprise else "-"
            self.stdout.write(f"{c.code}\t{c.name}\t{leader}\t{lead}\t{c.lead_department or '-'}\t{c.n}")

    def _show(self, names, year, today, *rest):
        chain = Chain.objects.filter(code=(names or [""])[0]).first()
        if chain is None:
            raise CommandError("usage: zhuqi chains show CODE (an existing chain)")
        figures = selectors.member_figures(chain)
        self.stdout.write(f"{chain.name}: {len(figures['rows'])} members, figures of {figures['year']}")
        for r in figures["rows"]:
            m = r["member"]
            growth = "-" if r["revenue_growth"] is None else f"{r['revenue_growth']:.1%}"
            self.stdout.write(
                f"{m.get_position_display()}\t{m.enterprise.name}\t{r['revenue'] or 0:.0f}\t{growth}\t"
                f"{r['tax'] or 0:.0f}\t{r['open_appeals']}"
            )

    def _quotas(self, names, year, today, industry_department, username):
        if names != ["install"]:
            raise CommandError(
                "usage: zhuqi chains quotas install --year Y --industry-department CODE --as USER"
            )
        user = User.objects.filter(username=username or "").first()
        department = Department.objects.filter(code=industry_department).first()
        if user is None or department is None:
            raise CommandError("--as names a user and --industry-department a department code")
        for quota in services.quotas_install(acting_user=user, year=year, industry_department=department):
            self.stdout.write(f"{quota.year}\t{quota.kind}\t{quota.scope}\t≥ {quota.minimum}\t{quota.source}")

    def _progress(self, names, year, today, *rest):
        for r in quotas.progress(year, today):
            organiser = r.organiser or "全域"
            self.stdout.write(
                f"{r.quota.get_kind_display()}\t{organiser}\t{r.done}/{r.quota.minimum}\t"
                f"pace {r.expected}\t{r.status}"
            )

    def _export(self, names, year, today, *rest):
        if not names:
            raise CommandError("usage: zhuqi chains export FILE.xlsx [--year Y]")
        events = Event.objects.filter(held_on__year=year).select_related(
            "organiser_department", "organiser_town", "chain"
        )
        events = events.annotate(enterprise_count=Count("enterprises")).order_by("-held_on", "-id")
        Path(names[0]).write_bytes(export_events(events))
        self.stdout.write(f"{events.count()} events written to {names[0]}")
