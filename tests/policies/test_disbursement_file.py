"""Text from users that a spreadsheet program would take as a formula is written as text."""

import io
import zipfile

from openpyxl import load_workbook


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_a_formula_bank_name_in_the_disbursement_file_is_not_a_formula(policy_world):
    from datetime import date

    from zhuqi.policies import disbursement, grants
    from zhuqi.policies.disbursement import export_batch
    from zhuqi.policies.models import GrantOffer

    grants.offers_run(period=date(2026, 6, 30))
    grants.offer_confirm(
        offer=GrantOffer.objects.get(),
        bank_name='=HYPERLINK("http://evil","工商银行")',
        account_name=policy_world.a.name,
        account_number="6222021234567890123",
        acting_user=policy_world.users["enterprise_a"],
    )
    batch = disbursement.batch_create(acting_user=policy_world.users["coordinator"])
    content = export_batch(batch)
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    bank = sheet.cell(row=2, column=9)
    assert bank.value == '=HYPERLINK("http://evil","工商银行")' and bank.data_type == "s" and bank.quotePrefix
    assert sheet.cell(row=2, column=8).data_type == "n"
