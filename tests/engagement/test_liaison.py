"""Liaison as a service: the tier rule of seed 000 三(四) proposes and never reassigns by itself; a
hand-over passes the open work to the successor."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import IndicatorValueFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals.lifecycle import ACTIONS as APPEAL_ACTIONS
from zhuqi.appeals.models import Appeal
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.core.models import OutboxMessage
from zhuqi.directory.models import LiaisonAssignment
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.engagement import liaison
from zhuqi.engagement.lifecycle import ProposalState, TaskState
from zhuqi.engagement.models import TierProposal
from zhuqi.engagement.tasks import create_task

pytestmark = pytest.mark.django_db
Tier = LiaisonAssignment.Tier


@pytest.mark.parametrize(
    ("revenue", "tier"),
    [
        # seed 000 三(四): 10亿元以上 a city leader — 以上 includes the amount itself
        ("1000000000", Tier.CITY_LEADER),
        ("999999999.99", Tier.TOWN_PRINCIPAL),
        # 10亿元至2亿元: the lower bound belongs to the range
        ("200000000", Tier.TOWN_PRINCIPAL),
        ("199999999.99", Tier.TOWN_MEMBER),
        # 2000万元至2亿元
        ("20000000", Tier.TOWN_MEMBER),
        ("19999999.99", ""),
        (None, ""),
    ],
)
def test_tier_boundaries(revenue, tier):
    assert liaison.tier_for(Decimal(revenue) if revenue else None) == tier


def _revenue(enterprise, value, year=2025, verified=True):
    IndicatorValueFactory(
        enterprise=enterprise, indicator="main_revenue", year=year, value=Decimal(value), verified=verified
    )


def test_run_proposes_and_never_reassigns(world):
    assignment = LiaisonAssignment.objects.get(enterprise=world.a)  # a city leader's (factory)
    _revenue(world.a, "500000000")  # now the town principal's tier
    _revenue(world.b, "50000000")  # no liaison yet: a town leadership member's
    result = liaison.propose_tiers(acting_user=world.users["coordinator"])
    assert result.proposed == 2
    assignment.refresh_from_db()
    assert assignment.tier == Tier.CITY_LEADER and assignment.ended_on is None  # untouched
    assert LiaisonAssignment.objects.count() == 1
    a_proposal = TierProposal.objects.get(enterprise=world.a)
    assert (a_proposal.current_tier, a_proposal.proposed_tier) == (Tier.CITY_LEADER, Tier.TOWN_PRINCIPAL)
    # A second run keeps what waits; nothing is duplicated, nothing reassigned.
    again = liaison.propose_tiers(acting_user=None)
    assert (again.proposed, again.kept) == (0, 2)
    assert TierProposal.objects.filter(state=ProposalState.PENDING).count() == 2
    assert (
        OutboxMessage.objects.filter(recipient__username="coordinator", key__startswith="tier-run").count()
        == 1
    )


def test_unverified_revenue_moves_nothing(world):
    _revenue(world.a, "500000000", verified=False)
    _revenue(world.a, "2000000000", year=2024)
    assert liaison.propose_tiers().proposed == 0  # 2024's verified figure keeps the city tier


def test_revenue_back_in_tier_supersedes(world):
    _revenue(world.a, "500000000")
    liaison.propose_tiers()
    _revenue(world.a, "1500000000", year=2026)
    assert liaison.propose_tiers().superseded == 1
    assert not TierProposal.objects.filter(state=ProposalState.PENDING).exists()


def test_only_the_office_runs_and_decides(world):
    with pytest.raises(Forbidden):
        liaison.propose_tiers(acting_user=world.users["leader_a"])
    _revenue(world.a, "500000000")
    liaison.propose_tiers()
    proposal = TierProposal.objects.get()
    with pytest.raises(Forbidden):
        liaison.reject_proposal(proposal=proposal, acting_user=world.users["town_a"])
    liaison.reject_proposal(proposal=proposal, acting_user=world.users["coordinator"], note="年内观察")
    with pytest.raises(Conflict):
        liaison.reject_proposal(proposal=proposal, acting_user=world.users["coordinator"])
    assert LiaisonAssignment.objects.get(enterprise=world.a).tier == Tier.CITY_LEADER


def test_accepting_hands_over_with_the_open_work(world):
    old = world.users["leader_a"]
    LiaisonAssignment.objects.filter(enterprise=world.a).update(since=date(2026, 1, 1))
    new = UserFactory(username="town_principal", role=Role.LEADER)
    task = create_task(
        title="协调用地指标",
        due_on=date(2026, 12, 31),
        owner_user=old,
        enterprise=world.a,
        acting_user=world.users["coordinator"],
    )
    other = create_task(
        title="别的企业", due_on=date(2026, 12, 31), owner_user=old, enterprise=world.b, acting_user=None
    )
    appeal = _open_appeal(world)
    assert APPEAL_ACTIONS["instruct"].allows(old, appeal) and not APPEAL_ACTIONS["instruct"].allows(
        new, appeal
    )
    _revenue(world.a, "500000000")
    liaison.propose_tiers()
    proposal = TierProposal.objects.get()
    liaison.accept_proposal(
        proposal=proposal, leader=new, on=date(2026, 7, 1), acting_user=world.users["coordinator"]
    )
    ended = LiaisonAssignment.objects.get(leader=old, enterprise=world.a)
    successor = LiaisonAssignment.objects.active().get(enterprise=world.a)
    assert ended.ended_on == date(2026, 7, 1) and ended.successor == successor
    assert (successor.leader, successor.tier, successor.since) == (new, Tier.TOWN_PRINCIPAL, date(2026, 7, 1))
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.owner_user == new and task.state == TaskState.OPEN
    assert other.owner_user == old  # another enterprise's task stays
    # The duty to instruct the open appeal passed with the assignment; so did the scope.
    assert APPEAL_ACTIONS["instruct"].allows(new, appeal) and not APPEAL_ACTIONS["instruct"].allows(
        old, appeal
    )
    assert world.a in enterprises_visible_to(new) and world.a not in enterprises_visible_to(old)
    assert OutboxMessage.objects.filter(
        recipient=new, key__startswith=f"liaison-{successor.pk}-appeals"
    ).exists()


def _open_appeal(world):
    from zhuqi.appeals import services
    from zhuqi.directory.models import ServiceCategory

    parent = ServiceCategory.objects.create(code="x", name="融资")
    category = ServiceCategory.objects.create(code="x.loan", name="贷款", parent=parent)
    return services.appeal_submit(
        enterprise=world.a,
        title="贷款贴息",
        description="申请贷款贴息",
        category=category,
        acting_user=world.users["coordinator"],
        channel="phone",
    ).appeal


def test_accepting_below_every_tier_ends(world):
    _revenue(world.a, "10000000")
    liaison.propose_tiers()
    liaison.accept_proposal(proposal=TierProposal.objects.get(), acting_user=world.users["coordinator"])
    assert not LiaisonAssignment.objects.active().filter(enterprise=world.a).exists()


def test_assign_end_and_reassign_the_same_pair(world):
    leader = world.users["leader_a"]
    with pytest.raises(Conflict):
        liaison.assign_liaison(
            leader=leader, enterprise=world.a, tier=Tier.CITY_LEADER, since=date(2026, 1, 1), acting_user=None
        )
    current = LiaisonAssignment.objects.active().get(enterprise=world.a)
    liaison.end_liaison(
        assignment=current, ended_on=date.today(), reason="调整", acting_user=world.users["coordinator"]
    )
    again = liaison.assign_liaison(
        leader=leader,
        enterprise=world.a,
        tier=Tier.CITY_LEADER,
        since=date.today(),
        acting_user=world.users["coordinator"],
    )
    assert again.pk != current.pk
    with pytest.raises(Forbidden):
        liaison.assign_liaison(
            leader=leader,
            enterprise=world.b,
            tier=Tier.CITY_LEADER,
            since=date(2026, 1, 1),
            acting_user=leader,
        )


def test_leader_loads(world):
    loads = liaison.leader_loads()
    assert [(r["leader__username"], r["total"], r["city"]) for r in loads] == [("leader_a", 1, 1)]
    assert Appeal.objects.count() == 0


def test_accepting_offers_the_enterprises_liaison_leader_first(world, client, django_assert_num_queries):
    leader = world.users["leader_a"]  # world.a's liaison (a city leader's, by the factory)
    UserFactory(username="another_leader", role=Role.LEADER)
    _revenue(world.a, "500000000")  # its tier moves: a proposal for an enterprise with a liaison
    _revenue(world.b, "50000000")  # a proposal for one without
    liaison.propose_tiers(acting_user=world.users["coordinator"])
    with_liaison = TierProposal.objects.get(enterprise=world.a)
    without = TierProposal.objects.get(enterprise=world.b)
    with django_assert_num_queries(1):
        assert liaison.suggested_leaders([with_liaison, without]) == {with_liaison.pk: leader.pk}
    client.force_login(world.users["coordinator"])
    page = client.get("/engagement/liaisons/proposals/").content.decode()
    forms = {
        p.pk: page.split(f"/engagement/liaisons/proposals/{p.pk}/accept/")[1].split("</form>")[0]
        for p in (with_liaison, without)
    }
    assert f'<option value="{leader.pk}" selected>' in forms[with_liaison.pk]
    assert "现挂点领导" in forms[with_liaison.pk]
    assert " selected" not in forms[without.pk] and '<option value="">请选择挂点领导' in forms[without.pk]
    # Accepting as suggested keeps the enterprise with its leader at the new tier.
    response = client.post(
        f"/engagement/liaisons/proposals/{with_liaison.pk}/accept/", {"leader": str(leader.pk)}
    )
    assert response.status_code == 302
    kept = LiaisonAssignment.objects.active().get(enterprise=world.a)
    assert (kept.leader, kept.tier) == (leader, Tier.TOWN_PRINCIPAL)
    # Leaving the choice blank names nobody: refused, and nothing changes.
    client.post(f"/engagement/liaisons/proposals/{without.pk}/accept/", {"leader": ""})
    without.refresh_from_db()
    assert without.state == ProposalState.PENDING and not LiaisonAssignment.objects.filter(enterprise=world.b)


def test_a_pilot_without_a_doubling_class_or_liaison_is_looked_at(db):
    """A current pilot (programs.Pilot) is in the tier rule's population even when the directory
    gives it no doubling class and nobody is its liaison yet (seed 000 四(五)4)."""
    from tests.programs.pilots_world import PilotsWorld

    programme = PilotsWorld()
    enterprise = programme.enterprise(enterprise_class="")
    programme.pilot(enterprise)
    _revenue(enterprise, "300000000")
    assert liaison.propose_tiers().proposed == 1
    assert TierProposal.objects.get(enterprise=enterprise).proposed_tier == Tier.TOWN_PRINCIPAL


def test_ending_a_liaison_needs_a_reason_and_changes_nothing_without_one(client, world):
    current = LiaisonAssignment.objects.active().get(enterprise=world.a)
    client.force_login(world.users["coordinator"])
    response = client.post(f"/engagement/liaisons/{current.pk}/end/", {"reason": "  "}, follow=True)
    assert "请填写理由。" in response.content.decode()  # the list's flash, as its other refusals
    assert LiaisonAssignment.objects.get(pk=current.pk).ended_on is None
    assert not OutboxMessage.objects.filter(key=f"liaison-{current.pk}-ended").exists()
    response = client.post(f"/engagement/liaisons/{current.pk}/end/", {"reason": "企业迁出本市"})
    assert response.status_code == 302
    ended = LiaisonAssignment.objects.get(pk=current.pk)
    assert ended.ended_on is not None and ended.end_reason == "企业迁出本市"
