"""Liaison (挂点/包联) as a service: assign, end, hand over; the tier rule of seed 000 三(四) applied by
a run that proposes, and the office's decision on each proposal. Nothing else writes
`directory.LiaisonAssignment` (stream B assigns pilots' liaisons through `assign_liaison`).

Seed 000 三(四): "主营业务收入10亿元以上的试点企业由市政府领导挂点；主营业务收入10亿元至2亿元的企业由
各镇街(园区)主要领导挂点；主营业务收入2000万元至2亿元企业由各镇街(园区)领导班子成员挂点". Reading
taken at the boundaries: 以上 includes the amount itself (as 以上 does in Chinese legal usage, 民法典
第一千二百五十九条), and each range includes its lower bound and excludes its upper one, so exactly
1,000,000,000 yuan is a city leader's, exactly 200,000,000 the town principal's, exactly 20,000,000
a town leadership member's, and below 20,000,000 no tier (tests pin the three boundaries). The
revenue is the latest verified annual 主营业务收入 (directory/figures.latest_verified).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, formats, outbox, permissions
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory import figures
from zhuqi.directory.models import Enterprise, LiaisonAssignment
from zhuqi.engagement.lifecycle import PROPOSAL_ACTIONS, ProposalState, TaskState
from zhuqi.engagement.models import Task, TierProposal
from zhuqi.programs.models import Pilot

Tier = LiaisonAssignment.Tier
CITY_MIN = Decimal("1000000000")  # 10亿元以上
PRINCIPAL_MIN = Decimal("200000000")  # 2亿元
MEMBER_MIN = Decimal("20000000")  # 2000万元
TIER_ORDER = {Tier.CITY_LEADER: 3, Tier.TOWN_PRINCIPAL: 2, Tier.TOWN_MEMBER: 1}


def tier_for(main_revenue: Decimal | None) -> str:
    """The tier of seed 000 三(四) for a main revenue in yuan; "" below every tier."""
    if main_revenue is None:
        return ""
    if main_revenue >= CITY_MIN:
        return Tier.CITY_LEADER
    if main_revenue >= PRINCIPAL_MIN:
        return Tier.TOWN_PRINCIPAL
    if main_revenue >= MEMBER_MIN:
        return Tier.TOWN_MEMBER
    return ""


def _require_office(acting_user) -> None:
    if acting_user is not None:
        permissions.require(acting_user, Capability.COORDINATE_ENGAGEMENT)


def _check_leader(leader: User) -> None:
    if not leader.is_active or not permissions.has(leader, Capability.INSTRUCT_APPEALS):
        raise ZhuqiError(
            "not_a_leader", _("Only an active liaison leader can be assigned."), status=422, field="leader"
        )


def _link(enterprise: Enterprise) -> str:
    return f"/enterprises/{enterprise.uscc}/"


@transaction.atomic
def assign_liaison(
    *,
    leader: User,
    enterprise: Enterprise,
    tier: str,
    since: date,
    acting_user,
    unit=None,
    project=None,
) -> LiaisonAssignment:
    _require_office(acting_user)
    _check_leader(leader)
    if tier not in Tier.values:
        raise ZhuqiError("bad_tier", _("Unknown liaison tier."), status=422, field="tier")
    if LiaisonAssignment.objects.active().filter(leader=leader, enterprise=enterprise).exists():
        raise Conflict("already_assigned", _("This leader is already liaison for this enterprise."))
    project_type = None
    if project is not None:
        from django.contrib.contenttypes.models import ContentType

        project_type = ContentType.objects.get_for_model(project)
    try:
        with transaction.atomic():
            assignment = LiaisonAssignment.objects.create(
                leader=leader,
                enterprise=enterprise,
                tier=tier,
                since=since,
                unit=unit,
                project_type=project_type,
                project_id=project.pk if project is not None else None,
            )
    except IntegrityError as exc:  # a concurrent assignment of the same pair
        raise Conflict("already_assigned", _("This leader is already liaison for this enterprise.")) from exc
    audit.record(
        actor=acting_user,
        verb="liaison_assign",
        obj=assignment,
        data={"comment": f"{leader} → {enterprise.name}", "since": since.isoformat()},
    )
    outbox.enqueue(
        event_key=f"liaison-{assignment.pk}-assigned",
        recipients=[leader],
        subject=str(Message(_("You are liaison for %(name)s"), {"name": enterprise.name})),
        body=str(
            Message(
                _("From %(day)s, %(tier)s."),
                {"day": formats.day(since), "tier": assignment.get_tier_display()},
            )
        ),
        link=_link(enterprise),
    )
    return assignment


@transaction.atomic
def end_liaison(
    *, assignment: LiaisonAssignment, ended_on: date, reason: str, acting_user, successor=None
) -> LiaisonAssignment:
    _require_office(acting_user)
    if not (reason or "").strip():  # the leader is told why, in the message's body
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="reason")
    assignment = (
        LiaisonAssignment.objects.select_for_update()
        .select_related("enterprise", "leader")
        .get(pk=assignment.pk)
    )
    if assignment.ended_on is not None:
        raise Conflict("liaison_ended", _("This assignment has ended already."))
    if ended_on < assignment.since:
        raise ZhuqiError(
            "bad_date", _("An assignment cannot end before it began."), status=422, field="ended_on"
        )
    assignment.ended_on = ended_on
    assignment.end_reason = (reason or "").strip()[:200]
    assignment.successor = successor
    assignment.save(update_fields=["ended_on", "end_reason", "successor"])
    audit.record(
        actor=acting_user, verb="liaison_end", obj=assignment, data={"reason": assignment.end_reason}
    )
    outbox.enqueue(
        event_key=f"liaison-{assignment.pk}-ended",
        recipients=[assignment.leader],
        subject=str(Message(_("Your liaison for %(name)s has ended"), {"name": assignment.enterprise.name})),
        body=assignment.end_reason,
        link=_link(assignment.enterprise),
    )
    return assignment


@dataclass
class Handover:
    assignment: LiaisonAssignment  # the successor's
    tasks: int  # open tasks passed on
    appeals: int  # open appeals of the enterprise it now instructs


@transaction.atomic
def hand_over_liaison(
    *,
    assignment: LiaisonAssignment,
    successor: User,
    on: date,
    acting_user,
    reason: str = "",
    tier: str | None = None,
) -> Handover:
    """Ends the assignment and gives the enterprise to the successor, who inherits the open work:
    the open tasks the leader owned for this enterprise, the duty to instruct (批示) its open appeals
    (the instruct rule reads assignments in force) and the visits due in the current period (the
    cadence holds whoever is liaison at the period's end to it, counting the predecessor's visits)."""
    from zhuqi.appeals.lifecycle import OPEN_STATES
    from zhuqi.appeals.models import Appeal
    from zhuqi.engagement.tasks import reassign_open_tasks

    _require_office(acting_user)
    _check_leader(successor)
    if successor.pk == assignment.leader_id:
        raise ZhuqiError("same_leader", _("The successor is the same leader."), status=422, field="leader")
    new = assign_liaison(
        leader=successor,
        enterprise=assignment.enterprise,
        tier=tier or assignment.tier,
        since=on,
        unit=assignment.unit,
        acting_user=acting_user,
    )
    if assignment.project_type_id:
        new.project_type_id, new.project_id = assignment.project_type_id, assignment.project_id
        new.save(update_fields=["project_type", "project_id"])
    end_liaison(
        assignment=assignment,
        ended_on=on,
        reason=reason or str(_("Handed over")),
        acting_user=acting_user,
        successor=new,
    )
    moved = reassign_open_tasks(
        from_user=assignment.leader,
        to_user=successor,
        acting_user=acting_user,
        enterprise_ids=[assignment.enterprise_id],
    )
    open_appeals = list(
        Appeal.objects.filter(
            enterprise_id=assignment.enterprise_id, state__in=[s.value for s in OPEN_STATES]
        ).values_list("number", flat=True)[:50]
    )
    if open_appeals:
        outbox.enqueue(
            event_key=f"liaison-{new.pk}-appeals",
            recipients=[successor],
            subject=str(
                Message(
                    _("Open appeals of %(name)s, now yours to follow"), {"name": assignment.enterprise.name}
                )
            ),
            body="、".join(open_appeals),
            link=f"/appeals/?enterprise={assignment.enterprise.uscc}&state=open",
        )
    audit.record(
        actor=acting_user,
        verb="liaison_hand_over",
        obj=new,
        data={"comment": f"{assignment.leader} → {successor}", "tasks": moved, "appeals": len(open_appeals)},
    )
    return Handover(new, moved, len(open_appeals))


# ---------------------------------------------------------------------------------------------
# The tier run


@dataclass
class RunResult:
    checked: int = 0
    proposed: int = 0  # new proposals
    kept: int = 0  # identical proposals already waiting
    superseded: int = 0


def _population():
    """Enterprises the tier rule looks at: those with a liaison in force, the current pilots of any
    programme (programs.Pilot: seed 000 四(五)4, every pilot has its liaison leader) and those given
    a doubling class (applicants and the reserve)."""
    assigned = LiaisonAssignment.objects.active().values("enterprise_id")
    pilots = Pilot.objects.filter(state__in=Pilot.CURRENT_STATES).values("enterprise_id")
    return Enterprise.objects.filter(
        Q(pk__in=assigned) | Q(pk__in=pilots) | ~Q(doubling_class="")
    ).values_list("pk", flat=True)


@transaction.atomic
def propose_tiers(*, acting_user=None) -> RunResult:
    """Compares each enterprise's tier by its latest verified main revenue with its liaison in force
    and proposes the change; never touches an assignment. Run again, it keeps what is waiting
    unchanged and supersedes what no longer holds."""
    _require_office(acting_user)
    result = RunResult()
    ids = list(_population())
    revenue = figures.latest_verified("main_revenue", ids)
    current: dict[int, LiaisonAssignment] = {}
    for a in LiaisonAssignment.objects.active().filter(enterprise_id__in=ids).order_by("since", "id"):
        held = current.get(a.enterprise_id)
        if held is None or TIER_ORDER[a.tier] > TIER_ORDER[held.tier]:
            current[a.enterprise_id] = a
    pending = {
        p.enterprise_id: p
        for p in TierProposal.objects.filter(state=ProposalState.PENDING, enterprise_id__in=ids)
    }
    made = []
    for enterprise_id in ids:
        if enterprise_id not in revenue:
            continue
        result.checked += 1
        year, value = revenue[enterprise_id]
        assignment = current.get(enterprise_id)
        now_tier = assignment.tier if assignment else ""
        wanted = tier_for(value)
        waiting = pending.get(enterprise_id)
        if wanted == now_tier:
            if waiting is not None:
                waiting.state = ProposalState.SUPERSEDED
                waiting.save(update_fields=["state"])
                result.superseded += 1
            continue
        if waiting is not None:
            if waiting.proposed_tier == wanted and waiting.revenue == value:
                result.kept += 1
                continue
            waiting.state = ProposalState.SUPERSEDED
            waiting.save(update_fields=["state"])
            result.superseded += 1
        made.append(
            TierProposal(
                enterprise_id=enterprise_id,
                assignment=assignment,
                current_tier=now_tier,
                proposed_tier=wanted,
                revenue=value,
                revenue_year=year,
            )
        )
    TierProposal.objects.bulk_create(made, batch_size=1000)
    result.proposed = len(made)
    audit.record_batch(
        actor=acting_user,
        verb="liaison_tier_run",
        model=TierProposal,
        batch_id=timezone.now().strftime("%Y%m%d%H%M%S"),
        data={"checked": result.checked, "proposed": result.proposed, "superseded": result.superseded},
    )
    if made:
        outbox.enqueue(
            event_key=f"tier-run-{timezone.now():%Y%m%d%H%M%S}",
            recipients=User.objects.filter(
                role__in=permissions.roles_with(Capability.COORDINATE_ENGAGEMENT), is_active=True
            ),
            subject=str(Message(_("%(n)d liaison changes proposed by main revenue"), {"n": len(made)})),
            body="",
            link="/engagement/liaisons/proposals/",
        )
    return result


def _locked_proposal(proposal: TierProposal, action: str, acting_user) -> TierProposal:
    current = (
        TierProposal.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=proposal.pk)
    )
    PROPOSAL_ACTIONS[action].check(acting_user, current)
    return current


@transaction.atomic
def accept_proposal(
    *, proposal: TierProposal, acting_user, leader: User | None = None, on: date | None = None, note: str = ""
) -> TierProposal:
    """The office accepts: below every tier the liaison ends; otherwise the named leader takes the
    enterprise at the new tier (a hand-over from the present liaison, who passes on its open work)."""
    proposal = _locked_proposal(proposal, "accept", acting_user)
    on = on or timezone.localdate()
    current = (
        LiaisonAssignment.objects.active().filter(enterprise=proposal.enterprise).order_by("-since").first()
    )
    if not proposal.proposed_tier:
        if current is not None:
            end_liaison(
                assignment=current,
                ended_on=on,
                reason=str(_("Main revenue below every tier")),
                acting_user=acting_user,
            )
    else:
        if leader is None:
            raise ZhuqiError(
                "leader_missing", _("Name the leader who takes the enterprise."), status=422, field="leader"
            )
        if current is not None and current.leader_id == leader.pk:
            current.tier = proposal.proposed_tier
            current.save(update_fields=["tier"])
            audit.record(
                actor=acting_user,
                verb="liaison_retier",
                obj=current,
                data={"comment": current.get_tier_display()},
            )
        elif current is not None:
            hand_over_liaison(
                assignment=current,
                successor=leader,
                on=on,
                acting_user=acting_user,
                tier=proposal.proposed_tier,
                reason=str(_("Tier changed by main revenue")),
            )
        else:
            assign_liaison(
                leader=leader,
                enterprise=proposal.enterprise,
                tier=proposal.proposed_tier,
                since=on,
                acting_user=acting_user,
            )
    proposal.state = ProposalState.ACCEPTED
    proposal.decided_by = acting_user if getattr(acting_user, "pk", None) else None
    proposal.decided_at = timezone.now()
    proposal.note = (note or "").strip()[:500]
    proposal.save(update_fields=["state", "decided_by", "decided_at", "note"])
    audit.record(
        actor=acting_user, verb="tier_proposal_accept", obj=proposal, data={"comment": proposal.note}
    )
    return proposal


def suggested_leaders(proposals) -> dict[int, int]:
    """For each proposal, the leader to offer first when the office accepts it: the enterprise's
    liaison leader in force (the latest assignment), so accepting keeps the enterprise with the
    leader who knows it unless the office names another. A proposal for an enterprise without a
    liaison has none. One query whatever the number of proposals."""
    proposals = list(proposals)
    leader_of = {}
    for enterprise_id, leader_id in (
        LiaisonAssignment.objects.active()
        .filter(enterprise_id__in={p.enterprise_id for p in proposals})
        .order_by("since", "id")
        .values_list("enterprise_id", "leader_id")
    ):
        leader_of[enterprise_id] = leader_id  # the latest wins
    return {p.pk: leader_of[p.enterprise_id] for p in proposals if p.enterprise_id in leader_of}


@transaction.atomic
def reject_proposal(*, proposal: TierProposal, acting_user, note: str = "") -> TierProposal:
    proposal = _locked_proposal(proposal, "reject", acting_user)
    proposal.state = ProposalState.REJECTED
    proposal.decided_by = acting_user if getattr(acting_user, "pk", None) else None
    proposal.decided_at = timezone.now()
    proposal.note = (note or "").strip()[:500]
    proposal.save(update_fields=["state", "decided_by", "decided_at", "note"])
    audit.record(
        actor=acting_user, verb="tier_proposal_reject", obj=proposal, data={"comment": proposal.note}
    )
    return proposal


def leader_loads():
    """Each leader's load: assignments in force by tier, and the open tasks it owns (two queries)."""
    rows = (
        LiaisonAssignment.objects.active()
        .values("leader_id", "leader__username", "leader__display_name")
        .annotate(
            total=Count("id"),
            city=Count("id", filter=Q(tier=Tier.CITY_LEADER)),
            principal=Count("id", filter=Q(tier=Tier.TOWN_PRINCIPAL)),
            member=Count("id", filter=Q(tier=Tier.TOWN_MEMBER)),
        )
        .order_by("-total", "leader__username")
    )
    tasks = dict(
        Task.objects.filter(state=TaskState.OPEN, owner_user__isnull=False)
        .values("owner_user_id")
        .annotate(n=Count("id"))
        .values_list("owner_user_id", "n")
    )
    return [r | {"tasks": tasks.get(r["leader_id"], 0)} for r in rows]


