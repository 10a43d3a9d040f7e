"""Industry chain, matchmaking event and quota endpoints (signed-in people; no token scope)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.chains import selectors, services
from zhuqi.chains.models import Event, Partner
from zhuqi.core.http import Page
from zhuqi.core.schemas import Key, Period, Year, column, text
from zhuqi.directory.selectors import department_by_code, enterprise_get, town_by_code

router = Router(tags=["chains"])


class ChainOut(Schema):
    code: str
    name: str
    leader: str | None
    lead_enterprise: str | None
    lead_department: str | None
    source: str
    member_count: int
    open_gaps: int
    open_tasks: int

    @staticmethod
    def resolve_leader(c) -> str | None:
        return str(c.leader) if c.leader else None

    @staticmethod
    def resolve_lead_enterprise(c) -> str | None:
        return c.lead_enterprise.name if c.lead_enterprise else None

    @staticmethod
    def resolve_lead_department(c) -> str | None:
        return str(c.lead_department) if c.lead_department else None


class ChainMemberOut(Schema):
    enterprise_uscc: str
    enterprise_name: str
    position: str
    product: str
    revenue: float | None
    revenue_growth: float | None
    tax: float | None
    open_appeals: int


class ChainCandidateOut(Schema):
    name: str
    status: str


class ChainGapOut(Schema):
    kind: str
    position: str
    title: str
    filled_by: str | None
    candidates: list[ChainCandidateOut]


class ChainDetailOut(Schema):
    code: str
    name: str
    plan: str
    year: int | None
    revenue: float | None
    revenue_growth: float | None
    tax: float | None
    open_appeals: int
    members: list[ChainMemberOut]
    gaps: list[ChainGapOut]


@router.get("/chains", response=list[ChainOut])
def chain_list(request):
    """The chains in the caller's scope with their members, open weak links and open tasks."""
    return selectors.chain_list(request.user)


@router.get("/chains/{code}", response=ChainDetailOut)
def chain_detail(request, code: Key):
    """A chain with its members' figures (latest full year, best values) and its weak links."""
    chain = selectors.chain_get(request.user, code)
    figures = selectors.member_figures(chain)
    return {
        "code": chain.code,
        "name": chain.name,
        "plan": chain.plan,
        "year": figures["year"],
        "revenue": figures["revenue"],
        "revenue_growth": figures["revenue_growth"],
        "tax": figures["tax"],
        "open_appeals": figures["open_appeals"],
        "members": [
            {
                "enterprise_uscc": r["member"].enterprise.uscc,
                "enterprise_name": r["member"].enterprise.name,
                "position": r["member"].position,
                "product": r["member"].product,
                "revenue": r["revenue"],
                "revenue_growth": r["revenue_growth"],
                "tax": r["tax"],
                "open_appeals": r["open_appeals"],
            }
            for r in figures["rows"]
        ],
        "gaps": [
            {
                "kind": g.kind,
                "position": g.position,
                "title": g.title,
                "filled_by": g.filled_by.name if g.filled_by else None,
                "candidates": [{"name": c.name, "status": c.status} for c in g.candidates.all()],
            }
            for g in chain.gaps.select_related("filled_by").prefetch_related("candidates")
        ],
    }


class MatchmakingEventFilters(Schema):
    year: Year | None = None
    kind: Key = ""
    chain: Key = ""
    state: Key = ""


class MatchmakingEventOut(Schema):
    number: str
    kind: str
    title: str
    held_on: date
    place: str
    state: str
    organiser_department: str | None
    organiser_town: str | None
    chain: str | None
    enterprise_count: int = 0

    @staticmethod
    def resolve_organiser_department(e) -> str | None:
        return e.organiser_department.code if e.organiser_department else None

    @staticmethod
    def resolve_organiser_town(e) -> str | None:
        return e.organiser_town.code if e.organiser_town else None

    @staticmethod
    def resolve_chain(e) -> str | None:
        return e.chain.code if e.chain else None


class MatchmakingOutcomeOut(Schema):
    kind: str
    enterprise: str | None
    partner: str
    value: Decimal | None
    people: int | None
    follow_up_on: date | None
    followed_up_on: date | None


