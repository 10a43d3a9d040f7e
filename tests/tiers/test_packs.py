"""The three tier packs of 工信部企业〔2022〕63号: every scenario passes through both evaluators, every
parameter cites the document and its paragraph, and the tests cover both sides of every band edge,
a group minimum failing while the total passes, and each direct route."""

from decimal import Decimal

import pytest

from zhuqi.rules.engine import run_scenarios
from zhuqi.rules.model import load_pack
from zhuqi.tiers import packs

PACKS = {tier: load_pack(path) for tier, path in packs.FILES.items()}


@pytest.mark.parametrize("tier", list(PACKS))
def test_every_scenario_passes_in_both_evaluators(tier):
    results = run_scenarios(PACKS[tier])
    assert results and [r.message for r in results if not r.passed] == []


@pytest.mark.parametrize("tier", list(PACKS))
def test_every_parameter_is_dated_and_cites_63_and_its_paragraph(tier):
    for name, parameter in PACKS[tier].parameters.items():
        assert parameter.source.startswith("工信部企业〔2022〕63号 附件"), name
        assert len(parameter.source) > len("工信部企业〔2022〕63号 附件1 "), name
        assert [str(d) for d, _v in parameter.values] == ["2022-08-01"], name


def test_innovative_band_edges_are_tested_on_both_sides():
    edges = [s for s in PACKS["innovative"].scenarios if "恰为" in s.name or "略低于" in s.name]
    # 4 edges each for R&D ratio, growth and main-business share, 2 for the debt ratio, 1 for equity
    assert sum("恰为" in s.name for s in edges) >= 4 + 4 + 4 + 1 + 1
    assert sum("略低于" in s.name for s in edges) >= 4 + 4 + 4 + 2 + 1
    assert sum(s.name.startswith("直通：") for s in PACKS["innovative"].scenarios) == 5  # 4 routes, 1 edge


def test_a_group_minimum_fails_while_the_total_passes():
    pack = PACKS["innovative"]
    failing = [s for s in pack.scenarios if s.derived.get("req_total") is True and not s.eligible]
    assert {g for s in failing for g in s.derived if g.startswith("req_") and s.derived[g] is False} == {
        "req_innovation",
        "req_growth",
        "req_specialisation",
    }


def test_figures_of_the_reference_summary():
    pack = PACKS["innovative"]
    at = {n: p.values[0][1] for n, p in pack.parameters.items()}
    assert (at["inn.pass"], at["inn.min.innovation"], at["inn.min.growth"], at["inn.min.specialisation"]) == (
        60,
        20,
        15,
        15,
    )
    assert [at[f"inn.rd.t{i}"] for i in range(1, 5)] == [Decimal(x) for x in ("0.05", "0.03", "0.02", "0.01")]
    assert at["inn.equity.min"] == 5_000_000
    giant = {n: p.values[0][1] for n, p in PACKS["little_giant"].parameters.items()}
    assert giant["lg.rd.large"] * 100 == 3 and giant["lg.rd.medium"] * 100 == 6 and giant["lg.ip_class1"] == 2
