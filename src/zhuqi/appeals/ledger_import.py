"""Importing appeals kept in Excel (the problem ledgers towns and departments keep, seed 004) through
the directory's import flow: check with a row report, then apply all or only the valid rows.

Each row becomes an appeal submitted on the "imported ledger" channel by the importing user, routed
and notified exactly like any other. A row's idempotency key is its 台账编号 (or, without one, a digest
of the row), so importing the same ledger again, or applying after a crash, creates nothing twice.
"""

import hashlib

from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal, Channel, Urgency
from zhuqi.core import validators
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch, ServiceCategory
from zhuqi.directory.selectors import enterprises_visible_to

HEADERS = [
    "统一社会信用代码",
    "标题",
    "诉求内容",
    "事项分类",
    "紧急程度",
    "政策范围内",
    "联系人",
    "联系电话",
    "台账编号",
]
REQUIRED = ["统一社会信用代码", "标题", "诉求内容", "事项分类"]
URGENCY = {"": Urgency.ORDINARY, "一般": Urgency.ORDINARY, "普通": Urgency.ORDINARY, "重大": Urgency.MAJOR}
YES_NO = {"": True, "是": True, "否": False}


def _categories() -> dict[str, ServiceCategory]:
    """A category by its code, its name, or the ledger export's "parent › child"."""
    found = {}
    for c in ServiceCategory.objects.select_related("parent"):
        for key in (c.code, c.name, str(c), str(c).replace(" › ", "/")):
            found.setdefault(key, c)
    return found


def check_appeals(headers: list[str], rows, acting_user) -> importers.Report:
    report = importers.Report(total_rows=len(rows))
    if not report.require_columns(headers, REQUIRED):
        return report
    categories = _categories()
    codes = {importers.uscc_of(row) for _n, row in rows}
    # Only what the importer may see: a code outside its scope reads as unknown, never as "forbidden".
    enterprises = {e.uscc: e for e in enterprises_visible_to(acting_user).filter(uscc__in=codes)}
    seen: dict[str, int] = {}
    for number, row in rows:
        before = len(report.errors)
        code = importers.uscc_of(row)
        enterprise = enterprises.get(code)
        if enterprise is None:
            report.unknown_enterprise(number, code)
        for column in ("标题", "诉求内容"):
            if not row.get(column, "").strip():
                report.error(
                    number, column, "required", Message(_("%(column)s is required."), {"column": column})
                )
        title = report.text(number, row, "标题", Appeal, "title")
        description = report.text(number, row, "诉求内容", Appeal, "description")
        contact_name = report.text(number, row, "联系人", Appeal, "contact_name")
        # The phone's own check bounds its length too (validators.PHONE_MAX, the column's).
        contact_phone = row.get("联系电话", "").strip()
        if problem := validators.phone_problem(contact_phone):
            report.error(number, "联系电话", "bad_phone", problem)
        category = categories.get(row.get("事项分类", "").strip())
        if not row.get("事项分类", "").strip():
            report.error(
                number, "事项分类", "required", Message(_("%(column)s is required."), {"column": "事项分类"})
            )
        elif category is None:
            report.error(
                number,
                "事项分类",
                "unknown_category",
                Message(_("Unknown category: %(code)s."), {"code": row.get("事项分类", "")}),
            )
        urgency = importers.choice(report, number, row, "紧急程度", URGENCY, _("urgency"))
        within_policy = importers.choice(report, number, row, "政策范围内", YES_NO, _("yes or no"))
        key = _row_key(code, row)
        if key in seen:
            report.error(
                number,
                "台账编号",
                "duplicate_in_file",
                Message(
                    _("The same appeal already appears in row %(row)d of this file."), {"row": seen[key]}
                ),
            )
        else:
            seen[key] = number
        if len(report.errors) == before:
            report.valid.append(
                {
                    "row": number,
                    "enterprise": enterprise,
                    "title": title,
                    "description": description,
                    "category": category,
                    "urgency": urgency,
                    "within_policy": within_policy,
                    "contact_name": contact_name,
                    "contact_phone": contact_phone,
                    "idempotency_key": key,
                }
            )
    return report


def _row_key(code: str, row: dict) -> str:
    if ledger_number := row.get("台账编号", "").strip():
        return f"ledger:{code}:{ledger_number}"[:100]
    digest = hashlib.sha256(f"{code}\n{row.get('标题', '')}\n{row.get('诉求内容', '')}".encode()).hexdigest()
    return f"ledger:{code}:{digest[:32]}"


def apply_appeals(report: importers.Report, acting_user, batch: ImportBatch) -> dict:
    counts = {"created": 0, "unchanged": 0, "refused": 0}
    refusals = []
    for data in report.valid:
        row = data.pop("row")
        try:
            result = services.appeal_submit(acting_user=acting_user, channel=Channel.IMPORT, **data)
        except ZhuqiError as exc:
            # The row was valid at the check; a refusal now (scope changed) is reported, not fatal.
            counts["refused"] += 1
            refusals.append({"row": row, "code": exc.code, "message": str(exc.message)})
            continue
        counts["created" if result.created else "unchanged"] += 1
    if refusals:
        counts["refusals"] = refusals
    return counts


def example_row(acting_user) -> dict[str, str]:
    """The template's example: an enterprise the importer may see and a category that exists."""
    category = (
        ServiceCategory.objects.filter(parent__isnull=False).select_related("parent").order_by("code").first()
    )
    return {
        "统一社会信用代码": importers.example_enterprise_code(acting_user),
        "标题": "贷款贴息申请三个月未拨付",
        "诉求内容": "2025年技改贷款贴息已按要求申报，至今未拨付，请协调财政局办理。",
        "事项分类": str(category) if category else "",
        "紧急程度": "一般",
        "政策范围内": "是",
        "联系人": "张经理",
        "联系电话": "13800000000",
        "台账编号": "示例-0001",
    }


importers.register(
    ImportBatch.Kind.APPEALS,
    importers.ImportKind(
        check_appeals,
        apply_appeals,
        Capability.IMPORT_APPEAL_LEDGER,
        _("import appeals"),
        tuple(HEADERS),
        example_row,
    ),
)
