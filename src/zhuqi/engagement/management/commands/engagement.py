from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.engagement import cadence, liaison
from zhuqi.engagement.lifecycle import TaskState
from zhuqi.engagement.models import Task


class Command(BaseCommand):
    help = (
        "Engagement (包联服务): zhuqi engagement tier-run | remind [--date D] | compliance [--year Y --quarter Q] "
        "| tasks [--overdue] [--xlsx FILE] | loads"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "tier-run", help="propose liaison changes by the latest verified main revenue (never reassigns)"
        )
        remind = sub.add_parser(
            "remind", help="remind liaisons of contacts and visits due before the period ends (once each)"
        )
        remind.add_argument("--date", type=date.fromisoformat, default=None)
        comp = sub.add_parser("compliance", help="cadence compliance of a quarter per leader, unit and town")
        comp.add_argument("--year", type=int, default=None)
        comp.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], default=None)
        comp.add_argument("--by", choices=["leader_id", "unit_id", "town_id"], default="leader_id")
        tasks = sub.add_parser("tasks", help="list tracked tasks (督办事项), or write them to an .xlsx file")
        tasks.add_argument("--overdue", action="store_true")
        tasks.add_argument("--xlsx", default="")
        sub.add_parser("loads", help="each leader's liaisons by tier and open tasks")

    def handle(self, *args, action, **options):
        today = timezone.localdate()
        if action == "tier-run":
            result = liaison.propose_tiers(acting_user=None)
            self.stdout.write(
                f"checked {result.checked}, proposed {result.proposed}, kept {result.kept}, superseded {result.superseded}"
            )
        elif action == "remind":
            sent = cadence.send_reminders(options["date"] or today)
            self.stdout.write(f"{sent} reminders sent")
        elif action == "compliance":
            year = options["year"] or today.year
            quarter = options["quarter"] or (today.month - 1) // 3 + 1
            if not 2000 <= year <= 2100:
                raise CommandError("year out of range")
            start = date(year, 3 * quarter - 2, 1)
            result = cadence.compliance(start=start, end=cadence.period_end(start, "quarter"), today=today)
            self.stdout.write("key\trule\towed\tdone\tdue\toverdue")
            for row in result[options["by"]]:
                self.stdout.write(f"{row.key}\t{row.rule}\t{row.owed}\t{row.done}\t{row.due}\t{row.overdue}")
        elif action == "tasks":
            tasks = Task.objects.select_related("owner_department", "owner_user", "enterprise").order_by(
                "due_on", "id"
            )
            if options["overdue"]:
                tasks = tasks.filter(state=TaskState.OPEN, due_on__lt=today)
            if options["xlsx"]:
                from zhuqi.engagement.exports import export_tasks

                with open(options["xlsx"], "wb") as out:
                    out.write(export_tasks(tasks))
                self.stdout.write(f"{tasks.count()} tasks written to {options['xlsx']}")
            else:
                for t in tasks:
                    self.stdout.write(
                        f"{t.pk}\t{t.state}\t{t.due_on.isoformat()}\t{t.owner_label}\t{t.title}"
                    )
        elif action == "loads":
            for r in liaison.leader_loads():
                self.stdout.write(
                    f"{r['leader__username']}\t{r['total']}\t{r['city']}\t{r['principal']}\t{r['member']}\t{r['tasks']}"
                )
