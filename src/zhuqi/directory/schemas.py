from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from zhuqi.core.schemas import Key, Year, column
from zhuqi.directory.models import Enterprise, IndicatorValue, PeriodType, Source, Tag, Town


class TownOut(Schema):
    code: str
    name: str
    kind: str


class CategoryOut(Schema):
    code: str
    name: str
    parent_code: str | None = Field(None, alias="parent.code")


class DepartmentOut(Schema):
    code: str
    name: str
    level: str
    town_code: str | None = Field(None, alias="town.code")
    categories: list[str]

    @staticmethod
    def resolve_categories(obj):
        return [c.code for c in obj.categories.all()]


class EnterpriseOut(Schema):
    uscc: str
    name: str
    town_code: str = Field(..., alias="town.code")
    town_name: str = Field(..., alias="town.name")
    industry_code: str
    ownership: str
    listing: str
    size: str
    doubling_class: str
    address: str


class ContactOut(Schema):
    name: str
    title: str
    mobile: str
    email: str
    is_primary: bool


class EnterpriseDetailOut(EnterpriseOut):
    tags: list[str]
    contacts: list[ContactOut]
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj):
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


class EnterpriseIn(Schema):
    uscc: Key = Field(..., description="统一社会信用代码, checked against GB 32100-2015")
    name: column(Enterprise, "name")
    town_code: column(Town, "code")
    industry_code: Key = ""
    ownership: Enterprise.Ownership = Enterprise.Ownership.PRIVATE
    listing: Enterprise.Listing = Enterprise.Listing.NONE
    size: Enterprise.Size = Enterprise.Size.SMALL
    doubling_class: Enterprise.DoublingClass | Literal[""] = ""
    address: column(Enterprise, "address") = ""
    tags: Annotated[list[column(Tag, "name")], Field(max_length=100)] = []


class IndicatorValueOut(Schema):
    indicator: str
    period_type: str
    year: int
    period_no: int
    value: Decimal
    source: str
    verified: bool


class IndicatorValueIn(Schema):
    uscc: Key
    indicator: Key
    period_type: PeriodType = PeriodType.YEAR
    year: Year = Field(..., ge=1990)
    period_no: int = Field(1, ge=1, le=12)
    value: column(IndicatorValue, "value", ge=None)
    # With a token the source is the token's feed (a different one is refused); a person names it.
    source: Source | None = None
    # Only a person holding verify_indicators may send true; a token never may.
    verified: bool = False


# One feed post carries at most this many values; larger feeds post in parts.
FEED_MAX_VALUES = 10_000


class UpsertCounts(Schema):
    created: int
    updated: int
    unchanged: int


class ImportErrorOut(Schema):
    row: int
    column: str
    code: str
    message: str
    message_en: str


class ImportBatchOut(Schema):
    id: int
    kind: str
    filename: str
    status: str
    total_rows: int
    valid_rows: int
    errors: list[ImportErrorOut]
    result: dict
