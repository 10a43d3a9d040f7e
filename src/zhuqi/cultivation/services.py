"""Every change of the pools and targets: one function each, checking permission and state, writing
the audit trail in the same transaction (keylists.py does the same for the key lists)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import YEAR_MAX, YEAR_MIN
from zhuqi.cultivation import proposals
from zhuqi.cultivation.lifecycle import MEMBERSHIP_STEPS
from zhuqi.cultivation.models import (
    POOLS,
    HelpNote,
    LadderTarget,
    Membership,
    MembershipState,
    PoolKind,
    PoolTarget,
)

TARGET_MAX = 100_000
_OFFICE_ONLY = _("Only the coordinating office manages the pools.")


def _require_office(user) -> None:
    permissions.require(user, Capability.MANAGE_CULTIVATION, _OFFICE_ONLY)


def check_year(year: int) -> int:
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ZhuqiError("invalid_year", _("The year is not valid."), status=422, field="year")
    return year


def _check_target(target: int) -> int:
    if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= TARGET_MAX:
        raise ZhuqiError(
            "invalid_target",
            Message(_("A target is a whole number from 0 to %(max)s."), {"max": TARGET_MAX}),
            status=422,
            field="target",
        )
    return target


def _check_text(value: str, field: str, *, required: bool, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field=field)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)s characters."), {"n": limit}), status=422, field=field
        )
    return value


@transaction.atomic
def target_set(*, kind: str, year: int, town=None, target: int, acting_user) -> PoolTarget:
    """Sets a pool's target for a year (小升规: by town, seed 002 (四)14; the others city-wide)."""
    _require_office(acting_user)
    check_year(year)
    _check_target(target)
    if kind not in POOLS:
        raise ZhuqiError("unknown_pool", _("No such pool."), status=422, field="kind")
    if kind == PoolKind.UPSCALE and town is None:
        raise ZhuqiError("town_missing", _("The 小升规 target is set by town."), status=422, field="town")
    if kind != PoolKind.UPSCALE:
        town = None
    row, created = PoolTarget.objects.get_or_create(
        kind=kind, year=year, town=town, defaults={"target": target}
    )
    before = None if created else row.target
    if not created:
        row.target = target
        row.save(update_fields=["target", "updated_at"])
    audit.record(
        actor=acting_user,
        verb="pool_target_set",
        obj=row,
        data={
            "year": year,
            "pool": kind,
            "town": town.name if town else "",
            "target": target,
            "before": before,
        },
    )
    return row


@transaction.atomic
def ladder_target_set(
    *, year: int, tier: str, town=None, target: int, source: str = "", acting_user
) -> LadderTarget:
    _require_office(acting_user)
    check_year(year)
    _check_target(target)
    source = _check_text(source, "source", required=False)
    row, created = LadderTarget.objects.get_or_create(
        year=year, tier=tier, town=town, defaults={"target": target, "source": source}
    )
    if not created:
        row.target, row.source = target, source or row.source
        row.save(update_fields=["target", "source"])
    audit.record(
        actor=acting_user,
        verb="ladder_target_set",
        obj=row,
        data={"year": year, "tier": tier, "town": town.name if town else "", "target": target},
    )
    return row


def upscale_targets(year: int) -> dict[int, int]:
    return dict(
        PoolTarget.objects.filter(kind=PoolKind.UPSCALE, year=year, town__isnull=False).values_list(
            "town_id", "target"
        )
    )


