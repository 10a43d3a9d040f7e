"""Pilots' lists as .xlsx, with the page's filters: the progress table, reporting tasks, an
evaluation. Written by the worker (programs/jobs.py), whatever the size."""

from zhuqi.core import tabular
from zhuqi.programs import monitoring


def _n(value):
    return value if value is not None else ""


def _yes(flag):
    return {True: "是", False: "否", None: ""}[flag]


PROGRESS_HEADERS = [
    "统一社会信用代码", "企业名称", "类别", "责任部门", "承诺倍增年限", "基准年度", "状态",
    "基准年主营业务收入(元)", "主营业务收入(元)", "主营业务收入倍数", "基准年纳税总额(元)", "纳税总额(元)",
    "纳税倍数", "倍增路径应达倍数", "保持倍增趋势", "每亩主营业务收入(元)", "资产总额(元)", "出口额(元)",
    "工业增加值(元)",
]  # fmt: skip


def progress_xlsx(pilots, year: int) -> bytes:
    rows = []
    for row in monitoring.progress_rows(pilots, year):
        p, s = row["pilot"], row["standing"]
        rows.append(
            (
                p.enterprise.uscc,
                p.enterprise.name,
                p.get_enterprise_class_display(),
                p.department.name,
                p.commitment_years,
                s.base_year,
                p.get_state_display(),
                _n(s.base_revenue),
                _n(s.revenue),
                _n(s.revenue_ratio),
                _n(s.base_tax),
                _n(s.tax),
                _n(s.tax_ratio),
                s.needed,
                _yes(s.on_path),
                _n(row["land_productivity"]),
                _n(row["assets"]),
                _n(row["exports"]),
                _n(row["added_value"]),
            )  # fmt: skip
        )
    return tabular.write_xlsx(f"{year}年试点企业成长监测", [str(h) for h in PROGRESS_HEADERS], rows)


TASK_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "期间",
    "下发日期",
    "截止日期",
    "状态",
    "报送时间",
    "数据核对差异",
]


def tasks_xlsx(tasks) -> bytes:
    from zhuqi.programs.monitoring_services import period_label

    rows = (
        (
            t.pilot.enterprise.uscc,
            t.pilot.enterprise.name,
            period_label(t.year, t.half),
            t.issued_on.strftime("%Y-%m-%d"),
            t.due_on.strftime("%Y-%m-%d"),
            t.get_state_display(),
            t.submitted_at.strftime("%Y-%m-%d %H:%M") if t.submitted_at else "",
            len(t.flags),
        )
        for t in tasks
    )
    return tabular.write_xlsx("成长监测报送任务", TASK_HEADERS, rows)


EVALUATION_HEADERS = [
    "统一社会信用代码", "企业名称", "类别", "责任部门", "承诺倍增年限", "基准年度", "主营业务收入倍数", "纳税倍数",
    "倍增路径应达倍数", "平台建议", "理由", "遴选委员会决定", "决定理由", "第三方评估", "替补企业", "替补来源", "替补企业得分",
]  # fmt: skip


def evaluation_xlsx(evaluation, items) -> bytes:
    rows = (
        (
            i.pilot.enterprise.uscc,
            i.pilot.enterprise.name,
            i.pilot.get_enterprise_class_display(),
            i.pilot.department.name,
            i.commitment_years,
            i.base_year,
            _n(i.revenue_ratio),
            _n(i.tax_ratio),
            i.needed_ratio,
            i.get_proposal_display(),
            i.get_reason_display(),
            i.get_decision_display(),
            i.decision_note,
            i.assessment_note,
            i.candidate.name if i.candidate_id else "",
            {"reserve": "后备库", "town": "镇街试点"}.get(i.candidate_from, ""),
            _n(i.candidate_score),
        )  # fmt: skip
        for i in items
    )
    return tabular.write_xlsx(f"{evaluation.year}年度评价", EVALUATION_HEADERS, rows)
