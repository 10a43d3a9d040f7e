"""The close-out ledger (销号台账) as .xlsx."""

from django.utils import timezone

from zhuqi.core import tabular
from zhuqi.directory.importers import counted

HEADERS = [
    "编号",
    "企业",
    "统一社会信用代码",
    "镇街",
    "事项分类",
    "标题",
    "渠道",
    "紧急程度",
    "状态",
    "承办部门",
    "提交时间",
    "办结时限",
    "答复时间",
    "办结时间",
    "按时",
    "评价",
    "发还重办次数",
    "答复",
]


def _t(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_ledger(appeals, progress=None) -> bytes:
    rows = (
        (
            a.number,
            a.enterprise.name,
            a.enterprise.uscc,
            a.enterprise.town.name,
            str(a.category),
            a.title,
            a.get_channel_display(),
            a.get_urgency_display(),
            a.get_state_display(),
            a.department.name if a.department_id else "",
            _t(a.created_at),
            _t(a.resolve_due),
            _t(a.replied_at),
            _t(a.closed_at),
            {True: "是", False: "否"}.get(a.on_time, ""),
            a.get_rating_display(),
            a.reopen_count,
            a.reply,
        )
        for a in counted(appeals.select_related("category__parent").iterator(chunk_size=2000), progress)
    )
    return tabular.write_xlsx("销号台账", HEADERS, rows)
