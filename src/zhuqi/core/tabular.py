"""Reading and writing the spreadsheets people actually exchange: .xlsx, and .csv in UTF-8 or GB18030.

One reader serves every import kind and one writer every export, so the limits and the neutralising
of formulas hold everywhere.

Reading streams and checks its limits before building anything: the file's size, the declared
(uncompressed) sizes of the parts of an .xlsx (a zip bomb is refused before one byte is inflated,
and Python's zipfile never inflates more than an entry declares), the number of non-empty rows, the
number of columns and the length of a cell. The dimension an .xlsx declares is ignored: openpyxl pads
every row to it, so a 1.5 KB file declaring A1:XFD1048576 would otherwise build a grid of 17 billion
cells. A cell that cannot be stored (a NUL character, more than CELL_MAX_CHARS characters) is a row
problem reported with the row, not a failure of the whole file.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from zhuqi.core.errors import Message, ZhuqiError

# Python's csv module refuses longer fields by default; .xlsx cells get the same bound.
CELL_MAX_CHARS = 128 * 1024
XLSX_MAX_ROW = 1_048_576  # the last row of a sheet; also the most lines (blank ones too) read from a file
XLSX_MAX_PARTS = 10_000  # entries of the zip; Excel writes a few dozen
# A text starting with one of these is taken as a formula by Excel, WPS or LibreOffice (OWASP "CSV
# injection"); the full-width forms too, since Chinese input methods type them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@dataclass
class Table:
    """What a file holds: header names, (row number, {header: text}) for each non-empty row, and the
    rows that could not be read, as (row number, column, code, message)."""

    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[tuple[int, str, str, Message]] = field(default_factory=list)


def check_size(size: int) -> None:
    """Refuses a file larger than ZHUQI_IMPORT_MAX_MB; call it before reading an upload into memory."""
    if size > settings.ZHUQI_IMPORT_MAX_MB * 1024 * 1024:
        raise ZhuqiError(
            "file_too_large",
            Message(
                _("The file is larger than %(mb)d MB; split it into smaller files."),
                {"mb": settings.ZHUQI_IMPORT_MAX_MB},
            ),
            status=413,
            field="file",
        )
    if size == 0:
        raise ZhuqiError("file_empty", _("The file is empty."), status=422, field="file")


def read_rows(filename: str, content: bytes) -> Table:
    check_size(len(content))
    name = filename.lower()
    if name.endswith(".xlsx"):
        grid = _xlsx_rows(content)
    elif name.endswith(".csv"):
        grid = _csv_rows(content)
    else:
        raise ZhuqiError("file_type", _("Only .xlsx and .csv files can be imported."), status=415)
    return _table(grid)


def _table(grid) -> Table:
    """Builds the table from (row number, [values] or a row problem), stopping at the first limit."""
    max_rows, max_columns = settings.ZHUQI_IMPORT_MAX_ROWS, settings.ZHUQI_IMPORT_MAX_COLUMNS
    headers: list[str] | None = None
    table = Table([], [])
    for number, cells in grid:
        if number > XLSX_MAX_ROW:  # blank lines count too: each costs a step
            raise _too_many_lines()
        if isinstance(cells, Message):
            table.problems.append((number, "", "row_unreadable", cells))
            continue
        if not cells:
            continue
        cells = [_text(v) for v in cells]
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > max_columns:
            raise ZhuqiError(
                "too_many_columns",
                Message(
                    _("Row %(row)d has %(n)d columns; a file may have at most %(max)d."),
                    {"row": number, "n": len(cells), "max": max_columns},
                ),
                status=422,
            )
        if headers is None:
            if not cells:
                continue  # blank lines above the header row
            headers = [h.strip() for h in cells]
            table.headers = headers
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(table.rows) + len(table.problems) >= max_rows:
            raise _too_many_rows(max_rows)
        problem = _cell_problem(headers, cells)
        if problem:
            table.problems.append((number, *problem))
            continue
        table.rows.append(
            (number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers) if h})
        )
    if headers is None:
        raise ZhuqiError("file_empty", _("The file is empty."), status=422)
    return table


def _cell_problem(headers: list[str], cells: list[str]) -> tuple[str, str, Message] | None:
    for i, text in enumerate(cells):
        column = headers[i] if i < len(headers) else ""
        if "\x00" in text:
            return column, "nul_character", Message(_("The cell contains a NUL character."))
        if len(text) > CELL_MAX_CHARS:
            return (
                column,
                "cell_too_long",
                Message(_("The cell is longer than %(n)d characters."), {"n": CELL_MAX_CHARS}),
            )
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _too_many_lines() -> ZhuqiError:
    return _too_many_rows(XLSX_MAX_ROW)


def _too_many_rows(limit: int) -> ZhuqiError:
    return ZhuqiError(
        "file_too_large",
        Message(_("The file has more than %(max)d rows; split it."), {"max": limit}),
        status=413,
    )


def _unreadable() -> ZhuqiError:
    return ZhuqiError("file_unreadable", _("The file is not a readable .xlsx workbook."), status=422)


def _check_zip(content: bytes) -> None:
    """Refuses a workbook whose parts would inflate beyond ZHUQI_IMPORT_MAX_UNZIPPED_MB."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _unreadable() from exc
    limit = settings.ZHUQI_IMPORT_MAX_UNZIPPED_MB * 1024 * 1024
    if len(parts) > XLSX_MAX_PARTS or sum(p.file_size for p in parts) > limit:
        raise ZhuqiError(
            "file_too_large",
            Message(
                _("The workbook unpacks to more than %(mb)d MB; split it into smaller files."),
                {"mb": settings.ZHUQI_IMPORT_MAX_UNZIPPED_MB},
            ),
            status=413,
        )


