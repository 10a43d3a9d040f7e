"""Cultivation endpoints. Thin: parse, call a selector or a service, answer."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.accounts.models import User
from zhuqi.core import jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Id, JobOut, Key, SearchText, Year, column, text, whole
from zhuqi.cultivation import keylists, ladder, selectors, services
from zhuqi.cultivation.models import HelpNote, KeyList, KeyListEntry, ListKind, Membership, PoolKind
from zhuqi.directory.models import Department, Town
from zhuqi.directory.selectors import department_by_code, enterprise_get, enterprises_visible_to, town_by_code
from zhuqi.projects.models import Project
from zhuqi.projects.selectors import project_get

router = Router(tags=["cultivation"])

PoolKindIn = Literal[tuple(PoolKind.values)]  # type: ignore[valid-type]
ListKindIn = Literal[tuple(ListKind.values)]  # type: ignore[valid-type]


def _this_year() -> int:
    return timezone.localdate().year


class MemberFilters(Schema):
    year: Year | None = Field(None, description="default: this year")
    state: Literal["", "proposed", "admitted", "declined", "exited"] = ""
    town: column(Town, "code") = ""
    q: SearchText = ""


class MemberOut(Schema):
    id: int
    kind: str
    year: int
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    town: str = Field(..., alias="enterprise.town.name")
    state: str
    rank: int | None
    proposed_by_rules: bool
    facts: dict
    entered_on: date | None
    entry_reason: str
    exited_on: date | None
    exit_reason: str
    department: str | None = Field(None, alias="department.code")
    helper: str | None = Field(None, alias="helper.username")


class HelpOut(Schema):
    helped_on: date
    author: str | None = Field(None, alias="author.username")
    text: str


class MemberDetailOut(MemberOut):
    help: list[HelpOut]


class MemberActionIn(Schema):
    reason: column(Membership, "entry_reason") = ""
    department: column(Department, "code") = ""
    helper: column(User, "username") = ""
    text: column(HelpNote, "text") = ""
    helped_on: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


class PoolTargetIn(Schema):
    year: Year
    town: column(Town, "code") = ""
    target: whole(0, services.TARGET_MAX)


class PoolTargetOut(Schema):
    kind: str
    year: int
    town: str | None = Field(None, alias="town.code")
    target: int


class RunIn(Schema):
    kind: Literal[tuple([*PoolKind.values[:4], "lists", *ListKind.values])]  # type: ignore[valid-type]
    year: Year


class KeyListOut(Schema):
    kind: str
    year: int
    state: str
    size: int
    rule: dict
    proposed_at: object | None = None
    published_at: object | None = None
    entered: list[str]
    left: list[str]


class EntryOut(Schema):
    """An entry of a key list: the enterprise, or for the project list (`projects`) the key project
    (its number, name and investment) and the enterprise building it, if any."""

    id: int
    enterprise_uscc: str | None
    enterprise_name: str | None
    project_number: str | None
    project_name: str | None
    investment: Decimal | None
    state: str
    rank: int | None
    score: Decimal | None
    reason: str
    added_by_office: bool


class KeyListActionIn(Schema):
    year: Year
    enterprise_uscc: Key = ""
    project_number: column(Project, "number") = ""
    entry: Id | None = None
    reason: column(KeyListEntry, "reason") = ""
    rule: dict[text(40, min_length=1), whole(0, 10**14) | text(10)] | None = Field(None, max_length=10)


class LadderTownOut(Schema):
    town: str
    target: int | None
    reached: int


class LadderOut(Schema):
    tier: str
    target: int | None
    reached: int
    towns: list[LadderTownOut]


class CultivationYearQuery(Schema):
    year: Year | None = Field(None, description="default: this year")


@router.get("/cultivation/pools/{kind}/members", response=list[MemberOut])
@paginate(Page)
def member_list(request, kind: PoolKindIn, filters: Query[MemberFilters]):
    f = filters.dict()
    return selectors.memberships(request.user, kind=kind, year=f.pop("year") or _this_year(), **f)


@router.get("/cultivation/members/{member_id}", response=MemberDetailOut)
def member_detail(request, member_id: Id):
    found = selectors.membership_get(request.user, member_id)
    found.help = list(found.help_notes.select_related("author"))
    return found


def _department(code: str):
    return department_by_code(code, field="department") if code else None


def _helper(username: str):
    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ZhuqiError(
            "not_a_helper",
            _("A helper is a member of staff who serves enterprises."),
            status=422,
            field="helper",
        )
    return found


@router.post("/cultivation/members/{member_id}/{action}", response=MemberDetailOut)
def member_action(
    request,
    member_id: Id,
    action: Literal["admit", "decline", "exit", "assign", "help"],
    payload: MemberActionIn,
):
    found = selectors.membership_get(request.user, member_id)
    user = request.user
    if action == "admit":
        services.membership_admit(
            membership=found,
            acting_user=user,
            reason=payload.reason,
            department=_department(payload.department),
            helper=_helper(payload.helper),
        )
    elif action == "decline":
        services.membership_decline(membership=found, acting_user=user, reason=payload.reason)
    elif action == "exit":
        services.membership_exit(membership=found, acting_user=user, reason=payload.reason)
    elif action == "assign":
        services.membership_assign(
            membership=found,
            acting_user=user,
            department=_department(payload.department),
            helper=_helper(payload.helper),
        )
    else:
        services.help_note_add(
            membership=found, acting_user=user, text=payload.text, helped_on=payload.helped_on
        )
    return member_detail(request, member_id)


@router.put("/cultivation/pools/{kind}/targets", response=PoolTargetOut)
def target_set(request, kind: PoolKindIn, payload: PoolTargetIn):
    town = town_by_code(payload.town, field="town") if payload.town else None
    return services.target_set(
        kind=kind, year=payload.year, town=town, target=payload.target, acting_user=request.user
    )


@router.post("/cultivation/runs", response={202: JobOut}, tags=["jobs"])
def run(request, payload: RunIn):
    """Queues a batch run: a pool's proposal, the three 小升规 lists (`lists`) or a key list's proposal."""
    parameters = {"kind": payload.kind, "year": payload.year}
    return Status(202, jobs.enqueue(kind="cultivation.propose", owner=request.user, parameters=parameters))


def _key_list(request, kind: str, year: int) -> KeyList:
    return selectors.key_list_get(request.user, kind, year)


@router.get("/cultivation/key-lists/{kind}", response=KeyListOut)
def key_list_detail(request, kind: ListKindIn, q: Query[CultivationYearQuery]):
    found = _key_list(request, kind, q.year or _this_year())
    entered, left = keylists.changes(found)
    code = "number" if kind == ListKind.PROJECTS else "uscc"  # projects by number, enterprises by code
    found.entered = list(selectors.listed_visible(request.user, found, entered).values_list(code, flat=True))
    found.left = list(selectors.listed_visible(request.user, found, left).values_list(code, flat=True))
    return found


@router.get("/cultivation/key-lists/{kind}/entries", response=list[EntryOut])
@paginate(Page)
def key_list_entries(request, kind: ListKindIn, q: Query[CultivationYearQuery]):
    entries = selectors.key_list_entries(request.user, _key_list(request, kind, q.year or _this_year()))
    return entries.annotate(
        enterprise_uscc=Coalesce("enterprise__uscc", "project__enterprise__uscc"),
        enterprise_name=Coalesce("enterprise__name", "project__enterprise__name"),
        project_number=F("project__number"),
        project_name=F("project__name"),
        investment=F("project__investment"),
    )


@router.post("/cultivation/key-lists/{kind}/{action}", response=KeyListOut)
def key_list_action(
    request,
    kind: ListKindIn,
    action: Literal["create", "rule", "add", "remove", "publish"],
    payload: KeyListActionIn,
):
    permissions.require(request.user, Capability.MANAGE_CULTIVATION)
    found = keylists.list_for(kind, payload.year)
    if action == "rule":
        keylists.list_rule_edit(key_list=found, acting_user=request.user, changes=payload.rule or {})
    elif action == "add" and kind == ListKind.PROJECTS:
        project = project_get(request.user, payload.project_number)
        keylists.list_add(key_list=found, project=project, acting_user=request.user, reason=payload.reason)
    elif action == "add":
        enterprise = enterprise_get(request.user, payload.enterprise_uscc)
        keylists.list_add(
            key_list=found, enterprise=enterprise, acting_user=request.user, reason=payload.reason
        )
    elif action == "remove":
        entry = selectors.entry_get(request.user, found, payload.entry or 0)
        keylists.list_remove(entry=entry, acting_user=request.user, reason=payload.reason)
    elif action == "publish":
        keylists.list_publish(key_list=found, acting_user=request.user)
    return key_list_detail(request, kind, CultivationYearQuery(year=payload.year))


@router.get("/cultivation/ladder", response=list[LadderOut])
def ladder_progress(request, q: Query[CultivationYearQuery]):
    if not selectors.may_read(request.user):
        raise NotFound("not_found", _("Not found."))
    rows = ladder.progress(q.year or _this_year(), enterprises_visible_to(request.user))
    return [
        {
            "tier": r["tier"].value,
            "target": r["target"],
            "reached": r["reached"],
            "towns": [
                {"town": t["town"].code, "target": t["target"], "reached": t["reached"]} for t in r["towns"]
            ],
        }
        for r in rows
    ]
