"""The key project register as .xlsx, run as a background job with the list's filters."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuqi.core import jobs, tabular
from zhuqi.projects import selectors
from zhuqi.projects.lifecycle import STATE_LABELS

FILTERS = ("q", "stage", "town", "department", "late")


def export_projects(projects, today, progress=None) -> bytes:
    rows_with_status = selectors.with_status(projects, today)
    headers = [
        _("Number"),
        _("Project"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Total investment (yuan)"),
        _("Town"),
        _("Responsible department"),
        _("Liaison leader"),
        _("Stage"),
        _("Progress"),
        _("Days late"),
        _("Planned to date (yuan)"),
        _("Invested to date (yuan)"),
    ]
    rows = []
    for p, st in rows_with_status:
        rows.append(
            [
                p.number,
                p.name,
                p.enterprise.name if p.enterprise else "",
                p.enterprise.uscc if p.enterprise else "",
                p.investment,
                p.town.name,
                str(p.department or ""),
                str(p.liaison_leader or ""),
                str(STATE_LABELS[p.state]),
                str(st.label),
                st.late_days,
                st.planned_to_date,
                st.actual_to_date,
            ]
        )
        if progress:
            progress(len(rows))
    return tabular.write_xlsx(
        str(_("Key projects")),
        [str(h) for h in headers],
        rows,
        number_formats={4: "#,##0.00", 11: "#,##0.00", 12: "#,##0.00"},
    )


def run(job, progress) -> jobs.Outcome:
    projects = selectors.project_search(job.owner, **job.parameters)
    total = projects.count()
    progress(0, total)
    content = export_projects(projects, timezone.localdate(), progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "key-projects.xlsx")


jobs.register(
    "export.projects",
    label=gettext_lazy("Key project register export (.xlsx)"),
    run=run,
    check=jobs.text_filters(*FILTERS),
)
