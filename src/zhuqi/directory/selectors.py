"""Reads of the directory that depend on who asks. Pages and the API both go through these.

Scope of enterprises by role (DESIGN.md, "Who uses it"):
  coordinator, admin, system   every enterprise
  town officer                 enterprises of its town
  handler                      a town-level department: its town's enterprises; a city-level
                               department serves the whole city, so every enterprise
  leader                       enterprises it is assigned to (挂点); the principal leader
                               (ZHUQI_PRINCIPAL_LEADER) every enterprise, as it follows every appeal
  enterprise user              its own enterprise
  expert                       none (experts see only the applications drawn for them)
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.core import permissions, prepared, reference
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Enterprise, IndicatorValue, ServiceCategory, Town


def sees_every_enterprise(user: User) -> bool:
    """Whether the user's scope is the whole directory (the table above)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if permissions.has(user, Capability.SEE_EVERYTHING) or permissions.is_principal_leader(user):
        return True
    return user.role == Role.HANDLER and user.department.level != Department.Level.TOWN


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    if sees_every_enterprise(user):
        return qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    # What each other role sees is the definition of its scope (README, "Scope of enterprises by role").
    role = user.role
    if role == Role.ENTERPRISE:
        return qs.filter(pk=user.enterprise_id)
    if role == Role.TOWN_OFFICER:
        return qs.filter(town_id=user.town_id)
    if role == Role.HANDLER:  # of a town-level department (a city-level one sees every enterprise)
        return qs.filter(town_id=user.department.town_id)
    if role == Role.LEADER:
        return qs.filter(liaisons__leader=user, liaisons__ended_on__isnull=True).distinct()
    return qs.none()


def enterprise_search(
    user: User,
    *,
    q: str = "",
    town: str = "",
    industry: str = "",
    doubling_class: str = "",
    tag: str = "",
) -> QuerySet[Enterprise]:
    qs = enterprises_visible_to(user).select_related("town")
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__istartswith=q.upper()))
    if town:
        qs = qs.filter(town__code=town)
    if industry:
        qs = qs.filter(industry_code__istartswith=industry)
    if doubling_class:
        qs = qs.filter(doubling_class=doubling_class)
    if tag:
        qs = qs.filter(tags__name=tag)
    return qs.order_by("name", "id")


def _by_code_in(enterprises: QuerySet[Enterprise], code: str) -> QuerySet[Enterprise]:
    return (
        enterprises.select_related("town")  # tags and contacts load when used: one object, same query count
        .filter(uscc=code)
        .order_by()[:1]  # the code is unique: no sort (first() would sort by name)
    )


# Compiled once (core.prepared).
_ENTERPRISE_BY_CODE = prepared.PreparedQuery(lambda code: _by_code_in(Enterprise.objects.all(), code), str)


def enterprise_get(user: User, uscc: str, *, field: str = "enterprise_uscc") -> Enterprise:
    """The enterprise if `user` may see it; otherwise NotFound, exactly as if it did not exist. No
    code at all is a missing input (422, naming the field), not an unknown enterprise."""
    code = (uscc or "").strip().upper()
    if not code:
        raise ZhuqiError("enterprise_missing", _("Choose an enterprise."), status=422, field=field)
    if sees_every_enterprise(user):  # the hotline's and the office's case: the API's hot path
        found = _ENTERPRISE_BY_CODE.first(code)
    else:
        found = next(iter(_by_code_in(enterprises_visible_to(user), code)), None)
    if found is None:
        raise NotFound("enterprise_not_found", _("No such enterprise."))
    return found


def enterprise_options(user: User, q: str, limit: int = 10) -> list[Enterprise]:
    """A few enterprises in scope whose name contains `q` or whose code starts with it, for a
    picker: nothing below 2 characters, at most `limit` (10) rows."""
    q = (q or "").strip()[:100]
    if len(q) < 2:
        return []
    return list(enterprise_search(user, q=q)[: max(1, min(limit, 10))])


def _by_code(
    model, code: str, *, field: str, missing, unknown, error_code: str, name: str = "code", table=None
):
    """One lookup of a reference row by its code for every form and endpoint: an empty code says
    which field to fill ("请选择部门"), never "no department with code ''". `table`: the rows by code,
    cached (core.reference), instead of a query."""
    code = (code or "").strip()
    if not code:
        raise ZhuqiError(f"{error_code}_missing", missing, status=422, field=field)
    found = table.get(code) if table is not None else model.objects.filter(code=code).first()
    if found is None:
        raise ZhuqiError(f"unknown_{error_code}", Message(unknown, {name: code}), status=422, field=field)
    return found


def department_by_code(code: str, *, field: str = "department_code") -> Department:
    return _by_code(
        Department,
        code,
        field=field,
        missing=_("Choose a department."),
        unknown=_("Unknown department: %(code)s."),
        error_code="department",
    )


@reference.cached("categories")
def _categories() -> dict[str, ServiceCategory]:
    return {c.code: c for c in ServiceCategory.objects.all()}


def category_by_code(code: str, *, field: str = "category_code") -> ServiceCategory:
    """The category (a cached, shared object: read it, never change it)."""
    return _by_code(
        ServiceCategory,
        code,
        field=field,
        missing=_("Choose a category."),
        unknown=_("Unknown category: %(code)s."),
        error_code="category",
        table=reference.get("categories"),
    )


def town_by_code(code: str, *, field: str = "town_code") -> Town:
    return _by_code(
        Town,
        code,
        field=field,
        missing=_("Choose a town."),
        unknown=_("Unknown town: %(town)s."),
        error_code="town",
        name="town",
    )


def indicator_values_visible_to(user: User) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(enterprise__in=enterprises_visible_to(user))


def towns() -> QuerySet[Town]:
    return Town.objects.all()


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("town").prefetch_related("categories")


def categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.select_related("parent")


def enterprise_users_by_enterprise(enterprise_ids) -> dict[int, list[User]]:
    """The active users of each enterprise, in one query (batch notifications)."""
    found: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.ENTERPRISE, enterprise_id__in=list(enterprise_ids), is_active=True
    ):
        found.setdefault(user.enterprise_id, []).append(user)
    return found