@transaction.atomic
def pool_propose(*, kind: str, year: int, acting_user, evaluated=None) -> dict:
    """Runs the pool's entry standard over every enterprise (one batch) and keeps its candidates as
    proposed members: new candidates are added, proposals the rules no longer make are withdrawn,
    decisions already taken (admitted, declined, left) are kept. The 小升规 pool takes, per town, the
    pool_size(target) candidates nearest the threshold."""
    _require_office(acting_user)
    check_year(year)
    if kind not in POOLS:
        raise ZhuqiError("unknown_pool", _("No such pool."), status=422, field="kind")
    evaluated = proposals.evaluate(year) if evaluated is None else evaluated
    if kind == PoolKind.UPSCALE:
        found = proposals.upscale_pool(evaluated, upscale_targets(year))
    else:
        found = proposals.candidates(kind, evaluated)
    rows = {r["enterprise_id"]: r for r in found.iter_rows(named=True)}
    existing = dict(Membership.objects.filter(kind=kind, year=year).values_list("enterprise_id", "state"))
    stale = [e for e, s in existing.items() if s == MembershipState.PROPOSED and e not in rows]
    Membership.objects.filter(
        kind=kind, year=year, state=MembershipState.PROPOSED, enterprise_id__in=stale
    ).delete()
    clause = proposals.POOL_CLAUSES[kind]
    title = next(c.title for c in proposals.facts.pack().clauses if c.code == clause)
    new = [
        Membership(
            kind=kind,
            year=year,
            enterprise_id=e,
            state=MembershipState.PROPOSED,
            proposed_by_rules=True,
            facts=proposals.snapshot(row),
            rank=row.get("rank"),
            entry_reason=str(_("Meets the entry standard: %(title)s")) % {"title": title},
        )
        for e, row in rows.items()
        if e not in existing
    ]
    Membership.objects.bulk_create(new, batch_size=1000)
    # Ranks of the proposals still waiting follow the new run (the 小升规 pool is ranked by town).
    if kind == PoolKind.UPSCALE:
        waiting = Membership.objects.filter(
            kind=kind, year=year, state=MembershipState.PROPOSED, enterprise_id__in=list(rows)
        )
        for member in waiting:
            row = rows[member.enterprise_id]
            member.rank, member.facts = row.get("rank"), proposals.snapshot(row)
        Membership.objects.bulk_update(waiting, ["rank", "facts"], batch_size=1000)
    counts = {"year": year, "pool": kind, "candidates": len(rows), "added": len(new), "withdrawn": len(stale)}
    audit.record_batch(
        actor=acting_user, verb="pool_propose", model=Membership, batch_id=f"{kind}-{year}", data=counts
    )
    return counts


def _step(name: str, membership: Membership, user) -> None:
    MEMBERSHIP_STEPS[name].check(user, membership, membership.enterprise.name)


def _check_helper(helper) -> None:
    if helper is not None and not permissions.has(helper, Capability.HELP_MEMBERS):
        raise ZhuqiError(
            "not_a_helper",
            _("A helper is a member of staff who serves enterprises."),
            status=422,
            field="helper",
        )


def _tell_helper(membership: Membership, helper) -> None:
    if helper is None:
        return
    outbox.enqueue(
        event_key=f"pool_helper:{membership.pk}:{helper.pk}",
        recipients=[helper],
        subject=str(_("You are the helper of %(name)s")) % {"name": membership.enterprise.name},
        body=str(_("%(name)s is in the %(pool)s of %(year)s; you are its helper (服务专员)."))
        % {
            "name": membership.enterprise.name,
            "pool": membership.get_kind_display(),
            "year": membership.year,
        },
        link=f"/cultivation/members/{membership.pk}/",
    )


@transaction.atomic
def membership_admit(
    *,
    membership: Membership,
    acting_user,
    reason: str = "",
    department=None,
    helper=None,
    today: date | None = None,
) -> Membership:
    _step("admit", membership, acting_user)
    _check_helper(helper)
    reason = _check_text(reason, "reason", required=False)
    membership.state = MembershipState.ADMITTED
    membership.entered_on = today or timezone.localdate()
    membership.entry_reason = reason or membership.entry_reason
    membership.department = department or membership.department
    membership.helper = helper or membership.helper
    membership.save()
    audit.record(
        actor=acting_user,
        verb="pool_member_admit",
        obj=membership,
        data={
            "year": membership.year,
            "pool": membership.kind,
            "reason": membership.entry_reason,
            "department": str(membership.department or ""),
            "helper": str(membership.helper or ""),
        },
    )
    _tell_helper(membership, membership.helper)
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, acting_user, reason: str) -> Membership:
    _step("decline", membership, acting_user)
    membership.state = MembershipState.DECLINED
    membership.exit_reason = _check_text(reason, "reason", required=True)
    membership.save(update_fields=["state", "exit_reason", "updated_at"])
    audit.record(
        actor=acting_user, verb="pool_member_decline", obj=membership, data={"reason": membership.exit_reason}
    )
    return membership


@transaction.atomic
def membership_exit(
    *, membership: Membership, acting_user, reason: str, today: date | None = None
) -> Membership:
    _step("exit", membership, acting_user)
    membership.state = MembershipState.EXITED
    membership.exit_reason = _check_text(reason, "reason", required=True)
    membership.exited_on = today or timezone.localdate()
    membership.save(update_fields=["state", "exit_reason", "exited_on", "updated_at"])
    audit.record(
        actor=acting_user,
        verb="pool_member_exit",
        obj=membership,
        data={"reason": membership.exit_reason, "day": membership.exited_on.isoformat()},
    )
    return membership


@transaction.atomic
def membership_assign(*, membership: Membership, acting_user, department=None, helper=None) -> Membership:
    _step("assign", membership, acting_user)
    _check_helper(helper)
    before = {"department": str(membership.department or ""), "helper": str(membership.helper or "")}
    changed_helper = helper is not None and helper.pk != membership.helper_id
    membership.department = department
    membership.helper = helper
    membership.save(update_fields=["department", "helper", "updated_at"])
    audit.record(
        actor=acting_user,
        verb="pool_member_assign",
        obj=membership,
        data={"department": str(department or ""), "helper": str(helper or ""), "before": before},
    )
    if changed_helper and membership.state == MembershipState.ADMITTED:
        _tell_helper(membership, helper)
    return membership