@transaction.atomic
def assign_many(rows: list[tuple], *, acting_user, since: date) -> int:
    """Assigns many (leader, enterprise, tier) at once (the first assignment of a programme's
    enterprises, the demo city): the checks of assign_liaison, one INSERT, one audit event for the
    batch and one message per leader."""
    _require_office(acting_user)
    taken = set(LiaisonAssignment.objects.active().values_list("leader_id", "enterprise_id"))
    made, per_leader = [], {}
    for leader, enterprise, tier in rows:
        _check_leader(leader)
        if tier not in Tier.values or (leader.pk, enterprise.pk) in taken:
            continue
        taken.add((leader.pk, enterprise.pk))
        made.append(LiaisonAssignment(leader=leader, enterprise=enterprise, tier=tier, since=since))
        per_leader.setdefault(leader.pk, (leader, []))[1].append(enterprise.name)
    LiaisonAssignment.objects.bulk_create(made, batch_size=2000)
    audit.record_batch(
        actor=acting_user,
        verb="liaison_assign",
        model=LiaisonAssignment,
        batch_id=f"batch-{timezone.now():%Y%m%d%H%M%S}",
        data={"comment": str(len(made)), "since": since.isoformat()},
    )
    outbox.enqueue_many(
        [
            outbox.Pending(
                event_key=f"liaison-batch-{since:%Y%m%d}-{leader.pk}",
                recipients=[leader],
                subject=str(Message(_("You are liaison for %(n)d enterprises"), {"n": len(names)})),
                body="、".join(names[:50]),
                link="/engagement/liaisons/",
            )
            for leader, names in per_leader.values()
        ]
    )
    return len(made)
