"""`zhuqi programs …`: the doubling programme's operations from the shell.

zhuqi programs evaluate --year 2018 [--programme CODE]   the annual evaluation of 2018's figures
                                                         (run early 2019): a draft for the committee
zhuqi programs issue-reports [--year Y --half 1|2] [--programme CODE]
                                                         the half-yearly reporting tasks to every pilot
zhuqi programs remind                                    reminds pilots whose report is due soon and
                                                         unregistered pilots (once each)
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.core.errors import ZhuqiError
from zhuqi.programs.models import Programme


class Command(BaseCommand):
    help = "The doubling programme: annual evaluation, reporting tasks, reminders."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["evaluate", "issue-reports", "remind"])
        parser.add_argument("--year", type=int)
        parser.add_argument("--half", type=int, choices=[1, 2])
        parser.add_argument("--programme", help="programme code (default: every city programme)")

    def handle(self, *args, action, year=None, half=None, programme=None, **options):
        programmes = (
            Programme.objects.filter(code=programme) if programme else Programme.objects.filter(level="city")
        )
        if programme and not programmes.exists():
            raise CommandError(f"no programme {programme}")
        try:
            if action == "evaluate":
                self._evaluate(programmes, year or timezone.localdate().year - 1)
            elif action == "issue-reports":
                from zhuqi.programs import monitoring_services

                for p in programmes:
                    n = monitoring_services.tasks_issue(programme=p, year=year, half=half, acting_user=None)
                    self.stdout.write(f"{p.code}: {n} reporting tasks issued")
            else:
                from zhuqi.programs import monitoring_services

                done = monitoring_services.remind(today=timezone.localdate())
                self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def _evaluate(self, programmes, year):
        from zhuqi.programs import evaluation

        for p in programmes:
            run = evaluation.evaluation_run(programme=p, year=year, acting_user=None)
            found = evaluation.counts(run.items.all())
            self.stdout.write(
                f"{p.code} {year}: {run.items.count()} pilots — keep {found['keep']}, probation "
                f"{found['probation']}, replace {found['replace']}, doubled {found['doubled']} "
                f"(a draft: the committee's proposal and the city government's approval come next)"
            )
