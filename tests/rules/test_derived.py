"""Derived values: named expressions a pack computes once per enterprise (an indicator's points, a
group's subtotal, a direct route), read by clauses, shown in the trace, checked by scenario tests,
with the same meaning in both evaluators."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from zhuqi.rules.engine import batch, explain, explain_derived, run_scenarios, yuan_of_fen
from zhuqi.rules.expr import RuleError
from zhuqi.rules.model import load_pack

PACK = """
pack: derived-demo
title: 派生值
facts:
  rd: {type: number, label: 研发费用, unit: 元}
  revenue: {type: number, label: 营业收入, unit: 元}
  award: {type: bool, label: 获奖}
parameters:
  rd.t1: {label: 研发占比一档, source: 示例 一, values: {2022-01-01: 3%}}
  rd.p1: {label: 研发占比一档得分, source: 示例 一, values: {2022-01-01: 15, 2024-01-01: 12}}
  pass: {label: 合格分, source: 示例 二, values: {2022-01-01: 10}}
derived:
  rd_ratio: {type: number, label: 研发占比, expr: "rd / revenue"}
  rd_points: {type: number, label: 研发得分, expr: "if(rd_ratio >= rd.t1, rd.p1, 0)"}
  passes: {type: bool, label: 评分通过, expr: "rd_points >= pass"}
policies:
  - code: P
    title: 示例
    clauses:
      - code: C
        title: 示例条款
        source: 示例 三
        kind: entitlement
        unit: 项
        condition: passes or award
        amount: "1"
tests:
  - {name: 恰为3%, clause: C, period: 2023-01-01, facts: {rd: 3, revenue: 100}, eligible: true, amount: 1, derived: {rd_points: 15, passes: true}}
  - {name: 低于3%, clause: C, period: 2023-01-01, facts: {rd: 2.99, revenue: 100, award: false}, eligible: false, derived: {rd_points: 0, passes: false}}
  - {name: 2024年得分降为12, clause: C, period: 2024-06-01, facts: {rd: 5, revenue: 100}, eligible: true, derived: {rd_points: 12}}
"""


def test_scenarios_check_derived_values_in_both_evaluators():
    pack = load_pack(PACK)
    assert [r.message for r in run_scenarios(pack) if not r.passed] == []


def test_a_wrong_derived_expectation_fails():
    pack = load_pack(PACK.replace("derived: {rd_points: 12}", "derived: {rd_points: 15}"))
    failed = [r for r in run_scenarios(pack) if not r.passed]
    assert len(failed) == 1 and "rd_points is 12" in failed[0].message


def test_the_trace_shows_each_derived_value_and_missing_facts_through_them():
    pack = load_pack(PACK)
    one = explain(pack, pack.clause("C"), {"rd": Decimal(4), "award": False}, date(2023, 1, 1))
    assert list(one.derived) == ["rd_ratio", "rd_points", "passes"]
    assert one.derived["passes"] is None and not one.eligible and one.unknown
    assert [f.name for f in one.missing] == ["revenue"]  # read through rd_ratio
    assert explain_derived(pack, {"rd": 4, "revenue": 100}, date(2023, 1, 1), ["rd_points"]) == {
        "rd_ratio": Decimal("0.04"),
        "rd_points": Decimal(15),
    }


def test_batch_outputs_derived_columns_in_fen_and_agrees_with_single():
    pack = load_pack(PACK)
    facts = pl.DataFrame(
        {
            "rd": [Decimal(3), Decimal("2.99"), None],
            "revenue": [Decimal(100)] * 3,
            "award": [False, True, None],
        },
        schema={"rd": pl.Decimal(38, 2), "revenue": pl.Decimal(38, 2), "award": pl.Boolean},
    )
    out = batch(pack, facts, date(2023, 1, 1), derived=["rd_points", "passes"])
    assert [yuan_of_fen(v) for v in out["derived:rd_points"]] == [Decimal(15), Decimal(0), None]
    assert out["derived:passes"].to_list() == [True, False, None]
    assert out["C:eligible"].to_list() == [True, True, False]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('expr: "rd / revenue"', 'expr: "rd_points / revenue"', "unknown name 'rd_points'"),  # below it
        ('expr: "rd_points >= pass"', 'expr: "rd_points + 1"', "not a bool"),
        (
            'expr: "rd_points >= pass"',
            'expr: "granted_this_year >= pass"',
            "unknown name 'granted_this_year'",
        ),
        ("  rd_ratio: {type", "  rd: {type", "already a fact"),
    ],
)
def test_bad_derived_values_are_refused(old, new, fragment):
    with pytest.raises(RuleError, match=fragment):
        load_pack(PACK.replace(old, new))