def _xlsx_rows(content: bytes):
    _check_zip(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise _unreadable() from exc
    # The declared dimension is the file's claim: without it each row is as wide as its last cell.
    sheet.reset_dimensions()
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > XLSX_MAX_ROW:
                raise _too_many_lines()
            if values:  # a missing row comes as () and costs nothing more
                yield number, values
    except ZhuqiError:
        raise
    except Exception as exc:  # the sheet's XML is parsed while iterating
        raise _unreadable() from exc
    finally:
        book.close()


def _csv_rows(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ZhuqiError("file_encoding", _("The CSV file is neither UTF-8 nor GB18030 text."), status=422)
    reader = csv.reader(io.StringIO(text))
    number = 0  # records, not lines: a quoted cell may hold line breaks and is still one row
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # A field over the csv module's limit (CELL_MAX_CHARS): the reader goes on at the next line.
            yield (
                number,
                Message(_("A cell is longer than %(n)d characters."), {"n": CELL_MAX_CHARS}),
            )
            continue
        yield number, values


# --- Writing ---------------------------------------------------------------------------------


def safe_text(value: str) -> bool:
    """Whether a spreadsheet program would take this text as text even after a user edits it."""
    return not value.startswith(FORMULA_STARTS)


def _cell(sheet, value, number_format: str | None = None):
    """Numbers stay numbers; text is always a string cell, never a formula. A text a spreadsheet
    program would read as a formula is also marked quote-prefixed (what Excel stores for '=…), so
    editing the cell keeps it text. The value itself is unchanged, so an exported file imports back
    as it was."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # openpyxl would make a text starting with "=" a formula
        if not safe_text(value):
            cell.quotePrefix = True
        return cell
    if number_format and value is not None:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell
    return value


def write_xlsx(
    sheet_title: str,
    headers: list[str],
    rows,
    *,
    widths: list[int] | None = None,
    number_formats: dict[int, str] | None = None,
) -> bytes:
    """One sheet with a bold, frozen header row; every spreadsheet the platform writes goes through
    here. Rows are streamed (a write-only workbook holds one row at a time). number_formats maps a
    0-based column to an Excel number format."""
    number_formats = number_formats or {}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers):
        width = widths[i] if widths else max(12, len(header) * 2 + 2)
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    header_cells = []
    for header in headers:
        cell = _cell(sheet, header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, v, number_formats.get(i)) for i, v in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
