"""The shipped pack (seed 000 三 扶持措施, seed 001 R&D subsidy): it loads, every clause cites its
paragraph, its scenario tests pass through both evaluators, and a wrong expectation fails."""

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from zhuqi.rules import packs
from zhuqi.rules.engine import explain, run_scenarios
from zhuqi.rules.expr import RuleError
from zhuqi.rules.model import dump_pack, load_pack

PACK = packs.DIRECTORY / "dongguan_doubling.yaml"
SEED_000_MEASURES = {
    "三（二）",
    "三（三）",
    "三（五）",
    "三（六）",
    "三（七）",
    "三（八）",
    "三（十四）",
    "三（十六）",
    "三（十七）",
    "三（十八）",
}


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACK)


def test_every_scenario_passes_through_both_evaluators(pack):
    results = run_scenarios(pack)
    assert len(results) >= 85
    assert [r.message for r in results if not r.passed] == []


def test_every_computable_measure_of_seed_000_and_the_rd_subsidy_is_there_with_its_source(pack):
    # Sources cite the document as people do: its 文号 (seed 000 is 东府办〔2017〕11号) and paragraph.
    seed_000 = "东府办〔2017〕11号 "
    cited = {c.source.split(seed_000)[-1][:6].rstrip("；") for c in pack.clauses if seed_000 in c.source}
    assert {s for s in cited} >= SEED_000_MEASURES
    seed_001 = "市科学技术局对提案20230368的会办意见"  # seed 001, the letter of 2023年5月9日
    assert any(seed_001 in c.source and c.auto_grant for c in pack.clauses)
    for parameter in pack.parameters.values():
        # the seed 001 equivalences (小巨人 ⇒ pilot) cite the 市工业和信息化局 reply of 2023年6月19日
        assert parameter.source.startswith((seed_000, seed_001, "市工业和信息化局对提案20230368的答复")), (
            parameter.name
        )
    # every clause has at least one scenario test
    tested = {s.clause for s in pack.scenarios}
    assert tested == {c.code for c in pack.clauses}


def test_seed_figures_are_the_parameters(pack):
    """Seed 000 三(二)…三(十八) and seed 001, read off the parameters on 2018-01-01 / 2024-01-01."""
    from datetime import date

    on = date(2018, 1, 1)
    expected = {
        "consulting.rate": 0.5,
        "consulting.annual_cap": 2_000_000,  # 三(二)
        "package.3y.rate": 0.5,
        "package.3y.cap": 5_000_000,
        "package.3y.last_year": 2019,  # 三(三)
        "package.5y.rate": 0.3,
        "package.5y.cap": 3_000_000,
        "package.5y.last_year": 2021,
        "major_project.rate": 0.25,
        "major_project.cap": 10_000_000,  # 三(五)
        "voucher.annual_cap": 500_000,  # 三(六)
        "smart.demo.rate": 0.4,
        "smart.demo.cap": 10_000_000,
        "smart.upgrade.rate": 0.3,  # 三(七)
        "smart.upgrade.cap": 6_000_000,
        "smart.automation.rate": 0.2,
        "smart.automation.cap": 4_000_000,
        "smart.provider.demo.rate": 0.08,
        "smart.provider.upgrade.rate": 0.05,
        "smart.provider.automation.rate": 0.03,
        "two_h.award": 500_000,
        "informatisation.rate": 0.3,
        "informatisation.annual_cap": 2_000_000,  # 三(八)
        "internet_plus.rate": 0.35,
        "internet_plus.cap": 3_000_000,
        "stamp_duty.rate": 0.5,
        "stamp_duty.cap": 10_000_000,
        "merger_loan.rate": 0.5,  # 三(十四)
        "merger_loan.annual_cap": 3_000_000,
        "merger_loan.local_uplift": 0.15,
        "merger_loan.max_years": 2,
        "listing.award": 2_000_000,
        "neeq.award": 500_000,  # 三(十六)
        "lease.financed_cap": 30_000_000,
        "lease.rate": 0.1,
        "lease.annual_cap": 3_000_000,  # 三(十七)
        "lease.contract_cap": 5_000_000,
        "lease.max_years": 2,
        "talent.junior": 12_000,
        "talent.middle": 20_000,
        "talent.senior": 40_000,  # 三(十八)
        "talent.taxpayer": 20_000,
        "talent.tax_threshold": 30_000,
        "pilot.factor": 2,  # 三(一) 翻一倍
    }
    # Exactly, not approximately: 30% is 3/10, never the binary float nearest it.
    assert {k: pack.parameters[k].at(on) for k in expected} == {
        k: Decimal(str(v)) for k, v in expected.items()
    }
    assert Fraction(pack.parameters["package.5y.rate"].at(on)) == Fraction(3, 10)
    assert pack.parameters["rd.rate"].at(date(2024, 1, 1)) == Decimal("0.05")  # seed 001
    assert pack.parameters["pilot.factor"].at(date(2024, 1, 1)) == 1


