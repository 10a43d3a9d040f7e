"""zhuqi assessment compute PERIOD [--weights …] | show PERIOD [--xlsx FILE] | publish PERIOD"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.assessment import exports, scoring, selectors
from zhuqi.assessment.management.commands.survey import office_user
from zhuqi.core.errors import ZhuqiError


def parse_weights(text: str) -> dict:
    weights = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            weights[name.strip()] = Decimal(value.strip())
        except InvalidOperation as exc:
            raise CommandError(f"Not a number: {part}") from exc
    return weights


class Command(BaseCommand):
    help = "Assessments of departments and towns: compute with weights, show or export, publish."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("compute", help="compute (or recompute a draft)")
        c.add_argument("period", help="2026Q3, 2026H1 or 2026")
        c.add_argument(
            "--weights", help="survey=40,resolution=20,on_time=10,satisfaction=20,reopen=10 (sum 100)"
        )
        c.add_argument("--best", type=int)
        c.add_argument("--worst", type=int)
        s = sub.add_parser("show", help="print the ranking")
        s.add_argument("period")
        s.add_argument("--xlsx", help="write it to this .xlsx file")
        p = sub.add_parser("publish", help="publish the ranking and tell the departments")
        p.add_argument("period")
        for x in (c, s, p):
            x.add_argument("--as", dest="username")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def compute(self, period, weights=None, best=None, worst=None, username=None, **_):
        found = scoring.assessment_compute(
            period=period,
            acting_user=office_user(username),
            weights=parse_weights(weights) if weights else None,
            best_count=best,
            worst_count=worst,
        )
        self.show(found.period, username=username)

    def show(self, period, xlsx=None, username=None, **_):
        found = selectors.assessment_get(office_user(username), period)
        if xlsx:
            Path(xlsx).write_bytes(exports.assessment_xlsx(found))
            self.stdout.write(f"wrote {xlsx}")
            return
        weights = ", ".join(f"{k}={v}" for k, v in found.weights().items())
        self.stdout.write(
            f"{found.period} ({found.state}); weights {weights}; target {found.resolution_target}"
        )
        for r in selectors.ranking(found):
            self.stdout.write(
                f"{r.subject}\t{r.rank or '—'}\t{r.total if r.total is not None else '—'}\t{r.mark or ''}\t{r.name}"
            )

    def publish(self, period, username=None, **_):
        user = office_user(username)
        scoring.assessment_publish(assessment=selectors.assessment_get(user, period), acting_user=user)
        self.stdout.write(f"{period} published")
