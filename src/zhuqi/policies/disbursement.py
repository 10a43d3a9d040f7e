"""The disbursement list of a batch as .xlsx, in the layout the finance bureau pays from."""

from django.utils import timezone

from zhuqi.directory import tabular
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


WIDTHS = [6, 16, 20, 36, 22, 36, 6, 14, 20, 36, 24, 18, 12]
AMOUNT = HEADERS.index("金额(元)")


def export_batch(batch: DisbursementBatch) -> bytes:
    """Text from enterprises (names, bank names, account names) is written as text, never as a
    formula: this file is opened at the finance bureau (tabular.write_xlsx)."""
    offers = batch.offers.select_related("enterprise", "clause").order_by("id")
    rows = [
        [
            i,
            batch.number,
            o.number,
            o.enterprise.name,
            o.enterprise.uscc,
            f"{o.clause.code} {o.clause.title}",
            o.year,
            o.amount,
            o.bank_name,
            o.account_name,
            o.account_number,  # text: an account number is not a number to Excel
            timezone.localtime(o.confirmed_at).strftime("%Y-%m-%d %H:%M") if o.confirmed_at else "",
            timezone.localtime(o.pay_due).strftime("%Y-%m-%d") if o.pay_due else "",
        ]
        for i, o in enumerate(offers, start=1)
    ]
    rows += [[], ["合计", "", "", "", "", "", "", batch.total]]
    return tabular.write_xlsx(batch.number, HEADERS, rows, widths=WIDTHS, number_formats={AMOUNT: "#,##0.00"})
