"""Tier endpoints: recognitions (read, record, revoke), candidates of a year's assessment, an
enterprise's tier status, and the assessment run as a job. Thin: parse, call a selector or service."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Id, JobOut, Key, Period, SearchText, Year, column
from zhuqi.directory.selectors import enterprise_get
from zhuqi.tiers import selectors, services, status
from zhuqi.tiers.models import Recognition

router = Router(tags=["tiers"])
NOT_FOUND = _("Not found.")

TierCode = Literal["innovative", "specialised", "little_giant"]
LevelCode = Literal["national", "provincial", "city"]


class TierRecognitionOut(Schema):
    id: int
    enterprise_uscc: str = Field(alias="enterprise.uscc")
    enterprise_name: str = Field(alias="enterprise.name")
    tier: str
    level: str
    document: str
    recognised_on: date
    expires_on: date | None
    revoked_on: date | None
    revoked_reason: str


class TierRecognitionFilters(Schema):
    tier: TierCode | Literal[""] = ""
    level: LevelCode | Literal[""] = ""
    state: Literal["", "in_force", "expiring", "ended"] = ""
    q: SearchText = ""


class TierRecognitionIn(Schema):
    enterprise_uscc: Key
    tier: TierCode
    level: LevelCode
    document: column(Recognition, "document", min_length=1)
    recognised_on: Period
    expires_on: Period | None = None
    note: column(Recognition, "note") = ""


class TierRevokeIn(Schema):
    revoked_on: Period
    reason: column(Recognition, "revoked_reason", min_length=1)


class TierCandidateOut(Schema):
    enterprise_uscc: str = Field(alias="enterprise.uscc")
    enterprise_name: str = Field(alias="enterprise.name")
    year: int
    tier: str
    outcome: str
    score: Decimal | None
    lacking: list[str]
    missing: list[str]


class TierCandidateFilters(Schema):
    year: Year | None = None
    tier: TierCode | Literal[""] = ""
    outcome: Literal["", "meets", "could", "near"] = ""
    q: SearchText = ""


class TierLineOut(Schema):
    label: str
    value: str | None
    holds: bool | None = None
    minimum: Decimal | None = None


class TierStandingOut(Schema):
    tier: str
    eligible: bool
    unknown: bool
    requirements: list[TierLineOut]
    points: list[TierLineOut]
    groups: list[TierLineOut]
    score: Decimal | None
    routes: list[TierLineOut]
    missing: list[str]


class TierStatusOut(Schema):
    held: list[TierRecognitionOut]
    top: str | None
    next: str | None
    next_standing: TierStandingOut | None


class TierYearIn(Schema):
    year: Year


def _require_reader(user) -> None:
    if not permissions.has(user, Capability.READ_TIERS):
        raise NotFound("not_found", NOT_FOUND)


@router.get("/tier-recognitions", response=list[TierRecognitionOut])
@paginate(Page)
def recognition_list(request, filters: Query[TierRecognitionFilters]):
    return selectors.recognition_list(request.user, today=timezone.localdate(), **filters.dict())


@router.post("/tier-recognitions", response={201: TierRecognitionOut})
def recognition_record(request, payload: TierRecognitionIn):
    enterprise = enterprise_get(request.user, payload.enterprise_uscc)
    data = payload.dict(exclude={"enterprise_uscc"})
    return Status(201, services.recognition_record(enterprise=enterprise, acting_user=request.user, **data))


@router.post("/tier-recognitions/{recognition_id}/revoke", response=TierRecognitionOut)
def recognition_revoke(request, recognition_id: Id, payload: TierRevokeIn):
    found = selectors.recognitions_visible_to(request.user).filter(pk=recognition_id).first()
    if found is None:
        raise NotFound("not_found", NOT_FOUND)
    return services.recognition_revoke(recognition=found, acting_user=request.user, **payload.dict())


@router.get("/tier-candidates", response=list[TierCandidateOut])
@paginate(Page)
def candidate_list(request, filters: Query[TierCandidateFilters]):
    _require_reader(request.user)
    run = selectors.latest_run(filters.year or timezone.localdate().year)
    return selectors.candidate_list(
        request.user, run, tier=filters.tier, outcome=filters.outcome, q=filters.q
    )


def _lines(lines) -> list[dict]:
    return [
        {
            "label": line.label,
            "value": None if line.value is None else str(line.value),
            "holds": line.holds,
            "minimum": line.minimum,
        }
        for line in lines
    ]


@router.get("/tier-status/{uscc}", response=TierStatusOut)
def tier_status(request, uscc: Key):
    enterprise = enterprise_get(request.user, uscc)
    if not selectors.may_read(request.user):
        raise NotFound("not_found", NOT_FOUND)
    found = status.status_of(enterprise.pk, timezone.localdate())
    standing = found.next_standing
    return {
        "held": found.held,
        "top": found.top,
        "next": found.next,
        "next_standing": None
        if standing is None
        else {
            "tier": standing.tier,
            "eligible": standing.eligible,
            "unknown": standing.unknown,
            "requirements": _lines(standing.requirements),
            "points": _lines(standing.points),
            "groups": _lines(standing.groups),
            "score": standing.score,
            "routes": _lines(standing.routes),
            "missing": standing.missing,
        },
    }


@router.post("/tier-assessments/run", response={202: JobOut}, tags=["jobs"])
def assessment_run(request, payload: TierYearIn):
    return Status(
        202, jobs.enqueue(kind="tiers.assess", owner=request.user, parameters={"year": payload.year})
    )