class MatchmakingEventDetailOut(Schema):
    number: str
    kind: str
    title: str
    held_on: date
    place: str
    state: str
    organiser_department: str | None
    organiser_town: str | None
    chain: str | None
    enterprise_count: int
    enterprises: list[str]
    partners: list[str]
    outcomes: list[MatchmakingOutcomeOut]


@router.get("/matchmaking-events", response=list[MatchmakingEventOut])
@paginate(Page)
def event_list(request, filters: Query[MatchmakingEventFilters]):
    """Matchmaking events in the caller's scope, the newest first."""
    return selectors.event_search(request.user, **filters.dict())


def _event_detail(user, number: str) -> dict:
    e = selectors.event_get(user, number)
    return {
        "number": e.number,
        "kind": e.kind,
        "title": e.title,
        "held_on": e.held_on,
        "place": e.place,
        "state": e.state,
        "organiser_department": e.organiser_department.code if e.organiser_department else None,
        "organiser_town": e.organiser_town.code if e.organiser_town else None,
        "chain": e.chain.code if e.chain else None,
        "enterprise_count": e.enterprises.count(),
        "enterprises": list(e.enterprises.values_list("uscc", flat=True)),
        "partners": list(e.partners.values_list("name", flat=True)),
        "outcomes": [
            {
                "kind": o.kind,
                "enterprise": o.enterprise.uscc if o.enterprise else None,
                "partner": o.partner,
                "value": o.value,
                "people": o.people,
                "follow_up_on": o.follow_up_on,
                "followed_up_on": o.followed_up_on,
            }
            for o in e.outcomes.select_related("enterprise")
        ],
    }


@router.get("/matchmaking-events/{number}", response=MatchmakingEventDetailOut)
def event_detail(request, number: Key):
    return _event_detail(request.user, number)


class MatchmakingPartnerIn(Schema):
    kind: column(Partner, "kind")
    name: column(Partner, "name", min_length=1)


class MatchmakingEventIn(Schema):
    kind: column(Event, "kind")
    title: column(Event, "title", min_length=1)
    held_on: Period
    organiser_department: Key = ""
    organiser_town: Key = ""
    place: column(Event, "place") = ""
    chain: Key = ""
    enterprises: Annotated[list[Key], Field(max_length=200)] = []
    partners: Annotated[list[MatchmakingPartnerIn], Field(max_length=50)] = []
    held: bool = False
    note: text(5000) = ""


@router.post("/matchmaking-events", response={201: MatchmakingEventDetailOut})
def event_create(request, payload: MatchmakingEventIn):
    """Records a matchmaking event organised by a department or a town (planned, or held)."""
    event = services.event_create(
        acting_user=request.user,
        kind=payload.kind,
        title=payload.title,
        held_on=payload.held_on,
        organiser_department=department_by_code(payload.organiser_department, field="organiser_department")
        if payload.organiser_department
        else None,
        organiser_town=town_by_code(payload.organiser_town, field="organiser_town")
        if payload.organiser_town
        else None,
        place=payload.place,
        chain=selectors.chains_visible_to(request.user).filter(code=payload.chain).first()
        if payload.chain
        else None,
        enterprises=[enterprise_get(request.user, code, field="enterprises") for code in payload.enterprises],
        partners=[(p.kind, p.name) for p in payload.partners],
        note=payload.note,
        held=payload.held,
    )
    return Status(201, _event_detail(request.user, event.number))


class EventQuotaRowOut(Schema):
    kind: str
    scope: str
    organiser: str | None
    minimum: int
    done: int
    expected: int
    status: str
    by_month: list[int]
    source: str


@router.get("/event-quotas/progress", response=list[EventQuotaRowOut])
def quota_progress(request, year: Year | None = None):
    """Each organiser against its yearly quota, counted today (or at the end of a past year)."""
    today = timezone.localdate()
    year = year or today.year
    return [
        {
            "kind": r.quota.kind,
            "scope": r.quota.scope,
            "organiser": getattr(r.organiser, "code", None),
            "minimum": r.quota.minimum,
            "done": r.done,
            "expected": r.expected,
            "status": r.status,
            "by_month": r.by_month,
            "source": r.quota.source,
        }
        for r in selectors.quota_progress(request.user, year, today)
    ]
