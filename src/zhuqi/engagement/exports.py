"""Engagement lists as .xlsx (each with its page's filters), run as background jobs."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, tabular
from zhuqi.directory.importers import counted
from zhuqi.engagement import selectors

TASK_HEADERS = ["编号", "事项", "来源", "责任单位", "责任人", "企业", "期限", "状态", "销号时间", "销号说明"]


def _d(value):
    return value.strftime("%Y-%m-%d") if value else ""


def export_tasks(tasks, progress=None) -> bytes:
    rows = (
        (
            t.pk,
            t.title,
            t.get_source_display(),
            t.owner_department.name if t.owner_department_id else "",
            str(t.owner_user) if t.owner_user_id else "",
            t.enterprise.name if t.enterprise_id else "",
            _d(t.due_on),
            t.get_state_display(),
            _d(t.closed_at),
            t.close_note,
        )
        for t in counted(tasks.iterator(chunk_size=2000), progress)
    )
    return tabular.write_xlsx("督办事项", TASK_HEADERS, rows)


def run_tasks(job, progress) -> jobs.Outcome:
    tasks = selectors.task_search(job.owner, **job.parameters)
    total = tasks.count()
    progress(0, total)
    content = export_tasks(tasks, progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "tasks.xlsx")


jobs.register(
    "export.tasks",
    label=_("Tracked task export (.xlsx)"),
    run=run_tasks,
    check=jobs.text_filters(*selectors.TASK_FILTERS),
)