@transaction.atomic
def membership_add(
    *, kind: str, year: int, enterprise, acting_user, reason: str, department=None, helper=None, today=None
) -> Membership:
    """The office admits an enterprise the rules did not propose (with a reason)."""
    _require_office(acting_user)
    check_year(year)
    _check_helper(helper)
    reason = _check_text(reason, "reason", required=True)
    if kind not in POOLS:
        raise ZhuqiError("unknown_pool", _("No such pool."), status=422, field="kind")
    found = Membership.objects.filter(kind=kind, year=year, enterprise=enterprise).first()
    if found is not None and found.state != MembershipState.PROPOSED:
        raise Conflict(
            "already_member",
            Message(
                _("%(name)s is already %(state)s in this pool."),
                {"name": enterprise.name, "state": found.get_state_display()},
            ),
        )
    if found is None:
        found = Membership.objects.create(
            kind=kind, year=year, enterprise=enterprise, proposed_by_rules=False, entry_reason=reason
        )
    return membership_admit(
        membership=found,
        acting_user=acting_user,
        reason=reason,
        department=department,
        helper=helper,
        today=today,
    )


@transaction.atomic
def help_note_add(
    *, membership: Membership, acting_user, text: str, helped_on: date | None = None
) -> HelpNote:
    _step("help", membership, acting_user)
    text = _check_text(text, "text", required=True, limit=500)
    helped_on = helped_on or timezone.localdate()
    if helped_on > timezone.localdate():
        raise ZhuqiError(
            "future_date", _("Help cannot be recorded for a day to come."), status=422, field="helped_on"
        )
    note = HelpNote.objects.create(membership=membership, author=acting_user, helped_on=helped_on, text=text)
    audit.record(
        actor=acting_user,
        verb="pool_help_record",
        obj=membership,
        data={"comment": text, "day": helped_on.isoformat()},
    )
    return note


@transaction.atomic
def upscale_refresh(*, year: int, acting_user, evaluated=None, today: date | None = None) -> dict:
    """Brings the three lists of the year (准规上, 拟入库, 易退库) in line with the rules (one batch):
    enterprises the rules now find enter (today, with the list's rule as reason), members the rules
    no longer find leave (today, "no longer meets the list's rule"). Help recorded stays with them."""
    _require_office(acting_user)
    check_year(year)
    today = today or timezone.localdate()
    evaluated = proposals.evaluate(year) if evaluated is None else evaluated
    found = proposals.upscale_lists(evaluated)
    titles = {c.code: c.title for c in proposals.facts.pack().clauses}
    counts = {"year": year}
    for kind, frame in found.items():
        rows = {r["enterprise_id"]: r for r in frame.iter_rows(named=True)}
        current = {m.enterprise_id: m for m in Membership.objects.filter(kind=kind, year=year)}
        reason = str(_("Meets the rule: %(title)s")) % {"title": titles[proposals.LISTS[kind]]}
        new, back, left, updated = [], [], [], []
        for enterprise_id, row in rows.items():
            member = current.get(enterprise_id)
            if member is None:
                new.append(
                    Membership(
                        kind=kind,
                        year=year,
                        enterprise_id=enterprise_id,
                        state=MembershipState.ADMITTED,
                        facts=proposals.snapshot(row),
                        entered_on=today,
                        entry_reason=reason,
                    )
                )
            else:
                member.facts = proposals.snapshot(row)
                if member.state != MembershipState.ADMITTED:
                    member.state, member.entered_on, member.entry_reason = (
                        MembershipState.ADMITTED,
                        today,
                        reason,
                    )
                    member.exited_on, member.exit_reason = None, ""
                    back.append(member)
                updated.append(member)
        for enterprise_id, member in current.items():
            if enterprise_id not in rows and member.state == MembershipState.ADMITTED:
                member.state, member.exited_on = MembershipState.EXITED, today
                member.exit_reason = str(_("No longer meets the rule"))
                left.append(member)
        Membership.objects.bulk_create(new, batch_size=1000)
        Membership.objects.bulk_update(
            updated + left,
            ["facts", "state", "entered_on", "entry_reason", "exited_on", "exit_reason"],
            batch_size=1000,
        )
        counts[kind] = {"entered": len(new) + len(back), "left": len(left), "on_list": len(rows)}
    audit.record_batch(
        actor=acting_user, verb="upscale_refresh", model=Membership, batch_id=f"lists-{year}", data=counts
    )
    return counts
