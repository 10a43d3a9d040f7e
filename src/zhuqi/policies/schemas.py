from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from zhuqi.core.schemas import Comment, Inputs, Key, Period, Year, column, text
from zhuqi.policies.models import Application, Clause, GrantOffer

# A pack is a YAML document a person edits; the shipped one is about 30,000 characters.
PACK_MAX_CHARS = 1_000_000


class ClauseOut(Schema):
    code: str
    title: str
    source: str
    policy_code: str = Field(..., alias="policy.code")
    department_name: str
    department_code: str | None = Field(None, alias="department.code")
    auto_grant: bool
    exclusive_group: str
    budget: Decimal | None
    effective_from: date | None
    effective_to: date | None


class PolicyOut(Schema):
    code: str
    title: str
    document_number: str
    issuers: str
    source: str
    pack_code: str = Field(..., alias="pack.code")
    effective_from: date | None
    effective_to: date | None


class ClauseDetailOut(ClauseOut):
    condition: str
    amount_formula: str
    inputs: list[dict]
    parameters: list[dict]


class ClauseEditIn(Schema):
    title: column(Clause, "title", min_length=1) | None = None
    source: column(Clause, "source") | None = None
    department: column(Clause, "department_name") | None = None
    condition: Comment | None = None
    amount: Comment | None = None
    auto_grant: bool | None = None
    exclusive_group: column(Clause, "exclusive_group") | None = None
    budget: column(Clause, "budget") | None = None
    clear_budget: bool = False


class PackIn(Schema):
    yaml: text(PACK_MAX_CHARS, min_length=1)


class PackOut(Schema):
    code: str
    title: str
    version: int
    updated_at: datetime


class PeriodIn(Schema):
    period: Period


class StandingOut(Schema):
    clause: ClauseOut
    status: str
    amount: Decimal | None
    amount_needs_inputs: bool
    nothing_to_grant: bool = False  # every condition holds but the amount is 0 yuan: not eligible
    kind: str = "money"  # or "entitlement": places or quotas (三(十九)(二十)), never paid
    unit: str = "元"
    places: int | None = None  # an entitlement's number of `unit` a year
    checks: list[dict]
    missing_facts: list[dict]
    inputs: list[dict]
    unverified: list[str]


class ClauseStatsOut(Schema):
    code: str
    title: str
    eligible: int = 0
    undecided: int = 0
    potential_total: Decimal = Decimal(0)
    applications: int = 0
    approved_total: Decimal = Decimal(0)
    offers: int = 0
    offered_total: Decimal = Decimal(0)


class ApplicationIn(Schema):
    clause_code: Key
    year: Year = Field(..., ge=2000)
    inputs: Inputs = {}
    project: column(Application, "project") = ""
    enterprise_uscc: Key | None = None


class ApplicationOut(Schema):
    number: str
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    clause_code: str = Field(..., alias="clause.code")
    year: int
    project: str
    inputs: dict
    state: str
    computed_max: Decimal | None
    approved_amount: Decimal | None
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class ApproveIn(Schema):
    amount: column(Application, "approved_amount")
    comment: Comment = ""


class ReasonIn(Schema):
    reason: Comment = ""


class OfferOut(Schema):
    number: str
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    clause_code: str = Field(..., alias="clause.code")
    year: int
    amount: Decimal
    facts: dict
    state: str
    bank_name: str
    account_name: str
    account_number_tail: str
    confirmed_at: datetime | None
    pay_due: datetime | None
    paid_at: datetime | None
    batch_number: str | None = Field(None, alias="batch.number")

    @staticmethod
    def resolve_account_number_tail(obj) -> str:
        return obj.account_number[-4:] if obj.account_number else ""


class ConfirmIn(Schema):
    bank_name: column(GrantOffer, "bank_name") = ""
    account_name: column(GrantOffer, "account_name") = ""
    account_number: column(GrantOffer, "account_number") = ""


class BatchOut(Schema):
    number: str
    created_at: datetime
    total: Decimal
    paid_at: datetime | None
    offer_count: int = 0
