"""Text from users that a spreadsheet program would take as a formula is written as text."""

import io
import zipfile

from openpyxl import load_workbook

HYPERLINK = '=HYPERLINK("http://x","y")'


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_a_formula_title_in_the_ledger_export_is_not_a_formula(loop):
    from zhuqi.appeals import services
    from zhuqi.appeals.ledger import export_ledger
    from zhuqi.appeals.models import Appeal

    services.appeal_submit(
        enterprise=loop.a,
        title=HYPERLINK,
        description="=1+1",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    )
    content = export_ledger(Appeal.objects.all())
    assert "<f>" not in sheet_xml(content)
    row = next(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, max_row=2))
    title = next(c for c in row if c.value == HYPERLINK)
    assert title.data_type == "s" and title.quotePrefix
