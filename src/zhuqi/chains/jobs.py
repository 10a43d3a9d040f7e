"""The matchmaking events as .xlsx, run as a background job with the list's filters."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.chains import selectors
from zhuqi.core import jobs, tabular
from zhuqi.core.schemas import parse_whole

FILTERS = ("year", "kind", "chain", "state")


def export_events(events, progress=None) -> bytes:
    headers = [
        _("Number"),
        _("Date"),
        _("Kind"),
        _("Event"),
        _("Organiser"),
        _("Place"),
        _("Industry chain"),
        _("Enterprises"),
        _("State"),
    ]
    rows = []
    for e in events:
        rows.append(
            [
                e.number,
                e.held_on,
                e.get_kind_display(),
                e.title,
                str(e.organiser),
                e.place,
                e.chain.name if e.chain else "",
                e.enterprise_count,
                e.get_state_display(),
            ]
        )
        if progress:
            progress(len(rows))
    return tabular.write_xlsx(
        str(_("Matchmaking events")), [str(h) for h in headers], rows, number_formats={1: "yyyy-mm-dd"}
    )


def run(job, progress) -> jobs.Outcome:
    params = dict(job.parameters)
    params["year"] = parse_whole(params.get("year"), 2000, 2100)
    events = selectors.event_search(job.owner, **params)
    total = events.count()
    progress(0, total)
    return jobs.Outcome(
        {"rows": total}, export_events(events, lambda done: progress(done, total)), "matchmaking-events.xlsx"
    )


jobs.register(
    "export.events",
    label=gettext_lazy("Matchmaking events export (.xlsx)"),
    run=run,
    check=jobs.text_filters(*FILTERS),
)
