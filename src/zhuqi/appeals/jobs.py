"""The appeals' background job: the close-out ledger (销号台账) export."""

from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import selectors
from zhuqi.appeals.ledger import export_ledger
from zhuqi.core import jobs

LEDGER_FILTERS = ("state", "department", "town", "category", "q", "enterprise", "due", "supervised")


def run_ledger(job, progress) -> jobs.Outcome:
    appeals = selectors.appeal_list(job.owner, **job.parameters)
    total = appeals.count()
    progress(0, total)
    content = export_ledger(appeals, progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "appeal-ledger.xlsx")


jobs.register(
    "export.appeals",
    label=_("Appeal ledger export (.xlsx)"),
    run=run_ledger,
    check=jobs.text_filters(*LEDGER_FILTERS),
)
