"""Reads of cultivation that depend on who asks: members, key lists and help over the enterprises
the reader may see (directory.selectors.enterprises_visible_to); anything outside answers 404."""

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.cultivation.models import (
    RULE_LISTS,
    KeyList,
    KeyListEntry,
    ListKind,
    Membership,
    MembershipState,
    PoolKind,
    PoolTarget,
)
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.projects.selectors import projects_visible_to


def may_read(user) -> bool:
    return permissions.has(user, Capability.READ_CULTIVATION)


def _require(user) -> None:
    if not may_read(user):
        raise NotFound("not_found", _("Not found."))


def memberships(
    user, *, kind: str, year: int, state: str = "", town: str = "", q: str = "", helper: str = ""
) -> QuerySet[Membership]:
    """Members of a pool or list in scope; `helper="me"`: only those the user is the helper of."""
    _require(user)
    qs = (
        Membership.objects.filter(kind=kind, year=year, enterprise__in=enterprises_visible_to(user))
        .select_related("enterprise__town", "department", "helper")
        .annotate(help_count=Count("help_notes"), last_help=Max("help_notes__helped_on"))
    )
    if state:
        qs = qs.filter(state=state)
    if town:
        qs = qs.filter(enterprise__town__code=town)
    if q := (q or "").strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__istartswith=q.upper()))
    if helper == "me":
        qs = qs.filter(helper_id=user.pk)
    return qs.order_by("state", "rank", "enterprise__name", "id")


def membership_get(user, pk: int) -> Membership:
    """A member the user may read (staff in scope, or its helper); NotFound otherwise."""
    found = None
    if 0 < pk < 2**63 and user.is_authenticated:
        found = (
            Membership.objects.select_related("enterprise__town", "department", "helper")
            .filter(pk=pk)
            .filter(Q(enterprise__in=enterprises_visible_to(user)) | Q(helper_id=user.pk))
            .first()
        )
    if found is None or not (may_read(user) or found.helper_id == user.pk):
        raise NotFound("member_not_found", _("No such pool member."))
    return found


def counts(user, year: int) -> dict[str, dict[str, int]]:
    """Per pool or list: members by state, in one query."""
    _require(user)
    rows = (
        Membership.objects.filter(year=year, enterprise__in=enterprises_visible_to(user))
        .values("kind", "state")
        .annotate(n=Count("id"))
    )
    found: dict[str, dict[str, int]] = {k.value: {} for k in PoolKind}
    for row in rows:
        found[row["kind"]][row["state"]] = row["n"]
    return found


def targets(kind: str, year: int):
    return PoolTarget.objects.filter(kind=kind, year=year).select_related("town")


def key_list_get(user, kind: str, year: int) -> KeyList:
    _require(user)
    if kind not in ListKind.values:
        raise NotFound("key_list_not_found", _("No such list."))
    found = KeyList.objects.filter(kind=kind, year=year).first()
    if found is None:
        raise NotFound("key_list_not_found", _("No such list."))
    return found


def key_list_entries(user, key_list: KeyList, state: str = "") -> QuerySet[KeyListEntry]:
    """Entries over what the user may see: enterprises in its scope, or for the project list the key
    projects in its scope (projects.selectors.projects_visible_to)."""
    if key_list.kind == ListKind.PROJECTS:
        qs = key_list.entries.filter(project__in=projects_visible_to(user)).select_related(
            "project__town", "project__enterprise"
        )
    else:
        qs = key_list.entries.filter(enterprise__in=enterprises_visible_to(user)).select_related(
            "enterprise__town"
        )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("state", "rank", "id")


def entry_get(user, key_list: KeyList, pk: int) -> KeyListEntry:
    found = key_list_entries(user, key_list).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if found is None:
        raise NotFound("entry_not_found", _("No such entry."))
    return found


def listed_visible(user, key_list: KeyList, ids) -> QuerySet:
    """The enterprises (projects, for the project list) of `ids` the user may see, by name."""
    if key_list.kind == ListKind.PROJECTS:
        return projects_visible_to(user).filter(pk__in=ids).select_related("town").order_by("name", "id")
    return enterprises_visible_to(user).filter(pk__in=ids).select_related("town").order_by("name", "id")


def works_every_list(user) -> bool:
    """The coordinating office, and a town's officers (who set and meet the town's 小升规 target, seed
    002 (四)14, and are told of each 易退库 enterprise), work the lists of everything in their scope;
    any other who works them (a department's staff) works the members it is the helper (服务专员) of."""
    return permissions.has(user, Capability.WORK_UPSCALE_LISTS) and (
        permissions.has(user, Capability.MANAGE_CULTIVATION)
        or permissions.has(user, Capability.SET_TOWN_TARGETS)
    )


def count_of(qs, group: str):
    """A counting subquery (0 when nothing matches), grouped by a column the filter holds constant."""
    from django.db.models import Subquery
    from django.db.models.functions import Coalesce

    return Coalesce(
        Subquery(qs.order_by().values(group).annotate(c=Count("id", distinct=True)).values("c")[:1]), 0
    )


def home_counts(user, year: int, *, also: dict | None = None) -> dict | None:
    """The home page's 小升规 counts — members on the 准规上 / 拟入库 / 易退库 lists of `year` — in one
    query (the user's own row with counting subqueries; `also`: more such subqueries the home page
    needs, e.g. the tiers' expiring recognitions, read in the same query): over the scope for the
    office and town officers, over the members it helps for a helper. None: the user works none of
    these lists (without `work_upscale_lists`: no query then; the home page has a query budget)."""
    from zhuqi.accounts.models import User

    if not permissions.has(user, Capability.WORK_UPSCALE_LISTS):
        return None
    everything = works_every_list(user)
    qs = Membership.objects.filter(year=year, state=MembershipState.ADMITTED)
    qs = (
        qs.filter(enterprise__in=enterprises_visible_to(user)) if everything else qs.filter(helper_id=user.pk)
    )
    counts = {str(kind): count_of(qs.filter(kind=kind), "kind") for kind in RULE_LISTS}
    counts |= also or {}
    row = User.objects.filter(pk=user.pk).annotate(**counts).values(*counts).first() or dict.fromkeys(
        counts, 0
    )
    return row | {"helper": not everything}
