"""The one spreadsheet reader and writer: limits checked before anything is built, formulas never
written, and an exported file still imports back unchanged."""

import io
import resource
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import EnterpriseFactory
from zhuqi.core import tabular
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory import importers
from zhuqi.directory.models import Enterprise, ImportBatch, IndicatorValue

HYPERLINK = '=HYPERLINK("http://x","y")'

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def handmade_xlsx(sheet_data: str, dimension: str = "A1:B2") -> bytes:
    """A minimal workbook written by hand, as an attacker would: one sheet with the given rows."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(filename: str, content: bytes, world) -> ZhuqiError:
    with pytest.raises(ZhuqiError) as exc:
        importers.import_check(
            kind="indicators", filename=filename, content=content, acting_user=world.users["coordinator"]
        )
    assert not ImportBatch.objects.exists()
    return exc.value


def test_a_declared_full_sheet_with_one_far_cell_is_read_without_building_the_grid():
    content = handmade_xlsx(
        f"<row r='1'>{inline('A1', '统一社会信用代码')}{inline('B1', '期间')}</row>"
        f"<row r='1048576'>{inline('B1048576', '2024')}</row>",
        dimension="A1:XFD1048576",
    )
    assert len(content) < 2000  # about 1.5 KB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB, the process's high-water mark
    table = tabular.read_rows("forged.xlsx", content)
    # Padded to the declared 16,384 columns the grid would take gigabytes (the worker was killed).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024
    assert table.headers == ["统一社会信用代码", "期间"]
    assert table.rows == [(1048576, {"统一社会信用代码": "", "期间": "2024"})]


def test_a_row_number_beyond_the_last_row_of_a_sheet_is_refused(db, world):
    content = handmade_xlsx(
        f"<row r='1'>{inline('A1', '统一社会信用代码')}</row><row r='99999999999'>{inline('A99999999999', 'x')}</row>"
    )
    error = refused("forged.xlsx", content, world)
    assert error.code in ("file_too_large", "file_unreadable") and 400 <= error.status < 500


def test_a_zip_bomb_is_refused_before_it_is_inflated(db, world, settings):
    settings.ZHUQI_IMPORT_MAX_UNZIPPED_MB = 1
    out = io.BytesIO(xlsx([["统一社会信用代码", "期间", "营业收入"]]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    content = out.getvalue()
    assert len(content) < 40_000  # 2 MB inflated from a few kilobytes
    error = refused("bomb.xlsx", content, world)
    assert (error.code, error.status) == ("file_too_large", 413)
    assert "MB" in str(error.message)


def test_a_file_that_is_not_a_zip_is_unreadable(db, world):
    error = refused("x.xlsx", b"<html><script>alert(1)</script></html>", world)
    assert (error.code, error.status) == ("file_unreadable", 422)


def test_nul_bytes_in_a_csv_are_a_row_error_and_the_other_rows_import(db, world):
    user = world.users["coordinator"]
    content = (
        "统一社会信用代码,期间,营业收入\n"
        f"{world.a.uscc},2024,100\n"
        f"{world.b.uscc},20\x0024,200\n"
        f"{world.b.uscc},2025,300\n"
    ).encode()
    batch = importers.import_check(kind="indicators", filename="x.csv", content=content, acting_user=user)
    assert [(e["row"], e["code"]) for e in batch.errors] == [(3, "nul_character")]
    assert (
        batch.errors[0]["message"] and batch.errors[0]["message_en"] == "The cell contains a NUL character."
    )
    assert (batch.total_rows, batch.valid_rows) == (3, 2)
    assert not IndicatorValue.objects.exists()
    with pytest.raises(ZhuqiError):
        importers.import_apply(batch=batch, acting_user=user)  # not every row is valid
    assert not IndicatorValue.objects.exists()
    importers.import_apply(batch=batch, acting_user=user, valid_only=True)
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal(100), Decimal(300)]


def test_a_csv_cell_over_128_kb_is_a_row_error_not_a_server_error(db, world):
    user = world.users["coordinator"]
    content = (
        f"统一社会信用代码,期间,营业收入\n{world.a.uscc},2024,{'9' * 200_000}\n{world.b.uscc},2025,300\n"
    ).encode()
    batch = importers.import_check(kind="indicators", filename="x.csv", content=content, acting_user=user)
    assert [(e["row"], e["code"]) for e in batch.errors] == [(2, "row_unreadable")]
    assert "131072" in batch.errors[0]["message_en"]
    assert batch.valid_rows == 1


def test_an_xlsx_cell_over_128_kb_is_a_row_error(db, world):
    user = world.users["coordinator"]
    # openpyxl cuts text to Excel's 32,767 characters when it writes; a forged file is not cut.
    content = handmade_xlsx(
        f"<row r='1'>{inline('A1', '统一社会信用代码')}{inline('B1', '期间')}{inline('C1', '营业收入')}</row>"
        f"<row r='2'>{inline('A2', world.a.uscc)}{inline('B2', '2024')}{inline('C2', 'x' * 140_000)}</row>"
        f"<row r='3'>{inline('A3', world.b.uscc)}{inline('B3', '2024')}<c r='C3'><v>5</v></c></row>"
    )
    batch = importers.import_check(kind="indicators", filename="x.xlsx", content=content, acting_user=user)
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors] == [(2, "营业收入", "cell_too_long")]
    assert batch.valid_rows == 1


def test_too_many_rows_are_refused_whole_with_a_bilingual_message(db, world, settings):
    settings.ZHUQI_IMPORT_MAX_ROWS = 3
    rows = [["统一社会信用代码", "期间", "营业收入"]] + [[world.a.uscc, str(2020 + i), i] for i in range(4)]
    for name, content in (
        ("x.xlsx", xlsx(rows)),
        ("x.csv", "\n".join(",".join(map(str, r)) for r in rows).encode()),
    ):
        error = refused(name, content, world)
        assert (error.code, error.status) == ("file_too_large", 413)
        from zhuqi.core.errors import bilingual

        text = bilingual(error.message)
        assert text["message_en"] == "The file has more than 3 rows; split it."
        assert "3" in text["message"] and text["message"] != text["message_en"]


def test_too_many_columns_are_refused(db, world):
    error = refused("x.xlsx", xlsx([["统一社会信用代码", *[f"c{i}" for i in range(300)]]]), world)
    assert (error.code, error.status) == ("too_many_columns", 422)


def test_the_import_file_size_is_bounded_on_the_page_and_the_api(client, world, settings):
    settings.ZHUQI_IMPORT_MAX_MB = 1
    big = io.BytesIO(b"a,b\n" + b"1,2\n" * 300_000)
    big.name = "big.csv"
    client.force_login(world.users["coordinator"])
    r = client.post("/api/v1/imports", {"kind": "indicators", "file": big})
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    big.seek(0)
    r = client.post("/imports/", {"kind": "indicators", "file": big})
    assert r.status_code == 422 and "1 MB" in r.content.decode()
    assert not ImportBatch.objects.exists()


# --- Writing: formulas are never written ------------------------------------------------------


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_text_that_looks_like_a_formula_is_written_as_quoted_text_and_numbers_stay_numbers():
    content = tabular.write_xlsx(
        "t",
        ["a", "b", "c"],
        [[HYPERLINK, Decimal("12.50"), "+86 1"], ["-1", 3, "@SUM(A1)"], ["\tx", None, "ok"]],
    )
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {c.coordinate: c for row in sheet.iter_rows() for c in row}
    for ref in ("A2", "C2", "A3", "C3", "A4"):
        assert cells[ref].data_type == "s" and cells[ref].quotePrefix, ref
    assert cells["A2"].value == HYPERLINK  # unchanged: it imports back as it was
    assert cells["B2"].data_type == "n" and cells["B3"].value == 3
    assert not cells["C4"].quotePrefix


def test_an_export_with_formula_like_text_imports_back_unchanged(world):
    user = world.users["coordinator"]
    EnterpriseFactory(town=world.towns[0], name="=东莞市公式有限公司", address='=HYPERLINK("http://x","y")')
    EnterpriseFactory(town=world.towns[1], name="+东莞市加号有限公司", address="-3号")
    before = sorted(Enterprise.objects.values_list("uscc", "name", "address", "updated_at"))
    content = importers.export_enterprises(Enterprise.objects.all())
    assert "<f>" not in sheet_xml(content)
    batch = importers.import_check(kind="enterprises", filename="x.xlsx", content=content, acting_user=user)
    assert batch.errors == []
    batch = importers.import_apply(batch=batch, acting_user=user)
    assert batch.result["unchanged"] == 4
    assert sorted(Enterprise.objects.values_list("uscc", "name", "address", "updated_at")) == before
