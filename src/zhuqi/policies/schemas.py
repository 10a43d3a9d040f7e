from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


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
    title: str | None = None
    source: str | None = None
    department: str | None = None
    condition: str | None = None
    amount: str | None = None
    auto_grant: bool | None = None
    exclusive_group: str | None = None
    budget: Decimal | None = Field(None, ge=0)
    clear_budget: bool = False


class PackIn(Schema):
    yaml: str = Field(..., min_length=1)


class PackOut(Schema):
    code: str
    title: str
    version: int
    updated_at: datetime


class PeriodIn(Schema):
    period: date


class MatchRunOut(Schema):
    id: int
    period: date
    enterprises: int
    clauses: int
    eligible: int
    unknown: int
    newly_eligible: int
    seconds: float


class StandingOut(Schema):
    clause: ClauseOut
    status: str
    amount: Decimal | None
    amount_needs_inputs: bool
    nothing_to_grant: bool = False  # every condition holds but the amount is 0 yuan: not eligible
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
    clause_code: str
    year: int = Field(..., ge=2000, le=2100)
    inputs: dict = {}
    project: str = ""
    enterprise_uscc: str | None = None


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
    amount: Decimal
    comment: str = ""


class ReasonIn(Schema):
    reason: str = ""


class OfferRunOut(Schema):
    year: int
    created: int
    already_offered: int
    unverified: int
    over_budget: int


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
    bank_name: str = ""
    account_name: str = ""
    account_number: str = ""


class BatchOut(Schema):
    number: str
    created_at: datetime
    total: Decimal
    paid_at: datetime | None
    offer_count: int = 0
