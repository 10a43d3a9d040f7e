"""Writes to the directory. Each checks the actor's permission, validates, audits, in one transaction."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, permissions, uscc
from zhuqi.core.errors import Forbidden, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory import indicators, industries
from zhuqi.directory.models import Enterprise, IndicatorValue, Source, Tag, Town


def require(user: User | None, capability: Capability, action) -> None:
    """None is the platform itself (the CLI without --as): it may."""
    if user is not None:
        permissions.require(user, capability, Message(_("You may not %(action)s."), {"action": action}))


@dataclass
class EnterpriseData:
    """Validated fields of an enterprise, from a form, the API or an import row."""

    uscc: str
    name: str
    town: Town
    industry_code: str = ""
    ownership: str = Enterprise.Ownership.PRIVATE
    listing: str = Enterprise.Listing.NONE
    size: str = Enterprise.Size.SMALL
    doubling_class: str = ""
    address: str = ""
    tags: list[str] = field(default_factory=list)

    FIELDS = ("name", "town_id", "industry_code", "ownership", "listing", "size", "doubling_class", "address")


def check_enterprise_fields(*, code: str, name: str, industry_code: str) -> list[tuple[str, str, object]]:
    """(field, error code, message) for every problem; the form, the API and the import share it."""
    problems = []
    if found := uscc.problem(code):
        problems.append(("uscc", found.code, found.message))
    if not (name or "").strip():
        problems.append(("name", "name_missing", _("The enterprise name is required.")))
    if industry_code and (message := industries.problem(industry_code)):
        problems.append(("industry_code", "industry_code", message))
    return problems


def _apply(enterprise: Enterprise, data: EnterpriseData) -> bool:
    changed = False
    values = {
        "name": data.name.strip(),
        "town_id": data.town.pk,
        "industry_code": (data.industry_code or "").strip().upper(),
        "ownership": data.ownership,
        "listing": data.listing,
        "size": data.size,
        "doubling_class": data.doubling_class,
        "address": data.address,
    }
    for name, value in values.items():
        if getattr(enterprise, name) != value:
            setattr(enterprise, name, value)
            changed = True
    return changed


def _set_tags(enterprise: Enterprise, names: list[str]) -> bool:
    wanted = {n.strip() for n in names if n and n.strip()}
    current = set(enterprise.tags.values_list("name", flat=True))
    if wanted == current:
        return False
    tags = [Tag.objects.get_or_create(name=n)[0] for n in sorted(wanted)]
    enterprise.tags.set(tags)
    return True


@transaction.atomic
def enterprise_upsert(*, data: EnterpriseData, acting_user: User | None) -> tuple[Enterprise, str]:
    """Creates or updates by code. Returns the enterprise and "created", "updated" or "unchanged".

    Saving only what changed is what makes a re-import of the same file leave the database as it was.
    """
    require(acting_user, Capability.EDIT_DIRECTORY, _("edit the enterprise directory"))
    code = uscc.normalize(data.uscc)
    problems = check_enterprise_fields(code=code, name=data.name, industry_code=data.industry_code)
    if problems:
        field_name, error_code, message = problems[0]
        raise ZhuqiError(error_code, message, field=field_name, status=422)
    enterprise = Enterprise.objects.select_for_update().filter(uscc=code).first()
    if enterprise is None:
        enterprise = Enterprise(uscc=code)
        _apply(enterprise, data)
        enterprise.save()
        _set_tags(enterprise, data.tags)
        audit.record(actor=acting_user, verb="enterprise_create", obj=enterprise, data={"uscc": code})
        return enterprise, "created"
    changed = _apply(enterprise, data)
    if changed:
        enterprise.save()
    tags_changed = _set_tags(enterprise, data.tags)
    if changed or tags_changed:
        audit.record(actor=acting_user, verb="enterprise_update", obj=enterprise, data={"uscc": code})
        return enterprise, "updated"
    return enterprise, "unchanged"


@dataclass(frozen=True)
class IndicatorRecord:
    enterprise_id: int
    indicator: str
    period_type: str
    year: int
    period_no: int
    value: Decimal
    source: str
    verified: bool = False


def _require_source_and_verification(acting_user: User | None, records: list[IndicatorRecord]) -> None:
    """A system client writes only as its token's feed and never verifies; only a person holding
    `verify_indicators` marks values verified (the 免申即享 offers trust verified values)."""
    if permissions.has(acting_user, Capability.FEED_DATA):
        token = getattr(acting_user, "api_token", None)
        feed = token.feed if token is not None else None
        if feed is None:
            raise Forbidden(
                "feed_token_required",
                _("A system client records indicator values only with a tax or statistics feed token."),
            )
        if any(r.source != feed for r in records):
            raise Forbidden(
                "source_not_yours",
                Message(_("This token writes as %(source)s only."), {"source": Source(feed).label}),
            )
    if any(r.verified for r in records) and acting_user is not None:
        permissions.require(
            acting_user,
            permissions.Capability.VERIFY_INDICATORS,
            _("Only the coordinating office marks indicator values verified."),
        )


def check_indicator_value(key: str, value: Decimal, *, item: int | None = None) -> None:
    """Refuses a value outside the range its indicator declares (revenue below 0, staff of 2.5)."""
    indicator = indicators.BY_KEY.get(key)
    if indicator is None:
        raise ZhuqiError(
            "unknown_indicator", Message(_("Unknown indicator: %(name)s."), {"name": key}), status=422
        )
    if problem := indicator.problem(value):
        if item is not None:
            problem = Message(_("Item %(i)d: %(problem)s"), {"i": item, "problem": problem})
        raise ZhuqiError("out_of_range", problem, status=422, field="value")


@transaction.atomic
def indicator_values_upsert(
    *, records: list[IndicatorRecord], acting_user: User | None, batch_id: str = "api"
) -> dict[str, int]:
    """Upserts values by (enterprise, indicator, period, source); unchanged values are not touched."""
    require(acting_user, Capability.RECORD_INDICATORS, _("record indicator values"))
    _require_source_and_verification(acting_user, records)

    for i, r in enumerate(records):
        check_indicator_value(r.indicator, r.value, item=i)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not records:
        return counts
    keys = {(r.enterprise_id, r.indicator, r.period_type, r.year, r.period_no, r.source) for r in records}
    existing = {
        (v.enterprise_id, v.indicator, v.period_type, v.year, v.period_no, v.source): v
        for v in IndicatorValue.objects.filter(
            enterprise_id__in={k[0] for k in keys},
            indicator__in={k[1] for k in keys},
            year__in={k[3] for k in keys},
        )
    }
    to_create, to_update = [], []
    for r in records:
        key = (r.enterprise_id, r.indicator, r.period_type, r.year, r.period_no, r.source)
        current = existing.get(key)
        if current is None:
            current = IndicatorValue(
                enterprise_id=r.enterprise_id,
                indicator=r.indicator,
                period_type=r.period_type,
                year=r.year,
                period_no=r.period_no,
                value=r.value,
                source=r.source,
                verified=r.verified,
            )
            existing[key] = current
            to_create.append(current)
        elif current.value != r.value or current.verified != r.verified:
            current.value, current.verified = r.value, r.verified
            to_update.append(current)
        else:
            counts["unchanged"] += 1
    IndicatorValue.objects.bulk_create(to_create, batch_size=1000)
    for value in to_update:
        value.save(update_fields=["value", "verified", "updated_at"])
    counts["created"], counts["updated"] = len(to_create), len(to_update)
    if to_create or to_update:
        audit.record_batch(
            actor=acting_user,
            verb="indicator_values_upsert",
            model=IndicatorValue,
            batch_id=batch_id,
            data={"created": counts["created"], "updated": counts["updated"]},
        )
    return counts
