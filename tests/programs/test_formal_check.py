"""The formal check (seed 000 二(三), 二(四)3) with the eligibility pack: conditions met and not, the
values seen, the relaxation flagged for the committee, and the pack's scenarios in `zhuqi rules test`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import EnterpriseFactory
from tests.programs.selection_world import figures
from zhuqi.directory.models import Tag
from zhuqi.programs import eligibility, services
from zhuqi.programs.models import Application

pytestmark = pytest.mark.django_db

A = Application


def findings_of(application):
    application.refresh_from_db()
    return {f["clause"]: f for f in application.check_findings}


def test_rules_test_runs_the_eligibility_pack_at_below_and_above_each_threshold():
    out = StringIO()
    call_command("rules", "test", "--verbose-tests", stdout=out)
    text = out.getvalue()
    assert "dongguan_doubling_selection.yaml: 29/29 scenario tests passed" in text
    for name in (
        "营业收入 恰为2000万元 符合",
        "营业收入 低1分 不符合",
        "营业收入 高1分 符合",
        "增长 恰为10% 符合",
        "增长 差1分 不符合",
        "利润 0元 不符合",
        "环境信用 黄牌 不符合",
        "重点用能单位 未完成 不符合",
        "放宽 新设重点引进项目",
        "放宽 成立已满两年 不适用",
    ):
        assert f"ok   dongguan-doubling-selection · {name}" in text, name


def test_check_passes_fails_and_shows_the_values_seen(sel):
    w = sel
    good = w.apply(w.a, revenue=30_000_000)
    small = w.apply(w.b, revenue="19999999.99")
    services.round_close(round_=w.round, acting_user=w.coordinator)
    counts = services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    assert counts == {A.CheckResult.PASSED: 1, A.CheckResult.FAILED: 1}
    good.refresh_from_db()
    assert good.state == A.State.IN_REVIEW and good.check_result == A.CheckResult.PASSED
    found = findings_of(small)
    assert small.state == A.State.CHECK_FAILED
    assert found["SEL-4-REVENUE"]["met"] is False
    assert found["SEL-4-REVENUE"]["seen"] == {"revenue": "19999999.99"}
    shown = {f["code"]: f for f in eligibility.described(small.check_findings)}
    [seen] = shown["SEL-4-REVENUE"]["seen"]
    assert seen["label"] == "营业收入" and seen["value"].endswith("万元"), seen
    assert shown["SEL-4-REVENUE"]["source"] == "东府办〔2017〕11号 二（三）4"


def test_a_yellow_card_or_an_unfinished_energy_assessment_fails(sel):
    w = sel
    c = EnterpriseFactory(town=w.towns[0])
    yellow, energy = w.apply(w.a), w.apply(c)
    services.facts_record(
        rows=[
            (w.a, "env_credit", "黄牌", "市生态环境局", date(2016, 12, 31)),
            (c, "key_energy_user", "是", "市发改局", date(2016, 12, 31)),
            (c, "energy_assessment", "未完成", "市发改局", date(2016, 6, 30)),
        ],
        acting_user=w.coordinator,
    )
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    assert findings_of(yellow)["SEL-2-ENV"] == {
        "clause": "SEL-2-ENV",
        "met": False,
        "seen": {"env_credit": "黄牌"},
    }
    assert findings_of(energy)["SEL-2-ENERGY"]["met"] is False
    assert yellow.state == energy.state == A.State.CHECK_FAILED


def test_no_rating_on_record_reads_not_rated_and_passes(sel):
    w = sel
    application = w.apply(w.a)
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    assert findings_of(application)["SEL-2-ENV"] == {
        "clause": "SEL-2-ENV",
        "met": True,
        "seen": {"env_credit": "未评价"},
    }


def test_a_new_gazelle_is_flagged_for_the_committee_not_silently_passed(sel):
    w = sel
    new = EnterpriseFactory(town=w.towns[0], founded_on=date(2015, 3, 1))
    new.tags.add(Tag.objects.get_or_create(name="瞪羚企业")[0])
    old = EnterpriseFactory(town=w.towns[0], founded_on=date(2010, 3, 1))
    old.tags.add(Tag.objects.get_or_create(name="瞪羚企业")[0])
    flagged = w.apply(new, growth=0)  # no growth: the figures fail
    failed = w.apply(old, growth=0)
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    flagged.refresh_from_db()
    failed.refresh_from_db()
    assert flagged.check_result == A.CheckResult.FLAGGED and flagged.state == A.State.IN_REVIEW
    found = findings_of(flagged)
    assert found["SEL-4-GROWTH"]["met"] is False and found["SEL-4-RELAX"]["met"] is True
    assert failed.check_result == A.CheckResult.FAILED  # founded 2010: no relaxation


def test_the_declared_figure_stands_in_where_the_directory_has_none(sel):
    w = sel
    declared = {
        "revenue@2015": "30000000",
        "revenue@2014": "25000000",
        "total_profit@2015": "100",
        "tax_paid@2015": "100",
        "main_revenue@2016": "1",
        "tax_paid@2016": "1",
    }
    application = w.apply(w.a, declared=declared)
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    application.refresh_from_db()
    assert application.check_result == A.CheckResult.PASSED
    assert findings_of(application)["SEL-4-REVENUE"]["seen"] == {"revenue": "30000000.00"}


def test_cross_check_flags_each_figure_with_both_values_and_records_the_settlement(sel):
    w = sel
    declared = figures(w.a)
    declared["revenue@2015"] = "54000000"  # 8 % above both bureaus' 50,000,000
    application = w.apply(w.a, declared=declared)
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    assert services.cross_check_run(round_=w.round, acting_user=w.coordinator) == 2
    flags = list(application.cross_checks.order_by("source"))
    assert [(f.indicator, f.year, f.source, f.declared, f.found, f.difference_percent) for f in flags] == [
        ("revenue", 2015, "stats", 54_000_000, 50_000_000, 8),
        ("revenue", 2015, "tax", 54_000_000, 50_000_000, 8),
    ]
    services.round_settings(round_=w.round, tolerance_percent=10, acting_user=w.coordinator)
    assert services.cross_check_run(round_=w.round, acting_user=w.coordinator) == 0
    services.round_settings(round_=w.round, tolerance_percent=5, acting_user=w.coordinator)
    services.cross_check_run(round_=w.round, acting_user=w.coordinator)
    flag = application.cross_checks.first()
    services.cross_check_settle(flag=flag, settlement="rejected", note="数据不实", acting_user=w.coordinator)
    application.refresh_from_db()
    assert application.state == A.State.CHECK_FAILED
    flag.refresh_from_db()
    assert flag.settlement == "rejected" and flag.settled_by == w.coordinator
