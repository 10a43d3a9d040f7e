"""Cadence compliance over a quarter with the weekly, monthly and quarterly rules of the seeds
(seed 004 二 周联系、月走访; seed 000 四(五)4 每季度走访), and reminders that go out once."""

from datetime import date

import pytest

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.models import OutboxMessage
from zhuqi.directory.models import LiaisonAssignment
from zhuqi.engagement import cadence, liaison
from zhuqi.engagement.models import CadenceRule, Visit

pytestmark = pytest.mark.django_db
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def _visit(world, day, kind, leader=None):
    return Visit.objects.create(
        enterprise=world.a,
        leader=leader or world.users["leader_a"],
        kind=kind,
        visited_on=day,
        recorded_by=world.users["coordinator"],
    )


@pytest.fixture
def quarter(world):
    LiaisonAssignment.objects.filter(enterprise=world.a).update(since=date(2026, 1, 1), unit=world.town_dept)
    for day, kind in (
        (date(2026, 7, 1), "phone"),
        (date(2026, 7, 8), "wechat"),
        (date(2026, 7, 15), "onsite"),
        (date(2026, 8, 5), "phone"),
    ):
        _visit(world, day, kind)
    return world


def _counts(frame, rule):
    rows = frame.filter(frame["rule"] == rule)
    return {s: rows.filter(rows["status"] == s).height for s in ("done", "due", "overdue")}


def test_the_seeds_rules_are_data():
    rules = {r.code: (r.period, sorted(r.kinds)) for r in CadenceRule.objects.all()}
    assert rules == {
        "weekly-contact": ("week", ["meeting", "onsite", "phone", "wechat"]),  # seed 004: 周联系, any contact
        "monthly-visit": ("month", ["onsite"]),  # seed 004: 月走访, on site
        "quarterly-visit": ("quarter", ["onsite"]),  # seed 000 四(五)4: 每季度至少走访一次
    }


def test_compliance_over_a_quarter(quarter):
    frame = cadence.statuses(start=Q3[0], end=Q3[1], today=date(2026, 9, 20))
    # Weeks from Monday 29 June (holding 1 July) to the week of 14–20 September, still under way:
    # contacts in the weeks of 29 June, 6 July, 13 July and 3 August.
    assert _counts(frame, "weekly-contact") == {"done": 4, "due": 1, "overdue": 7}
    # On site in July only: August overdue, September running.
    assert _counts(frame, "monthly-visit") == {"done": 1, "due": 1, "overdue": 1}
    assert _counts(frame, "quarterly-visit") == {"done": 1, "due": 0, "overdue": 0}
    # After the quarter: the running periods become overdue.
    after = cadence.statuses(start=Q3[0], end=Q3[1], today=date(2026, 10, 5))
    assert _counts(after, "weekly-contact") == {"done": 4, "due": 0, "overdue": 10}
    assert _counts(after, "monthly-visit") == {"done": 1, "due": 0, "overdue": 2}


def test_per_leader_unit_and_town(quarter):
    result = cadence.compliance(start=Q3[0], end=Q3[1], today=date(2026, 10, 5))
    by_leader = {(r.key, r.rule): (r.done, r.overdue) for r in result["leader_id"]}
    assert by_leader[(quarter.users["leader_a"].pk, "monthly-visit")] == (1, 2)
    assert {r.key for r in result["unit_id"]} == {quarter.town_dept.pk}
    assert {r.key for r in result["town_id"]} == {quarter.a.town_id}


def test_a_successor_owes_the_running_period_and_inherits_its_visits(quarter):
    new = UserFactory(username="successor", role=Role.LEADER)
    current = LiaisonAssignment.objects.get(enterprise=quarter.a)
    liaison.hand_over_liaison(assignment=current, successor=new, on=date(2026, 7, 20), acting_user=None)
    frame = cadence.statuses(start=Q3[0], end=Q3[1], today=date(2026, 10, 5))
    quarterly = frame.filter(frame["rule"] == "quarterly-visit")
    # The successor holds the enterprise at the quarter's end; the predecessor's July visit counts.
    assert quarterly["leader_id"].to_list() == [new.pk] and quarterly["status"].to_list() == ["done"]
    july = frame.filter((frame["rule"] == "monthly-visit") & (frame["period"] == "2026-07"))
    assert july["leader_id"].to_list() == [new.pk] and july["status"].to_list() == ["done"]
    june_week = frame.filter((frame["rule"] == "weekly-contact") & (frame["period"] == "2026-W27"))
    assert june_week["leader_id"].to_list() == [quarter.users["leader_a"].pk]  # before the hand-over


def test_reminders_go_out_once(quarter):
    leader = quarter.users["leader_a"]

    def reminders():
        return OutboxMessage.objects.filter(recipient=leader, key__startswith="visit-remind-").count()

    assert cadence.send_reminders(date(2026, 9, 15)) == 0  # five days before the week ends: too early
    # 20 September: the week ends today (weekly rule, 2 days before); the month ends in 10 days
    # (monthly rule, 5 days before: not yet); the quarter is done already.
    assert cadence.send_reminders(date(2026, 9, 20)) == 1
    assert cadence.send_reminders(date(2026, 9, 20)) == 0
    assert cadence.send_reminders(date(2026, 9, 19)) == 0  # the same week, another run
    assert reminders() == 1
    # 26 September: a new week, and the month is within its 5 days.
    assert cadence.send_reminders(date(2026, 9, 26)) == 2
    assert cadence.send_reminders(date(2026, 9, 26)) == 0
    assert reminders() == 3
    _visit(quarter, date(2026, 9, 28), "onsite")
    assert cadence.send_reminders(date(2026, 9, 29)) == 0  # reached this week and this month


def test_overdue_findings(quarter):
    from zhuqi.core import findings

    found = list(findings.kinds()["visit_overdue"].provider(date(2026, 10, 5)))
    periods = {(f.period, f.level) for f in found}
    # The last ended week (28 September – 4 October), month (September) and quarter (Q3: done).
    assert periods == {("2026-W40", "yellow"), ("2026-09", "yellow")}
    assert all(f.user_ids == (quarter.users["leader_a"].pk,) for f in found)
