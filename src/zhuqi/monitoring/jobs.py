"""Background jobs of the monitoring app: the warnings export (any size), the KPI table's export (an
aggregate over every appeal: seconds at a million) and the rebuild of the actuals rollup (seconds at a
province's scale)."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import Forbidden, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.monitoring import actuals, exports, selectors


def run_warnings_export(job, progress) -> jobs.Outcome:
    rows = selectors.warning_list(job.owner, **job.parameters)
    total = rows.count()
    progress(0, total)
    content = exports.warnings_xlsx(rows, dict(selectors.kind_choices()), lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "warnings.xlsx")


def check_warnings_export(owner, parameters: dict) -> dict:
    if not permissions.has(owner, Capability.READ_MONITORING):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    return jobs.text_filters(*selectors.WARNING_FILTERS)(owner, parameters)


def run_kpi_export(job, progress) -> jobs.Outcome:
    """The KPI page's table with its grouping, over the appeals the owner oversees (the page's query)."""
    from zhuqi.appeals import kpis
    from zhuqi.appeals import selectors as appeal_selectors

    by = job.parameters["by"]
    progress(0, 2)
    _overall, rows = kpis.overall_and_groups(appeal_selectors.appeals_visible_to(job.owner), by, rollup=True)
    progress(1, 2)
    content = exports.kpi_xlsx(by, rows)
    progress(2, 2)
    return jobs.Outcome({"rows": len(rows)}, content, f"appeal-kpis-{by}.xlsx")


def check_kpi_export(owner, parameters: dict) -> dict:
    from zhuqi.appeals import kpis

    if not permissions.has(owner, Capability.OVERSEE_APPEALS):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    by = parameters.get("by") or "department"
    if not isinstance(by, str) or by not in kpis.GROUPS:
        raise ZhuqiError(
            "bad_grouping",
            Message(_("Group by one of: %(groups)s."), {"groups": ", ".join(kpis.GROUPS)}),
            status=422,
            field="by",
        )
    return {"by": by}


def run_coordination_export(job, progress) -> jobs.Outcome:
    """The coordination meeting's list (every escalated appeal the owner oversees, decided or not)."""
    from zhuqi.appeals import selectors as appeal_selectors

    items = appeal_selectors.coordination_list(job.owner)
    total = items.count()
    progress(0, total)
    content = exports.coordination_xlsx(items)
    progress(total, total)
    return jobs.Outcome({"rows": total}, content, "coordination-list.xlsx")


def check_oversee(owner, parameters: dict) -> dict:
    if not permissions.has(owner, Capability.OVERSEE_APPEALS):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    return {}


def run_refresh(job, progress) -> jobs.Outcome:
    year = int(job.parameters["year"])
    progress(0, 4)
    cells = actuals.refresh(range(year - 3, year + 1))  # the year and the three its profile reads
    progress(4, 4)
    return jobs.Outcome({"rows": cells})


def check_refresh(owner, parameters: dict) -> dict:
    if not permissions.has(owner, Capability.SET_ANY_TARGET):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    year = parse_whole(str(parameters.get("year", "")), 2000, 2100)
    if year is None:
        raise ZhuqiError("bad_year", _("Give a year between 2000 and 2100."), status=422, field="year")
    return {"year": str(year)}


jobs.register(
    "export.coordination",
    label=_("Coordination list export (.xlsx)"),
    run=run_coordination_export,
    check=check_oversee,
)
jobs.register(
    "export.warnings",
    label=_("Warnings export (.xlsx)"),
    run=run_warnings_export,
    check=check_warnings_export,
)
jobs.register("monitoring.refresh", label=_("Monthly actuals rebuilt"), run=run_refresh, check=check_refresh)
jobs.register(
    "export.appeal_kpis",
    label=_("Appeal KPI table export (.xlsx)"),
    run=run_kpi_export,
    check=check_kpi_export,
)