def test_a_wrong_expected_amount_fails_zhuqi_rules_test(tmp_path):
    document = yaml.safe_load(PACK.read_text(encoding="utf-8"))
    document["tests"] = [dict(t) for t in document["tests"]]
    document["tests"][0]["amount"] = 500001  # 三(二): 50% of 1,000,000 is 500,000
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    zhuqi = Path(sys.executable).parent / "zhuqi"
    bad = subprocess.run([zhuqi, "rules", "test", str(wrong)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "FAIL dongguan-doubling · 咨询补助 低于上限" in bad.stdout
    assert "amount 500000.00, expected 500001.00" in bad.stdout
    good = subprocess.run([zhuqi, "rules", "test"], capture_output=True, text=True)
    count = len(yaml.safe_load(PACK.read_text(encoding="utf-8"))["tests"])
    assert good.returncode == 0 and f"{PACK.name}: {count}/{count} scenario tests passed" in good.stdout


def test_a_clause_with_a_bad_expression_is_refused_with_its_code_and_position():
    document = yaml.safe_load(PACK.read_text(encoding="utf-8"))
    clause = document["policies"][0]["clauses"][0]
    clause["amount"] = "min(consulting_fees * consulting.rat, consulting.annual_cap)"
    with pytest.raises(RuleError) as caught:
        load_pack(document)
    assert caught.value.where == "clause DB-3-2 amount"
    assert caught.value.position == (1, 23)
    assert "did you mean 'consulting.rate'" in str(caught.value)


def test_export_imports_back_to_the_same_pack(pack):
    again = load_pack(dump_pack(pack))
    assert [c.code for c in again.clauses] == [c.code for c in pack.clauses]
    assert [c.amount_text for c in again.clauses] == [c.amount_text for c in pack.clauses]


def test_the_trace_says_what_is_met_and_what_is_missing(pack):
    from datetime import date

    clause = pack.clause("DB-3-14-STAMP")
    found = explain(pack, clause, {"is_pilot": True, "headquartered_locally": False}, date(2018, 3, 1))
    assert not found.eligible
    assert [(c.text, c.holds) for c in found.checks] == [("pilot", True), ("headquartered_locally", False)]
    assert found.derived == {"pilot": True}  # the tag, or a 小巨人 recognition (seed 001 三（一）)
    loan = explain(
        pack, pack.clause("DB-3-14-LOAN"), {"is_pilot": True, "headquartered_locally": True}, date(2018, 3, 1)
    )
    assert loan.unknown and not loan.eligible
    assert "本笔贷款第几个贴息年度" in [f.label for f in loan.missing]


def _pack_with(**parameters):
    """The shipped pack with some parameters set to another value from 2017 on."""
    from zhuqi.rules.model import _Loader

    document = yaml.load(PACK.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    for name, value in parameters.items():
        document["parameters"][name]["values"] = {"2017-01-01": value}
    return load_pack(document)


def test_service_package_growth_is_year_on_year_and_the_2016_base_is_the_documented_alternative(pack):
    """seed 000 三(三) 「市级留成增长部分」: the pack reads growth against the year before; growth
    against 2016 (the year before the programme) is the parameter package.growth_against_2016."""
    from datetime import date

    assert pack.parameters["package.growth_against_2016"].at(date(2019, 1, 1)) == 0
    assert "2016" in pack.parameters["package.growth_against_2016"].source
    facts = {
        "is_pilot": True,
        "doubling_commitment_years": 3,
        "city_tax_retained": 20_000_000,
        "city_tax_retained_base": 16_000_000,  # 2018
        "city_tax_retained_2016": 10_000_000,
    }
    inputs = {"service_fees_paid": 20_000_000}
    clause = pack.clause("DB-3-3-3Y")
    year_on_year = explain(pack, clause, facts, date(2019, 12, 31), inputs)
    assert year_on_year.amount_yuan == Decimal("2000000.00")  # 50 % of 4,000,000
    other = _pack_with(**{"package.growth_against_2016": 1})
    against_2016 = explain(other, other.clause("DB-3-3-3Y"), facts, date(2019, 12, 31), inputs)
    assert against_2016.amount_yuan == Decimal("5000000.00")  # 50 % of 10,000,000, capped


def test_uplift_of_15_percent_is_times_1_15_and_15_points_is_the_documented_alternative(pack):
    """seed 000 三(十四) 「贴息比例和限额均上浮15%」: 50 % × 1.15 = 57.5 % (the pack's reading,
    merger_loan.uplift_in_points = 0); 50 % + 15 points = 65 % is the alternative."""
    from datetime import date

    facts = {"is_pilot": True, "headquartered_locally": True}
    inputs = {"interest_paid": 2_000_000, "target_is_local": True, "subsidy_year_number": 1}
    times = explain(pack, pack.clause("DB-3-14-LOAN"), facts, date(2018, 1, 1), inputs)
    assert pack.parameters["merger_loan.uplift_in_points"].at(date(2018, 1, 1)) == 0
    assert times.amount_yuan == Decimal("1150000.00")
    other = _pack_with(**{"merger_loan.uplift_in_points": 1})
    points = explain(other, other.clause("DB-3-14-LOAN"), facts, date(2018, 1, 1), inputs)
    assert points.amount_yuan == Decimal("1300000.00")


def test_nothing_to_grant_is_not_eligible_and_the_trace_says_why(pack):
    """三(三): when city-retained tax fell the growth condition fails (✗ in the trace); when no fees were
    paid every condition holds but the amount is 0, and the enterprise is not eligible for that year
    either (a grant of 0 is no grant) — the explanation says which of the two it is."""
    from datetime import date

    facts = {
        "is_pilot": True,
        "doubling_commitment_years": 3,
        "city_tax_retained": 9_000_000,
        "city_tax_retained_base": 10_000_000,
    }
    clause = pack.clause("DB-3-3-3Y")
    fell = explain(pack, clause, facts, date(2018, 12, 31), {"service_fees_paid": 2_000_000})
    assert not fell.eligible and not fell.nothing_to_grant
    assert fell.checks[-1].holds is False  # city_tax_retained > city_tax_retained_base
    grew = facts | {"city_tax_retained": 16_000_000}
    no_fees = explain(pack, clause, grew, date(2018, 12, 31), {"service_fees_paid": 0})
    assert not no_fees.eligible and no_fees.nothing_to_grant
    assert all(c.holds for c in no_fees.checks) and no_fees.amount_yuan == Decimal("0.00")
