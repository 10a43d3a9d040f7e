"""Matching stored enterprises: facts from the directory, stored results, gaps, notifications."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.models import OutboxMessage
from zhuqi.policies import facts, matching, packs
from zhuqi.policies.models import Match, MatchRun
from zhuqi.rules import packs as shipped
from zhuqi.rules.model import load_pack


def test_facts_come_from_tags_fields_and_the_best_indicator_value(policy_world):
    IndicatorValueFactory(
        enterprise=policy_world.a,
        indicator="rd_expense_deductible",
        year=2025,
        value=1,
        source="self",
        verified=False,
    )
    # The enterprise's own R&D figure is not the subsidy's base (seed 001: 经税务部门核定的可加计扣除).
    other = EnterpriseFactory(town=policy_world.a.town)
    IndicatorValueFactory(enterprise=other, indicator="rd_expense", year=2025, value=7, source="tax")
    pack = packs.compiled(packs.pack_get("dongguan-doubling"))
    assert facts.for_enterprise([pack], 2026, other.pk)[0]["rd_expense_deductible_prev"] is None
    known, unverified = facts.for_enterprise([pack], 2026, policy_world.a.pk)
    assert known["is_pilot"] is True and known["innovative_enterprise"] is True
    assert known["listing"] == "none"
    assert known["rd_expense_deductible_prev"] == 20_000_000  # the verified tax-bureau value wins
    assert known["city_tax_retained"] is None  # no 2026 figure yet
    assert "rd_expense_deductible_prev" not in unverified
    other, unverified_b = facts.for_enterprise([pack], 2026, policy_world.b.pk)
    assert other["is_pilot"] is False
    assert "rd_expense_deductible_prev" in unverified_b


def test_seed_001_rd_subsidy_is_matched_at_5_percent(policy_world):
    """seed 001 （二）一: 研发投入补助 at most 5% of last year's deductible R&D expense."""
    run = matching.match_run(period=date(2026, 6, 30))
    a = Match.objects.get(enterprise=policy_world.a, clause__code="INNOV-RD", year=2026)
    assert a.eligible and a.amount == Decimal("1000000.00")  # 20,000,000 × 5 %
    # not an innovative enterprise
    assert not Match.objects.filter(enterprise=policy_world.b, clause__code="INNOV-RD").exists()
    in_force = {
        c.code for path in shipped.shipped() for c in load_pack(path).clauses if c.in_force(date(2026, 6, 30))
    }
    assert "INNOV-RD" in in_force and not any(
        code.startswith("DB-") for code in in_force
    )  # doubling ended 2021
    assert run.clauses == len(in_force)
    assert run.newly_eligible == 1


def test_the_2021_run_marks_undecided_clauses_whose_fact_is_missing(policy_world):
    matching.match_run(period=date(2021, 12, 31))
    pilot = {
        m.clause.code: m for m in Match.objects.filter(enterprise=policy_world.a).select_related("clause")
    }
    assert pilot["DB-3-2"].eligible and pilot["DB-3-2"].amount is None  # amount depends on the fees paid
    assert not pilot["DB-3-14-STAMP"].eligible  # 总部在本市 is not in the directory: a gap, stored
    assert "DB-3-7-PROVIDER" not in pilot  # decided only by application inputs: no gap to store
    assert not Match.objects.filter(enterprise=policy_world.b, eligible=True).exists()


def test_newly_eligible_enterprises_are_notified_once(policy_world):
    user = UserFactory(role=Role.ENTERPRISE, enterprise=policy_world.a, username="a2", mobile="13800000001")
    matching.match_run(period=date(2026, 6, 30))
    stored = Match.objects.filter(year=2026).count()
    sent = OutboxMessage.objects.filter(key__startswith="policy-eligible-", recipient=user)
    assert sent.count() == 2  # in-app and SMS
    assert "INNOV-RD" in sent.first().body
    matching.match_run(period=date(2026, 6, 30))  # nothing new: nothing more
    assert OutboxMessage.objects.filter(key__startswith="policy-eligible-", recipient=user).count() == 2
    assert MatchRun.objects.count() == 2
    assert Match.objects.filter(year=2026).count() == stored  # replaced, not added
    assert Match.objects.filter(year=2026, eligible=True).count() == 1


def test_an_enterprise_that_no_longer_qualifies_loses_its_match(policy_world):
    matching.match_run(period=date(2026, 6, 30))
    assert Match.objects.filter(enterprise=policy_world.a, year=2026, eligible=True).exists()
    policy_world.a.tags.clear()
    matching.match_run(period=date(2026, 6, 30))
    assert not Match.objects.filter(enterprise=policy_world.a, year=2026, eligible=True).exists()


@pytest.mark.parametrize(
    "inputs,amount", [({"consulting_fees": 1_000_000}, 500_000), ({"consulting_fees": 9_000_000}, 2_000_000)]
)
def test_explain_one_gives_the_seed_amount_and_the_trace(policy_world, inputs, amount):
    """seed 000 三(二): 50 % of the fees, at most 2,000,000 a year."""
    explanation = matching.explain_one(policy_world.a.pk, policy_world.clause("DB-3-2"), 2021, inputs)
    assert explanation.eligible and explanation.amount_yuan == amount
    assert [c.text for c in explanation.checks] == ["pilot"]  # the tag, or a 小巨人 (seed 001)
