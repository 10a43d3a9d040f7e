"""The disbursement list of a batch as .xlsx, in the layout the finance bureau pays from."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from zhuqi.policies.models import DisbursementBatch

HEADERS = [
    "序号",
    "批次号",
    "兑现编号",
    "企业名称",
    "统一社会信用代码",
    "政策条款",
    "年度",
    "金额(元)",
    "开户银行",
    "账户名称",
    "账号",
    "确认时间",
    "应付日期",
]


def export_batch(batch: DisbursementBatch) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = batch.number
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    offers = batch.offers.select_related("enterprise", "clause").order_by("id")
    for i, o in enumerate(offers, start=1):
        sheet.append(
            [
                i,
                batch.number,
                o.number,
                o.enterprise.name,
                o.enterprise.uscc,
                f"{o.clause.code} {o.clause.title}",
                o.year,
                float(o.amount),
                o.bank_name,
                o.account_name,
                o.account_number,  # text: an account number is not a number to Excel
                timezone.localtime(o.confirmed_at).strftime("%Y-%m-%d %H:%M") if o.confirmed_at else "",
                timezone.localtime(o.pay_due).strftime("%Y-%m-%d") if o.pay_due else "",
            ]
        )
        sheet.cell(row=i + 1, column=8).number_format = "#,##0.00"
    sheet.append([])
    sheet.append(["合计", "", "", "", "", "", "", float(batch.total)])
    for column, width in zip(
        "ABCDEFGHIJKLM", (6, 16, 20, 36, 22, 36, 6, 14, 20, 36, 24, 18, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
