"""`zhuqi programs …`: the doubling programme's operations from the shell (run as the platform).

Selection (issue #9, items 1–6):
zhuqi programs rounds                                    programmes and their rounds, with ids
zhuqi programs import-facts FILE.xlsx|csv                enterprise facts (环境信用评价等级, 重点用能单位,
                                                         年度考核); every row checked, nothing written on error
zhuqi programs close --round ID                          closes the round: no more applications; review begins
zhuqi programs check --round ID                          the formal check of the round's submitted applications
zhuqi programs cross-check --round ID                    declared figures against 税务局 and 统计局
zhuqi programs draw --round ID --size N [--stage desk|site] [--seed S] [--name NAME] [--numbers A,B]
                                                         draws a review group (all in review, or those numbers)
zhuqi programs redraw --group ID                         re-runs a stored draw: the same experts
zhuqi programs propose --round ID                        ranking and the proposal (pilots, honorary, reserve)
zhuqi programs publish --round ID                        publishes the list after its public notice
zhuqi programs export KIND --round ID -o FILE.xlsx       registration|applications|checks|cross_checks|scores|ranking|notice
zhuqi programs export pilots -o FILE.xlsx                the pilots of every programme

Monitoring and evaluation (stream B):
zhuqi programs evaluate --year 2018 [--programme CODE]   the annual evaluation of 2018's figures
                                                         (run early 2019): a draft for the committee
zhuqi programs issue-reports [--year Y --half 1|2] [--programme CODE]
                                                         the half-yearly reporting tasks to every pilot
zhuqi programs remind                                    reminds pilots whose report is due soon and
                                                         unregistered pilots (once each)
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.core.errors import ZhuqiError
from zhuqi.programs.models import Programme

SELECTION = [
    "rounds",
    "import-facts",
    "close",
    "check",
    "cross-check",
    "draw",
    "redraw",
    "propose",
    "publish",
    "export",
]


class Command(BaseCommand):
    help = "The doubling programme: selection, annual evaluation, reporting tasks, reminders."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=[*SELECTION, "evaluate", "issue-reports", "remind"])
        parser.add_argument("what", nargs="?", help="import-facts: the file; export: the list")
        parser.add_argument("--year", type=int)
        parser.add_argument("--half", type=int, choices=[1, 2])
        parser.add_argument("--programme", help="programme code (default: every city programme)")
        parser.add_argument("--round", type=int)
        parser.add_argument("--group", type=int)
        parser.add_argument("--size", type=int, default=5)
        parser.add_argument("--stage", choices=["desk", "site"], default="desk")
        parser.add_argument("--seed", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--numbers", default="")
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args, action, year=None, half=None, programme=None, **options):
        if action in SELECTION:
            try:
                return self._selection(action, options)
            except ZhuqiError as exc:
                raise CommandError(str(exc.message)) from exc
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

    def _round(self, options):
        from zhuqi.programs.models import Round

        found = Round.objects.select_related("programme").filter(pk=options["round"] or 0).first()
        if found is None:
            raise CommandError("name a round: --round ID (zhuqi programs rounds lists them)")
        return found

    def _selection(self, action, options):
        from zhuqi.programs import facts_import, lists, services
        from zhuqi.programs.models import Application, Pilot, ReviewGroup, Round

        if action == "rounds":
            for r in Round.objects.select_related("programme").order_by("programme_id", "opens_on"):
                n = r.applications.count()
                self.stdout.write(f"{r.pk}\t{r.programme.code}\t{r.name}\t{r.stage}\t{n} applications")
        elif action == "import-facts":
            path = Path(options["what"] or "")
            if not path.is_file():
                raise CommandError("give the file: zhuqi programs import-facts FILE.xlsx")
            rows, problems = facts_import.check(path.name, path.read_bytes())
            for number, column, reason in problems:
                self.stderr.write(f"row {number} {column}: {reason}")
            if problems:
                raise CommandError(f"{len(problems)} rows have problems: nothing imported")
            counts = services.facts_record(rows=rows, acting_user=None)
            self.stdout.write(
                f"{counts['created'] + counts['updated']} facts recorded ({counts['unchanged']} unchanged)"
            )
        elif action == "close":
            self.stdout.write(services.round_close(round_=self._round(options), acting_user=None).stage)
        elif action == "check":
            self.stdout.write(str(services.formal_check_run(round_=self._round(options), acting_user=None)))
        elif action == "cross-check":
            flags = services.cross_check_run(round_=self._round(options), acting_user=None)
            self.stdout.write(f"{flags} open differences")
        elif action == "draw":
            round_ = self._round(options)
            qs = Application.objects.filter(round=round_, state=Application.State.IN_REVIEW)
            numbers = [n.strip() for n in options["numbers"].split(",") if n.strip()]
            if numbers:
                qs = qs.filter(number__in=numbers)
            if options["stage"] == "site":
                qs = qs.filter(shortlisted=True)
            group = services.group_draw(
                round_=round_,
                name=options["name"] or f"{round_.name} 评审组",
                stage=options["stage"],
                size=options["size"],
                applications=list(qs.select_related("enterprise")),
                seed=options["seed"] or None,
                acting_user=None,
            )
            drawn = ", ".join(group.experts.order_by("pk").values_list("name", flat=True))
            self.stdout.write(f"group {group.pk}, seed {group.seed}: {drawn}")
        elif action == "redraw":
            group = ReviewGroup.objects.filter(pk=options["group"] or 0).first()
            if group is None:
                raise CommandError("name a group: --group ID")
            again = services.redraw(group)
            stored = sorted(group.experts.values_list("pk", flat=True))
            self.stdout.write(
                f"seed {group.seed}: {again} — {'the same' if sorted(again) == stored else 'DIFFERENT'}"
            )
        elif action == "propose":
            self.stdout.write(str(services.proposal_make(round_=self._round(options), acting_user=None)))
        elif action == "publish":
            self.stdout.write(str(services.round_publish(round_=self._round(options), acting_user=None)))
        elif action == "export":
            self._export(options, lists, Pilot)

    def _export(self, options, lists, Pilot):
        from zhuqi.programs.models import Application

        kind, out = options["what"], options["output"]
        if out is None:
            raise CommandError("give the file: -o FILE.xlsx")
        if kind == "pilots":
            listing = lists.pilots(Pilot.objects.all(), {})
        else:
            round_ = self._round(options)
            apps = Application.objects.filter(round=round_)
            makers = {
                "registration": lambda: lists.registration(apps, {}),
                "applications": lambda: lists.applications(apps, {}),
                "checks": lambda: lists.checks(apps, {}),
                "cross_checks": lambda: lists.cross_checks(round_, {}),
                "scores": lambda: lists.scores(round_, {}),
                "ranking": lambda: lists.ranking(apps, {}),
                "notice": lambda: lists.notice(apps, {}),
            }
            if kind not in makers:
                raise CommandError(f"export one of: {', '.join(makers)}, pilots")
            listing = makers[kind]()
        out.write_bytes(lists.xlsx(listing))
        self.stdout.write(f"{out}")

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
