"""Spreadsheets of the monitoring pages and of the appeal lists that had none (issue 12, item 6): the
KPI table, the coordination meeting list (small: written in the request) and the warnings list (any
size: a job), each with the filters of its page; and the rows behind a month's actual."""

from django.utils import timezone
from django.utils.translation import gettext as _

from zhuqi.core import formats, tabular
from zhuqi.directory.models import PeriodType
from zhuqi.monitoring import actuals, scopes

PERCENT = "0.0%"


def kpi_xlsx(by: str, rows: list[dict]) -> bytes:
    headers = [
        _("Rank"),
        {
            "department": _("Department"),
            "town": _("Town"),
            "category": _("Category"),
            "month": _("Month"),
            "all": _("All"),
        }[by],
        _("Appeals"),
        _("Closed"),
        _("Resolution rate (办结率)"),
        _("On-time rate (按时办结率)"),
        _("Satisfaction rate (满意率)"),
        _("Reopen rate"),
        _("Median working days"),
    ]
    body = (
        [
            i,
            str(r["group"]),
            r["count"],
            r["closed"],
            r["resolution_rate"],
            r["on_time_rate"],
            r["satisfaction_rate"],
            r["reopen_rate"],
            r["median_handling_days"],
        ]
        for i, r in enumerate(rows, start=1)
    )
    return tabular.write_xlsx(
        _("KPIs"),
        [str(h) for h in headers],
        body,
        number_formats={4: PERCENT, 5: PERCENT, 6: PERCENT, 7: PERCENT},
    )


def coordination_xlsx(items) -> bytes:
    headers = [
        _("Number"),
        _("Title"),
        _("Enterprise"),
        _("Reason"),
        _("Put on the list"),
        _("Decision"),
        _("Owner"),
        _("Decided"),
    ]
    body = (
        [
            i.appeal.number,
            i.appeal.title,
            i.appeal.enterprise.name,
            str(i.get_reason_display()),
            formats.day(timezone.localtime(i.created_at).date()),
            i.decision,
            str(i.owner or ""),
            formats.day(timezone.localtime(i.decided_at).date()) if i.decided_at else "",
        ]
        for i in items.iterator(chunk_size=500)
    )
    return tabular.write_xlsx(_("Coordination meeting list"), [str(h) for h in headers], body)


def warnings_xlsx(warnings, labels: dict, progress=None) -> bytes:
    headers = [
        _("Number"),
        _("Kind"),
        _("Level"),
        _("State"),
        _("Warning"),
        _("Period"),
        _("Since"),
        _("Town"),
        _("Department"),
        _("Note"),
    ]

    def body():
        for n, w in enumerate(warnings.iterator(chunk_size=1000), start=1):
            if progress and n % 1000 == 0:
                progress(n)
            yield [
                w.pk,
                str(labels.get(w.kind, w.kind)),
                str(w.get_level_display()),
                str(w.get_state_display()),
                w.text,
                w.period,
                formats.day(w.since),
                w.town.name if w.town else "",
                str(w.department or ""),
                w.note,
            ]

    return tabular.write_xlsx(_("Warnings"), [str(h) for h in headers], body())


def month_rows(target, month: int):
    """The enterprises in the target's scope with a best value for that month, largest first (SQL):
    each with `value` and `source`. The actual of the month is their sum."""
    qs = (
        actuals.best_values([target.year])
        .filter(indicator=target.measure, period_type=PeriodType.MONTH, period_no=month)
        .select_related("enterprise", "enterprise__town")
        .order_by("-value", "enterprise_id")
    )
    if target.town_id:
        qs = qs.filter(enterprise__town_id=target.town_id)
    elif scopes.is_scoped(target):
        qs = qs.filter(enterprise_id__in=scopes.members(target))
    return qs
