"""Reading and writing the spreadsheets people actually exchange: .xlsx, and .csv in UTF-8 or GB18030."""

import csv
import io
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from zhuqi.core.errors import ZhuqiError


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header names and (spreadsheet row number, {header: text}) for every non-empty row."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        grid = _xlsx_grid(content)
    elif name.endswith(".csv"):
        grid = _csv_grid(content)
    else:
        raise ZhuqiError("file_type", _("Only .xlsx and .csv files can be imported."), status=415)
    if not grid:
        raise ZhuqiError("file_empty", _("The file is empty."), status=422)
    headers = [h.strip() for h in grid[0]]
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers) if h})
        )
    return headers, rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _xlsx_grid(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise ZhuqiError(
            "file_unreadable", _("The file is not a readable .xlsx workbook."), status=422
        ) from exc
    sheet = book.worksheets[0]
    return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _csv_grid(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ZhuqiError("file_encoding", _("The CSV file is neither UTF-8 nor GB18030 text."), status=422)
    return [row for row in csv.reader(io.StringIO(text))]


def write_xlsx(sheet_title: str, headers: list[str], rows) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
