"""zhuqi survey questionnaire FILE | list | scores ID [--xlsx FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.accounts.models import User
from zhuqi.assessment import exports, questionnaire, selectors
from zhuqi.assessment.models import Campaign
from zhuqi.core import permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability


def office_user(username=None) -> User:
    users = User.objects.filter(role__in=permissions.roles_with(Capability.RUN_ASSESSMENTS), is_active=True)
    found = (users.filter(username=username) if username else users.order_by("id")).first()
    if found is None:
        raise CommandError("No coordinator or administrator to act as: create one, or name it with --as.")
    return found


class Command(BaseCommand):
    help = "Surveys of departments: import the questionnaire, list campaigns, print or export scores."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        q = sub.add_parser("questionnaire", help="import (or re-import) a questionnaire YAML file")
        q.add_argument("file")
        sub.add_parser("list", help="the campaigns")
        s = sub.add_parser("scores", help="a campaign's scores by department and aspect")
        s.add_argument("campaign", type=int)
        s.add_argument("--xlsx", help="write them to this .xlsx file")
        for p in (q, s):
            p.add_argument("--as", dest="username")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def questionnaire(self, file, username=None, **_):
        found = questionnaire.questionnaire_import(
            document=Path(file).read_text("utf-8"), acting_user=office_user(username)
        )
        items = questionnaire.active_items(found).count()
        self.stdout.write(
            f"{found.code} v{found.version}: {found.aspects.filter(retired=False).count()} aspects, {items} items"
        )

    def list(self, **_):
        for c in Campaign.objects.order_by("id"):
            answered = c.invitations.filter(answered_on__isnull=False).count()
            self.stdout.write(
                f"{c.pk}\t{c.period}\t{c.state}\t{c.deadline}\t{answered}/{c.invitations.count()}\t{c.title}"
            )

    def scores(self, campaign, xlsx=None, username=None, **_):
        user = office_user(username)
        found = selectors.campaign_get(user, campaign)
        if xlsx:
            Path(xlsx).write_bytes(exports.scores_xlsx(user, found))
            self.stdout.write(f"wrote {xlsx}")
            return
        table = selectors.score_table(user, found)
        self.stdout.write("\t".join(["department", "answers", "score", *[a.code for a in table["aspects"]]]))
        for r in table["rows"]:
            cells = [
                r["department"].code,
                r["answers"],
                r["score"] if not r["hidden"] else "hidden",
                *r["aspects"],
            ]
            self.stdout.write("\t".join("—" if c is None else str(c) for c in cells))
