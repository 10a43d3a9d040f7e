from django.core.management.base import BaseCommand

from zhuqi.appeals import kpis


class Command(BaseCommand):
    help = "Appeal maintenance: zhuqi appeals recompute-handling (after the calendar's past was edited)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "recompute-handling",
            help="rewrites the stored handling time (working days) of every closed appeal from the calendar",
        )

    def handle(self, *args, action, **options):
        if action == "recompute-handling":
            count = kpis.recompute_handling_days()
            self.stdout.write(self.style.SUCCESS(f"Handling time recomputed for {count} closed appeals."))
