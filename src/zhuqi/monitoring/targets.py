"""Setting targets: one service that checks who may, breaks the annual figure down to months, keeps
every version and audits it, in one transaction."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, permissions
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability, Rule
from zhuqi.directory.models import Town
from zhuqi.monitoring import actuals, breakdown, measures, scopes
from zhuqi.monitoring.models import Method, Target, TargetMonth, TargetVersion

ANNUAL_MAX = Decimal("1e16")

# The office sets any target; a town officer sets its own town's (seed 003 三(一)2: 「各县（市、区）政府要
# 进一步分解落实」 — the town reports its own breakdown; the city sees the sum against its own).
SETTER = permissions.anyone_with(Capability.SET_ANY_TARGET) | Rule(
    lambda u, town: (
        permissions.has(u, Capability.SET_TOWN_TARGETS)
        and town is not None
        and u.town_id is not None
        and u.town_id == town.pk
    ),
    f"{Capability.SET_TOWN_TARGETS.value} (its town)",
)


def may_set(user, town: Town | None, *, scoped: bool = False) -> bool:
    """A chain's or a programme's target is the office's (SET_ANY_TARGET); a town's also its own."""
    if scoped:
        return permissions.has(user, Capability.SET_ANY_TARGET)
    return SETTER(user, town)


def _months_for(
    measure, year, town, annual, method, quarters, months, scope=None
) -> tuple[list[Decimal], str]:
    if measure.kind != "flow":
        return [], method  # a level or unmeasured target is annual only
    if method == Method.MONTHS:
        return breakdown.by_months(annual, months or []), method
    if method == Method.QUARTERS:
        return breakdown.by_quarters(annual, quarters or []), method
    if method == Method.EVEN:
        return breakdown.even(annual), method
    past = (
        scopes.history(scope)
        if scope is not None and scopes.is_scoped(scope)
        else actuals.history(measure.key, year, town.pk if town else None)
    )
    found, _profiled = breakdown.seasonal(annual, past)
    return found, Method.SEASONAL


@transaction.atomic
def target_set(
    *,
    acting_user,
    measure: str,
    year: int,
    town: Town | None,
    annual: Decimal,
    chain=None,
    programme=None,
    method: str = Method.SEASONAL,
    quarters: list | None = None,
    months: list | None = None,
    note: str = "",
    source: str = "",
    check_permission: bool = True,
) -> Target:
    """Creates or changes the target of (measure, year, scope): a new version each time. The scope is
    the city (nothing given), a town, an industry chain or a programme — one at most."""
    scoped = chain is not None or programme is not None
    if sum(x is not None for x in (town, chain, programme)) > 1:
        raise ZhuqiError(
            "bad_scope",
            _("A target is of the city, a town, an industry chain or a programme: one of them."),
            status=422,
            field="scope",
        )
    if check_permission:
        if scoped:
            permissions.require(
                acting_user,
                Capability.SET_ANY_TARGET,
                _("Only the coordinating office sets the targets of chains and programmes."),
            )
        else:
            SETTER.require(
                acting_user,
                town,
                _("Only the coordinating office, or a town for its own town, sets targets."),
            )
    found = measures.get(measure)
    if found is None:
        raise ZhuqiError(
            "unknown_measure",
            Message(_("Unknown indicator: %(key)s."), {"key": measure[:40]}),
            status=422,
            field="measure",
        )
    annual = Decimal(annual).quantize(breakdown.FEN)
    if not -ANNUAL_MAX < annual < ANNUAL_MAX:
        raise ZhuqiError("bad_target", _("The annual target is out of range."), status=422, field="annual")
    if method not in Method.values:
        raise ZhuqiError(
            "bad_breakdown", _("Unknown way of breaking the target down."), status=422, field="method"
        )
    shell = Target(measure=measure, year=year, town=town, chain=chain, programme=programme, version=0)
    amounts, method = _months_for(found, year, town, annual, method, quarters, months, shell)
    target = (
        Target.objects.select_for_update(of=("self",))
        .filter(measure=measure, year=year, town=town, chain=chain, programme=programme)
        .order_by("pk")
        .first()
    )
    if target is None:
        target = shell
    before = {"annual": str(target.annual), "version": target.version} if target.pk else {}
    target.annual, target.method = annual, method
    target.version += 1
    target.note, target.source = note[:500], (source or found.source)[:200]
    target.updated_by = acting_user if getattr(acting_user, "pk", None) else None
    target.save()
    TargetMonth.objects.filter(target=target).delete()
    TargetMonth.objects.bulk_create(
        [TargetMonth(target=target, month=m, amount=a) for m, a in enumerate(amounts, start=1)]
    )
    TargetVersion.objects.create(
        target=target,
        version=target.version,
        annual=annual,
        method=method,
        months=[str(a) for a in amounts],
        note=target.note,
        changed_by=target.updated_by,
    )
    audit.record(
        actor=acting_user,
        verb="target_set",
        obj=target,
        data={
            "measure": measure,
            "year": year,
            "annual": str(annual),
            "version": target.version,
            **({"chain": chain.pk} if chain is not None else {}),
            **({"programme": programme.code} if programme is not None else {}),
            **({"before": before["annual"]} if before else {}),
        },
    )
    return target


def target_get(pk: int) -> Target:
    target = (
        Target.objects.select_related("town", "chain", "programme")
        .prefetch_related("months")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if target is None:
        raise NotFound("target_not_found", _("No such target."))
    return target
