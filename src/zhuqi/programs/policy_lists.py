"""The policy list a responsible department keeps for each of its pilots (seed 000 四(五)2:
「四个责任部门通过平台汇总并确定各自跟进的试点企业发展所需的政策清单,做好跟踪落实」): clauses of the policy
engine the department tracks for the pilot, each tracking or carried out."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, permissions
from zhuqi.core.errors import Conflict, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.policies.models import Clause
from zhuqi.programs.evaluation_models import PolicyListEntry
from zhuqi.programs.models import Pilot

# The office on any pilot; a handler on its department's pilots.
KEEP = permissions.own_department(Capability.KEEP_POLICY_LISTS) | permissions.Rule(
    lambda u, o: (
        permissions.has(u, Capability.KEEP_POLICY_LISTS) and permissions.has(u, Capability.SEE_EVERYTHING)
    ),
    "keep_policy_lists (any pilot)",
)


def clause_choices():
    return list(Clause.objects.filter(retired=False).order_by("code").values_list("code", "title")[:500])


@transaction.atomic
def entry_add(*, pilot: Pilot, clause_code: str, note: str, acting_user) -> PolicyListEntry:
    KEEP.require(acting_user, pilot)
    clause = Clause.objects.filter(code=clause_code, retired=False).first()
    if clause is None:
        raise ZhuqiError("clause_not_found", _("No such clause."), status=422, field="clause")
    if PolicyListEntry.objects.filter(pilot=pilot, clause=clause).exists():
        raise Conflict("already_listed", _("This clause is already on the pilot's policy list."))
    entry = PolicyListEntry.objects.create(
        pilot=pilot,
        clause=clause,
        note=note.strip()[:300],
        added_on=timezone.localdate(),
        added_by=acting_user,
    )
    audit.record(actor=acting_user, verb="policy_list_add", obj=pilot, data={"note": clause.code})
    return entry


@transaction.atomic
def entry_done(*, pilot: Pilot, entry_id: int, acting_user) -> PolicyListEntry:
    KEEP.require(acting_user, pilot)
    entry = PolicyListEntry.objects.select_for_update().filter(pk=entry_id, pilot=pilot).first()
    if entry is None:
        raise NotFound("entry_not_found", _("No such entry."))
    entry.status = PolicyListEntry.Status.DONE
    entry.save(update_fields=["status"])
    audit.record(actor=acting_user, verb="policy_list_update", obj=pilot, data={"note": entry.clause_id})
    return entry
