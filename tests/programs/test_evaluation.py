"""The annual evaluation (seed 000 四(四)): keep on the path, probation when slow, replacement on the
second slow year by the best reserve enterprise of the same class — and nothing changes on any pilot
before the committee's proposal and the city government's approval are recorded."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from tests.programs.pilots_world import PilotsWorld, growth
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.core.models import AuditEvent, OutboxMessage
from zhuqi.programs import evaluation as ev
from zhuqi.programs import monitoring
from zhuqi.programs.evaluation_models import Evaluation
from zhuqi.programs.models import Pilot, ReserveEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return PilotsWorld()


def _states():
    return dict(Pilot.objects.values_list("id", "state"))


def test_the_doubling_rates_of_three_and_five_years():
    """四(四)/一: 3 or 5 years to double: 2^(1/3) − 1 ≈ 25.99 % and 2^(1/5) − 1 ≈ 14.87 % a year."""
    assert monitoring.yearly_rate(3) == Decimal("0.2599")
    assert monitoring.yearly_rate(5) == Decimal("0.1487")
    assert monitoring.needed_ratio(3, 3) == Decimal("2.0000")
    assert monitoring.needed_ratio(1, 3) == Decimal("1.2599")


def test_the_path_is_exact_at_its_threshold():
    """After one year of three, 2^(1/3) = 1.259921049894873…: 125,992,104.99 from 100,000,000 is just
    short, 125,992,105.00 reaches it."""
    base = Decimal(100_000_000)
    assert monitoring.reached(Decimal("125992105.00"), base, 1, 3) is True
    assert monitoring.reached(Decimal("125992104.98"), base, 1, 3) is False
    assert monitoring.reached(Decimal("200000000.00"), base, 3, 3) is True
    assert monitoring.reached(Decimal("199999999.99"), base, 3, 3) is False
    assert monitoring.reached(None, base, 1, 3) is None
    assert monitoring.reached(Decimal(1), Decimal(0), 1, 3) is None


def test_revenue_or_tax_on_the_path_keeps_and_only_main_revenue_doubles(w):
    """The reading: 「保持营收或税收倍增趋势的」 keeps a pilot when main revenue OR tax is on its path;
    「主营业务收入至少翻一倍」 — doubled only when main revenue has doubled (tax alone does not)."""
    tax_only = w.pilot()
    w.series(tax_only.enterprise, growth(100_000_000, 0.05), growth(5_000_000, 0.30))
    neither = w.pilot()
    w.series(neither.enterprise, growth(100_000_000, 0.05), growth(5_000_000, 0.05))
    tax_doubled = w.pilot()
    w.series(tax_doubled.enterprise, growth(100_000_000, 0.05), {2016: 5_000_000, 2017: 10_000_000})
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    by_pilot = {i.pilot_id: i for i in evaluation.items.all()}
    assert (by_pilot[tax_only.pk].proposal, by_pilot[tax_only.pk].reason) == ("keep", "on_path")
    assert by_pilot[neither.pk].proposal == "probation"
    assert by_pilot[tax_doubled.pk].proposal == "keep"  # tax doubled, main revenue did not
    assert by_pilot[tax_only.pk].needed_ratio == Decimal("1.2599")


def test_keep_probation_then_replacement_by_the_best_reserve_enterprise_of_the_same_class(w):
    on_path = w.pilot()
    w.series(on_path.enterprise, growth(300_000_000, 0.27), growth(20_000_000, 0.27))
    slow = w.pilot(enterprise_class="foreign", commitment=5)
    w.series(slow.enterprise, growth(200_000_000, 0.05), growth(10_000_000, 0.04))
    enterprise_user = UserFactory(username="slow_user", role=Role.ENTERPRISE, enterprise=slow.enterprise)
    best_other_class = w.reserve("private_mfg", "95.00")
    best_same_class = w.reserve("foreign", "88.50")
    w.reserve("foreign", "80.00")
    before = _states()

    # Early 2018: the 2017 figures.
    first = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    items = {i.pilot_id: i for i in first.items.all()}
    assert items[on_path.pk].decision == "keep"
    assert (items[slow.pk].decision, items[slow.pk].reason) == ("probation", "slow")
    assert _states() == before
    # Probation needs a third-party assessment saying doubling is still feasible, with its file.
    with pytest.raises(Conflict) as refused:
        ev.evaluation_propose(
            evaluation=first,
            committee_note="遴选委员会2018年第1次会议",
            proposed_on=date(2018, 2, 1),
            acting_user=w.coordinator,
        )
    assert refused.value.code == "assessment_missing"
    item = ev.item_amend(
        item=items[slow.pk],
        acting_user=w.coordinator,
        assessment="feasible",
        assessment_note="某会计师事务所评估：具备2021年倍增可行性",
        upload=SimpleUploadedFile("评估报告.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    assert (item.decision, item.reason) == ("probation", "feasible")
    ev.evaluation_propose(
        evaluation=first,
        committee_note="遴选委员会2018年第1次会议",
        proposed_on=date(2018, 2, 1),
        acting_user=w.coordinator,
    )
    assert _states() == before  # the committee's proposal changes no pilot either
    ev.evaluation_approve(
        evaluation=first,
        approval_document="东府函〔2018〕12号",
        approved_on=date(2018, 2, 20),
        acting_user=w.coordinator,
    )
    assert Pilot.objects.get(pk=slow.pk).state == "probation"
    assert Pilot.objects.get(pk=on_path.pk).state == "active"
    assert OutboxMessage.objects.filter(recipient=enterprise_user, subject__contains="2017").exists()

    # Early 2019: slow again → replaced by the best reserve enterprise of its own class.
    second = ev.evaluation_run(programme=w.programme, year=2018, acting_user=w.coordinator)
    item = second.items.get(pilot=slow)
    assert (item.decision, item.reason) == ("replace", "slow_again")
    assert item.candidate_id == best_same_class.pk and item.candidate_from == "reserve"
    assert item.candidate_id != best_other_class.pk  # a higher score, but another class
    assert item.candidate_score == Decimal("88.50")
    states = _states()
    ev.evaluation_propose(
        evaluation=second,
        committee_note="淘汰替补方案",
        proposed_on=date(2019, 2, 1),
        acting_user=w.coordinator,
    )
    assert _states() == states and not Pilot.objects.filter(enterprise=best_same_class).exists()
    ev.evaluation_approve(
        evaluation=second,
        approval_document="东府函〔2019〕8号",
        approved_on=date(2019, 2, 25),
        acting_user=w.coordinator,
    )
    slow.refresh_from_db()
    assert slow.state == "replaced" and slow.ended_on == date(2019, 2, 25)
    successor = Pilot.objects.get(enterprise=best_same_class, state="active")
    assert successor.start_year == 2019 and successor.enterprise_class == "foreign"
    assert successor.department == w.departments["foreign"]
    assert monitoring.base_year_of(successor) == 2018
    assert not ReserveEntry.objects.get(enterprise=best_same_class).active
    assert second.items.get(pilot=slow).successor == successor
    assert AuditEvent.objects.filter(verb="evaluation_approve").count() == 2


def test_a_town_level_pilot_is_a_candidate_and_candidates_are_used_once(w):
    slow_a = w.pilot(state="probation")
    slow_b = w.pilot(state="probation")
    for p in (slow_a, slow_b):
        w.series(p.enterprise, growth(100_000_000, 0.02))
    reserve = w.reserve("private_mfg", "70.00")
    town_pilot = w.pilot(programme=w.town_programme)
    evaluation = ev.evaluation_run(programme=w.programme, year=2018, acting_user=w.coordinator)
    candidates = {i.pilot_id: (i.candidate_id, i.candidate_from) for i in evaluation.items.all()}
    assert candidates[slow_a.pk] == (reserve.pk, "reserve")  # scored first, the unscored after
    assert candidates[slow_b.pk] == (town_pilot.enterprise_id, "town")


def test_dishonesty_or_an_assessment_saying_not_feasible_proposes_replacement(w):
    honest_slow = w.pilot()
    dishonest = w.pilot()
    for p in (honest_slow, dishonest):
        w.series(p.enterprise, growth(100_000_000, 0.30))
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    item = ev.item_amend(
        item=evaluation.items.get(pilot=dishonest),
        acting_user=w.coordinator,
        dishonest=True,
        dishonesty_note="虚报2017年主营业务收入",
    )
    assert (item.decision, item.reason) == ("replace", "dishonest")
    slow = w.pilot()
    w.series(slow.enterprise, growth(100_000_000, 0.01))
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    assert evaluation.items.get(pilot=dishonest).decision == "replace"  # kept across the re-run
    item = ev.item_amend(
        item=evaluation.items.get(pilot=slow),
        acting_user=w.coordinator,
        assessment="not_feasible",
        assessment_note="第三方评估：已不具备倍增可行性",
    )
    assert (item.decision, item.reason) == ("replace", "not_feasible")


def test_a_pilot_that_doubled_early_may_restart_its_years(w):
    early = w.pilot(commitment=5)
    w.series(early.enterprise, {2016: 100_000_000, 2018: 200_000_000})
    evaluation = ev.evaluation_run(programme=w.programme, year=2018, acting_user=w.coordinator)
    item = evaluation.items.get(pilot=early)
    assert (item.decision, item.reason) == ("doubled", "doubled")
    ev.item_amend(item=item, acting_user=w.coordinator, reenter=True)
    ev.evaluation_propose(
        evaluation=evaluation,
        committee_note="提前倍增",
        proposed_on=date(2019, 2, 1),
        acting_user=w.coordinator,
    )
    ev.evaluation_approve(
        evaluation=evaluation,
        approval_document="东府函〔2019〕8号",
        approved_on=date(2019, 2, 25),
        acting_user=w.coordinator,
    )
    assert Pilot.objects.get(pk=early.pk).state == "doubled"
    again = Pilot.objects.get(enterprise=early.enterprise, state="active")
    assert again.start_year == 2019 and again.commitment_years == 5
    assert monitoring.base_year_of(again) == 2018  # its new doubling counts from the year it doubled


def test_only_the_office_evaluates_and_an_approved_evaluation_is_final(w):
    w.pilot()
    handler = w.departments["private_mfg"].head
    with pytest.raises(Forbidden):
        ev.evaluation_run(programme=w.programme, year=2017, acting_user=handler)
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    ev.evaluation_propose(
        evaluation=evaluation, committee_note="x", proposed_on=date(2018, 2, 1), acting_user=w.coordinator
    )
    with pytest.raises(Conflict):
        ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    ev.evaluation_return(evaluation=evaluation, note="请补充第三方评估", acting_user=w.coordinator)
    assert Evaluation.objects.get(pk=evaluation.pk).state == "draft"
    ev.evaluation_propose(
        evaluation=evaluation, committee_note="x", proposed_on=date(2018, 2, 1), acting_user=w.coordinator
    )
    ev.evaluation_approve(
        evaluation=evaluation, approval_document="文", approved_on=date(2018, 2, 2), acting_user=w.coordinator
    )
    with pytest.raises(Conflict):
        ev.evaluation_approve(
            evaluation=evaluation,
            approval_document="文",
            approved_on=date(2018, 2, 2),
            acting_user=w.coordinator,
        )


def test_the_enterprise_and_its_department_head_are_each_told_in_their_own_words(w):
    pilot = w.pilot()
    w.series(pilot.enterprise, growth(300_000_000, 0.27), growth(20_000_000, 0.27))
    enterprise_user = UserFactory(username="kept_user", role=Role.ENTERPRISE, enterprise=pilot.enterprise)
    head = pilot.department.head
    assert head is not None
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    ev.evaluation_propose(
        evaluation=evaluation, committee_note="x", proposed_on=date(2018, 2, 1), acting_user=w.coordinator
    )
    ev.evaluation_approve(
        evaluation=evaluation, approval_document="文", approved_on=date(2018, 2, 2), acting_user=w.coordinator
    )
    to_enterprise = set(
        OutboxMessage.objects.filter(recipient=enterprise_user).values_list("subject", flat=True)
    )
    to_head = set(OutboxMessage.objects.filter(recipient=head).values_list("subject", flat=True))
    assert to_enterprise == {"2017年度评价：贵企业继续享受试点企业待遇"}
    assert to_head == {f"2017年度评价：{pilot.enterprise.name}继续享受试点企业待遇"}
