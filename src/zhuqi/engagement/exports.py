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


VISIT_HEADERS = [
    "日期",
    "企业",
    "统一社会信用代码",
    "方式",
    "挂点领导",
    "参加人员",
    "问现状",
    "问需求",
    "问环境",
    "帮解难",
    "小结",
    "发现的问题（诉求编号）",
]


def export_visits(visits, progress=None) -> bytes:
    rows = (
        (
            _d(v.visited_on),
            v.enterprise.name,
            v.enterprise.uscc,
            v.get_kind_display(),
            str(v.leader),
            v.participants,
            v.ask_status,
            v.ask_needs,
            v.ask_environment,
            v.help_solve,
            v.summary,
            "、".join(a.number for a in v.appeals.all()),
        )
        for v in counted(visits.prefetch_related("appeals").iterator(chunk_size=2000), progress)
    )
    return tabular.write_xlsx("走访记录", VISIT_HEADERS, rows)


def run_visits(job, progress) -> jobs.Outcome:
    visits = selectors.visit_search(job.owner, **job.parameters)
    total = visits.count()
    progress(0, total)
    content = export_visits(visits, progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "visits.xlsx")


COMPLIANCE_HEADERS = ["挂点领导", "企业", "镇街", "包联责任单位", "规则", "周期开始", "周期截止", "状态"]
STATUS_WORDS = {"done": "已完成", "due": "待完成", "overdue": "已超期"}


def run_compliance(job, progress) -> jobs.Outcome:
    """The periods owed of a quarter (all of them, or those of one status), as the page lists them."""
    from datetime import date

    import polars as pl

    from zhuqi.accounts.models import User
    from zhuqi.directory.models import Department, Enterprise, Town
    from zhuqi.engagement import cadence
    from zhuqi.engagement.models import CadenceRule

    p = job.parameters
    start = date(int(p["year"]), 3 * int(p["quarter"]) - 2, 1)
    end = cadence.period_end(start, "quarter")
    ids = selectors.scoped_enterprise_ids(job.owner)
    frame = cadence.statuses(start=start, end=end, today=date.today(), enterprise_ids=ids)
    if p.get("status") in STATUS_WORDS:
        frame = frame.filter(pl.col("status") == p["status"])
    frame = frame.sort(["period_end", "leader_id", "enterprise_id"])
    leaders = {u.pk: str(u) for u in User.objects.filter(pk__in=frame["leader_id"].unique().to_list())}
    enterprises = dict(
        Enterprise.objects.filter(pk__in=frame["enterprise_id"].unique().to_list()).values_list("pk", "name")
    )
    towns = dict(Town.objects.values_list("pk", "name"))
    units = dict(Department.objects.values_list("pk", "name"))
    rules = dict(CadenceRule.objects.values_list("code", "name"))
    total = frame.height
    progress(0, total)
    rows = (
        (
            leaders.get(r["leader_id"], ""),
            enterprises.get(r["enterprise_id"], ""),
            towns.get(r["town_id"], ""),
            units.get(r["unit_id"], ""),
            rules.get(r["rule"], r["rule"]),
            _d(r["period_start"]),
            _d(r["period_end"]),
            STATUS_WORDS[r["status"]],
        )
        for r in frame.iter_rows(named=True)
    )
    content = tabular.write_xlsx("联系走访情况", COMPLIANCE_HEADERS, rows)
    progress(total, total)
    return jobs.Outcome({"rows": total}, content, "compliance.xlsx")


def check_compliance(owner, parameters: dict) -> dict:
    from zhuqi.core.errors import ZhuqiError

    year, quarter = str(parameters.get("year") or ""), str(parameters.get("quarter") or "")
    status = str(parameters.get("status") or "")
    if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100) or quarter not in (
        "1",
        "2",
        "3",
        "4",
    ):
        raise ZhuqiError("invalid_filter", _("A filter is not valid."), status=422, field="year")
    return {"year": year, "quarter": quarter, "status": status if status in STATUS_WORDS else ""}


EVENT_HEADERS = [
    "报告时间",
    "企业",
    "统一社会信用代码",
    "镇街",
    "事项类型",
    "发生日期",
    "标题",
    "情况说明",
    "状态",
    "签收时间",
    "销号时间",
    "销号说明",
]


def _t(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_events(events, progress=None) -> bytes:
    rows = (
        (
            _t(e.reported_at),
            e.enterprise.name,
            e.enterprise.uscc,
            e.enterprise.town.name if e.enterprise.town_id else "",
            e.get_kind_display(),
            _d(e.occurred_on),
            e.title,
            e.description,
            e.get_state_display(),
            _t(e.acknowledged_at),
            _t(e.closed_at),
            e.close_note,
        )
        for e in counted(events.iterator(chunk_size=2000), progress)
    )
    return tabular.write_xlsx("重大事项", EVENT_HEADERS, rows)


def run_events(job, progress) -> jobs.Outcome:
    events = selectors.event_search(job.owner, **job.parameters)
    total = events.count()
    progress(0, total)
    content = export_events(events, progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "major-events.xlsx")


def check_events(owner, parameters: dict) -> dict:
    from zhuqi.core import permissions
    from zhuqi.core.errors import Forbidden
    from zhuqi.core.permissions import Capability

    if not (
        permissions.has(owner, Capability.FOLLOW_ENGAGEMENT)
        or permissions.has(owner, Capability.REPORT_MAJOR_EVENTS)
    ):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    return jobs.text_filters(*selectors.EVENT_FILTERS)(owner, parameters)


jobs.register(
    "export.major_events",
    label=_("Major event export (.xlsx)"),
    run=run_events,
    check=check_events,
)
jobs.register(
    "export.visits",
    label=_("Visit export (.xlsx)"),
    run=run_visits,
    check=jobs.text_filters(*selectors.VISIT_FILTERS),
)
jobs.register(
    "export.compliance",
    label=_("Cadence compliance export (.xlsx)"),
    run=run_compliance,
    check=check_compliance,
)
