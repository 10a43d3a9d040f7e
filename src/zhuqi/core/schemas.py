"""Schemas shared by every app's API, and the bounded input types every schema is written with.

Every input of the API has a bound the OpenAPI document declares and pydantic enforces before any
code runs, so a refusal is a 422 in the one error shape and never a 500 from the database:

- text: at most the length of the column it is stored in (`column(Model, "field")` reads it from the
  model, so the schema and the table cannot drift apart), and never a NUL character, which
  PostgreSQL refuses in text;
- whole numbers: within the range of the column they are compared with (ids and page numbers are
  bigint; a year is a calendar year Python's dates can hold);
- amounts: the digits and decimal places of their DecimalField;
- digits are ASCII digits (`0-9`); a full-width or Arabic-Indic digit is refused, not converted.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db import models
from ninja import Header, Schema
from pydantic import Field, StringConstraints

# Refuses NUL (PostgreSQL cannot store it in text) anywhere in the string. Declared as a pattern so the
# OpenAPI document says it and generated clients (and schemathesis) know it.
NO_NUL = r"^[^\x00]*$"
# The range of PostgreSQL's bigint, the type of every id (BigAutoField) and of what is counted.
BIGINT_MAX = 2**63 - 1
# What Python's date can hold, narrowed to years a government platform deals with.
YEAR_MIN, YEAR_MAX = 1900, 2100
# Free text that has no column of its own (a comment, a reason, a reply kept in a TextField).
LONG_TEXT = 10_000

_INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "PositiveSmallIntegerField": (0, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "PositiveIntegerField": (0, 2147483647),
    "BigIntegerField": (-BIGINT_MAX - 1, BIGINT_MAX),
    "PositiveBigIntegerField": (0, BIGINT_MAX),
    "AutoField": (1, 2147483647),
    "BigAutoField": (1, BIGINT_MAX),
}


def text(max_length: int, *, min_length: int = 0, pattern: str = NO_NUL, **field: Any) -> Any:
    """A string of at most `max_length` characters with no NUL (or matching `pattern`, whose own
    character classes must exclude NUL)."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern),
        Field(**field) if field else Field(),
    ]


def whole(ge: int, le: int, **field: Any) -> Any:
    """A whole number in [ge, le]; strings of ASCII digits are read, anything else is refused."""
    return Annotated[int, Field(ge=ge, le=le, **field)]


def amount(max_digits: int, decimal_places: int, *, ge: Decimal | int | None = 0, **field: Any) -> Any:
    return Annotated[Decimal, Field(max_digits=max_digits, decimal_places=decimal_places, ge=ge, **field)]


def column(model: type[models.Model], name: str, *, min_length: int = 0, **field: Any) -> Any:
    """The input type of a model field: its length, range or digits, taken from the model."""
    f = model._meta.get_field(name)
    kind = f.get_internal_type()
    if isinstance(f, models.CharField):
        return text(f.max_length, min_length=min_length, **field)
    if isinstance(f, models.DecimalField):
        return amount(f.max_digits, f.decimal_places, **field)
    if kind in _INTEGER_RANGES:
        ge, le = _INTEGER_RANGES[kind]
        return whole(ge, le, **field)
    if isinstance(f, models.TextField):
        return text(LONG_TEXT, min_length=min_length, **field)
    raise TypeError(f"no bounded input type for {model.__name__}.{name} ({kind})")


def parse_whole(text: str | None, ge: int, le: int) -> int | None:
    """A form's whole number: ASCII digits only, within [ge, le]; None otherwise. `str.isdigit()` is
    true for "²" and "１", which int() then refuses or reads: a 500 on a page, or a number nobody
    typed."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if ge <= number <= le else None


Id = whole(1, BIGINT_MAX)
Year = whole(YEAR_MIN, YEAR_MAX)
# A reference typed by people or systems: an appeal or application number, a code, a USCC, a query.
Key = text(100)
SearchText = text(200)
Comment = text(LONG_TEXT)
Period = Annotated[date, Field(ge=date(YEAR_MIN, 1, 1), le=date(YEAR_MAX, 12, 31))]
# An input a clause asks for (a number, yes/no or a short text), by name; a few dozen at most.
InputValue = bool | Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)] | text(200)
Inputs = Annotated[dict[text(64, min_length=1), InputValue], Field(max_length=50)]


def idempotency_header(model: type[models.Model]) -> Any:
    """The Idempotency-Key header: printable ASCII, as long as the column that keeps it."""
    length = model._meta.get_field("idempotency_key").max_length
    return Header(None, alias="Idempotency-Key", min_length=1, max_length=length, pattern=r"^[\x21-\x7e]+$")


class ErrorDetail(Schema):
    field: str
    problem: str


class ErrorOut(Schema):
    """Every refusal: a code to act on, the message in Chinese and English, and the field at fault."""

    code: str
    message: str
    message_en: str
    field: str | None = None
    details: list[ErrorDetail] | None = None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class JobOut(Schema):
    """A background job: poll `status_url` until `state` is done or failed, then fetch `download_url`."""

    id: int
    kind: str
    state: str
    done: int
    total: int
    message: str
    message_en: str
    result: dict
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    status_url: str
    download_url: str | None

    @staticmethod
    def resolve_status_url(job) -> str:
        return f"/api/v1/jobs/{job.id}"

    @staticmethod
    def resolve_download_url(job) -> str | None:
        return f"/api/v1/jobs/{job.id}/file" if job.result_path else None
