"""Changes of tier state, each one function (keyword-only arguments) that checks the permission,
writes the change and its audit event and queues side effects, in one transaction."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise
from zhuqi.directory.selectors import enterprise_users_by_enterprise
from zhuqi.policies import grants
from zhuqi.tiers import lifecycle
from zhuqi.tiers.models import Level, Recognition, Tier

# 工信部企业〔2022〕63号: 专精特新中小企业 and 专精特新“小巨人” are valid three years (认定有效期为三年).
# The reference summary names no term for 创新型中小企业; the platform takes three years as for the
# other two (the province's notice may say otherwise: the office enters an explicit expiry then).
VALIDITY_YEARS = {Tier.INNOVATIVE: 3, Tier.SPECIALISED: 3, Tier.LITTLE_GIANT: 3}

# Which level recognises which tier (63号: 创新型 announced by the province, 专精特新 recognised by the
# province, 小巨人 by MIIT). A city may keep its own list of 创新型 enterprises: allowed as "city".
LEVELS = {
    Tier.INNOVATIVE: {Level.PROVINCIAL, Level.CITY},
    Tier.SPECIALISED: {Level.PROVINCIAL},
    Tier.LITTLE_GIANT: {Level.NATIONAL},
}

DOCUMENT_MAX = 120
REASON_MAX = 200


def default_expiry(tier: str, recognised_on: date) -> date:
    """The last day in force: the day before the anniversary VALIDITY_YEARS later."""
    years = VALIDITY_YEARS[tier]
    try:
        anniversary = recognised_on.replace(year=recognised_on.year + years)
    except ValueError:  # 29 February
        anniversary = date(recognised_on.year + years, 3, 1)
    return date.fromordinal(anniversary.toordinal() - 1)


def _require(user) -> None:
    if user is not None:  # None: the platform itself (CLI, demo)
        permissions.require(
            user, Capability.MANAGE_TIERS, _("Only the coordinating office records tier recognitions.")
        )


def _bad(code: str, message, field: str):
    return ZhuqiError(code, message, status=422, field=field)


@transaction.atomic
def recognition_record(
    *,
    enterprise: Enterprise,
    tier: str,
    level: str,
    document: str,
    recognised_on: date,
    expires_on: date | None = None,
    note: str = "",
    acting_user=None,
) -> Recognition:
    """Records a recognising decision. The enterprise's earlier recognitions stay as its history; a
    recognition of a tier the enterprise did not hold on that day is new (the 免申即享 reward of the
    tier pack reads it), a renewal is not."""
    (recognition,) = recognitions_record(
        rows=[
            {
                "enterprise": enterprise,
                "tier": tier,
                "level": level,
                "document": document,
                "recognised_on": recognised_on,
                "expires_on": expires_on,
                "note": note,
            }
        ],
        acting_user=acting_user,
    )
    return recognition


@transaction.atomic
def recognitions_record(*, rows: list[dict], acting_user=None) -> list[Recognition]:
    """Records several recognising decisions (a provincial notice names many enterprises), each as
    recognition_record does — checked, audited, the enterprise's users told — with the 免申即享 offers
    of the first recognitions made once per recognition day for all of them, after they are all
    recorded, instead of one run of the rules per enterprise. All or nothing."""
    _require(acting_user)
    recorded, first = [], {}
    for row in rows:
        recognition, renewal = _record(**row, acting_user=acting_user)
        recorded.append(recognition)
        if not renewal:
            first.setdefault(recognition.recognised_on, []).append(recognition.enterprise_id)
    # seed 001 二（二）: the 专精特新 reward is 免申即享. A first recognition makes the enterprise eligible
    # for the reward clauses of the shipped pack (dongguan_specialised.yaml); the offer flow makes the
    # offer now, once (one offer per clause, enterprise and year; the next year's rule no longer holds).
    for day, enterprise_ids in first.items():
        grants.offers_run(period=day, enterprise_ids=sorted(set(enterprise_ids)))
    users = enterprise_users_by_enterprise(sorted({r.enterprise_id for r in recorded}))
    for recognition in recorded:
        if told := users.get(recognition.enterprise_id):
            outbox.enqueue(
                event_key=f"tier-recognised-{recognition.pk}",
                recipients=told,
                subject=str(Message(_("Recognised: %(tier)s"), {"tier": recognition.get_tier_display()})),
                body=recognition.document,
                link="/tiers/mine/",
            )
    return recorded


def _record(
    *,
    enterprise: Enterprise,
    tier: str,
    level: str,
    document: str,
    recognised_on: date,
    expires_on: date | None = None,
    note: str = "",
    acting_user=None,
) -> tuple[Recognition, bool]:
    """Checks and writes one recognition and its audit event; returns it and whether it renews one
    in force."""
    if tier not in Tier.values:
        raise _bad("bad_tier", _("Unknown tier."), "tier")
    if level not in Level.values or level not in LEVELS[tier]:
        raise _bad("bad_level", _("This tier is not recognised at this level."), "level")
    document = (document or "").strip()
    if not document or len(document) > DOCUMENT_MAX:
        raise _bad("bad_document", _("Give the recognising document (at most 120 characters)."), "document")
    if not date(2000, 1, 1) <= recognised_on <= date(2100, 12, 31):
        raise _bad("bad_date", _("The recognition date is out of range."), "recognised_on")
    expires_on = expires_on or default_expiry(tier, recognised_on)
    if expires_on < recognised_on:
        raise _bad("bad_expiry", _("The expiry is before the recognition."), "expires_on")
    if len(note) > REASON_MAX:
        raise _bad("bad_note", _("The note is too long."), "note")
    renewal = Recognition.objects.in_force(recognised_on).filter(enterprise=enterprise, tier=tier).exists()
    try:
        with transaction.atomic():
            recognition = Recognition.objects.create(
                enterprise=enterprise,
                tier=tier,
                level=level,
                document=document,
                recognised_on=recognised_on,
                expires_on=expires_on,
                note=note,
                recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
    except IntegrityError:
        raise Conflict("recognition_exists", _("This recognition is already recorded."), status=409) from None
    audit.record(
        actor=acting_user,
        verb="tier_recognition_record",
        obj=recognition,
        data={
            "enterprise": enterprise.name,
            "tier": tier,
            "level": level,
            "document": document,
            "recognised_on": recognised_on.isoformat(),
            "expires_on": expires_on.isoformat(),
            "renewal": renewal,
        },
    )
    return recognition, renewal


@transaction.atomic
def recognition_revoke(
    *, recognition: Recognition, revoked_on: date, reason: str, acting_user=None
) -> Recognition:
    """Revokes a recognition (撤销: the enterprise no longer meets the tier or the title was withdrawn);
    the step is lifecycle.REVOKE, which the pages read to offer the button."""
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    lifecycle.REVOKE.check(acting_user, recognition)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise _bad("bad_reason", _("Give a reason (at most 200 characters)."), "reason")
    if revoked_on < recognition.recognised_on:
        raise _bad("bad_date", _("The revocation is before the recognition."), "revoked_on")
    recognition.revoked_on = revoked_on
    recognition.revoked_reason = reason
    recognition.save(update_fields=["revoked_on", "revoked_reason"])
    audit.record(
        actor=acting_user,
        verb="tier_recognition_revoke",
        obj=recognition,
        data={"reason": reason, "revoked_on": revoked_on.isoformat()},
    )
    return recognition
