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
    """The coordinating office and a town's officers work the 小升规 lists of everything in their
    scope (seed 002 (四)14: the town sets and meets its target, is told of each 易退库 enterprise);
    anyone else who may help works the members it is the helper (服务专员) of."""
    return permissions.has(user, Capability.WORK_UPSCALE_LISTS)


def home_counts(user, year: int) -> dict[str, int] | None:
    """The home page's 小升规 counts — members on the 准规上 / 拟入库 / 易退库 lists of `year` — in one
    query: over the scope for the office and town officers, over the members it helps for a helper.
    None: the user works none of these lists (no capability, or a helper of no one on them)."""
    if not (permissions.has(user, Capability.HELP_MEMBERS) or works_every_list(user)):
        return None
    everything = works_every_list(user)
    qs = Membership.objects.filter(year=year, kind__in=RULE_LISTS, state=MembershipState.ADMITTED)
    qs = (
        qs.filter(enterprise__in=enterprises_visible_to(user)) if everything else qs.filter(helper_id=user.pk)
    )
    found = dict.fromkeys(RULE_LISTS, 0)
    for kind, n in qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"):
        found[kind] = n
    if not everything and not any(found.values()):
        return None
    return found | {"helper": not everything}
