"""`zhuqi projects …`: the key project register from the shell.

zhuqi projects list [--stage S] [--late] [--min-investment YUAN]   the register with each project's colour
zhuqi projects status                                               projects per stage and per colour
zhuqi projects export FILE.xlsx                                     the register as .xlsx
"""

from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhuqi.projects import selectors
from zhuqi.projects.jobs import export_projects
from zhuqi.projects.lifecycle import STAGES, STATE_LABELS, STOPPED
from zhuqi.projects.models import Project


class Command(BaseCommand):
    help = "Key projects: the register, its colours, its export."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "status", "export"])
        parser.add_argument("file", nargs="?", help="the .xlsx to write (export)")
        parser.add_argument("--stage", choices=[*STAGES, STOPPED])
        parser.add_argument("--late", action="store_true", help="only yellow and red projects")
        parser.add_argument("--min-investment", type=Decimal, help="yuan, e.g. 100000000 for 超亿元")

    def handle(self, *args, action, file=None, stage=None, late=False, min_investment=None, **options):
        today = timezone.localdate()
        projects = Project.objects.select_related("enterprise", "town", "department", "liaison_leader")
        if stage == STOPPED:
            projects = projects.filter(stopped_on__isnull=False)
        elif stage:
            projects = projects.filter(stage=stage, stopped_on__isnull=True)
        if min_investment is not None:
            projects = projects.filter(investment__gte=min_investment)
        projects = projects.order_by("-investment", "number")
        if action == "export":
            if not file:
                self.stderr.write("usage: zhuqi projects export FILE.xlsx")
                raise SystemExit(2)
            Path(file).write_bytes(export_projects(projects, today))
            self.stdout.write(f"{projects.count()} projects written to {file}")
            return
        rows = selectors.with_status(projects, today)
        if late:
            rows = [(p, st) for p, st in rows if st.level in ("yellow", "red")]
        if action == "status":
            stages = Counter(p.state for p, _ in rows)
            colours = Counter(st.level or "none" for _, st in rows)
            for state in [*STAGES, STOPPED]:
                self.stdout.write(f"{STATE_LABELS[state]}\t{stages.get(state, 0)}")
            self.stdout.write("  ".join(f"{k}: {v}" for k, v in sorted(colours.items())))
            return
        for p, st in rows:
            self.stdout.write(
                f"{p.number}\t{st.level or '-'}\t{STATE_LABELS[p.state]}\t{p.investment:.2f}\t"
                f"{st.late_days}\t{p.name}\t{p.enterprise.name if p.enterprise else ''}"
            )
