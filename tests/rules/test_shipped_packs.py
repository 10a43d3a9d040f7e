"""Every shipped pack keeps the standards: each clause and parameter cites its source, each clause
has scenario tests and they pass through both evaluators; the talent pack (seed 001) has each
measure of the 人社局 reply, and its caps hold at, below and above."""

import re
from datetime import date
from decimal import Decimal

import pytest

from zhuqi.rules import packs
from zhuqi.rules.engine import explain, run_scenarios
from zhuqi.rules.model import load_pack

SHIPPED = packs.shipped()
TALENT = packs.DIRECTORY / "dongguan_talent.yaml"
# seed 001: 市人力资源和社会保障局's reply of 2023年5月12日 on 提案20230368 and the documents it cites.
SEED_001_TALENT = "市人力资源和社会保障局对提案20230368的会办意见（2023年5月12日）"
TALENT_DOCUMENTS = {"东府办〔2021〕51号", "东人社发〔2022〕18号", "东府办〔2022〕63号"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_clause_and_parameter_has_a_source_and_every_clause_a_passing_test(path):
    pack = load_pack(path)
    assert all(c.source.strip() for c in pack.clauses)
    assert all(p.source.strip() for p in pack.parameters.values())
    assert {s.clause for s in pack.scenarios} == {c.code for c in pack.clauses}
    failed = [r.scenario.name + ": " + r.message for r in run_scenarios(pack) if not r.passed]
    assert not failed


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_what_a_clause_page_shows_of_a_parameter_names_no_identifier(path):
    """The clause page shows each parameter's label and source to enterprises: 读法见
    postdoc.exchange.domestic read as code (the walk of 2026-12-06); a parameter is named by its label."""
    identifier = re.compile(r"[A-Za-z_]+\.[A-Za-z_.]+")
    pack = load_pack(path)
    for parameter in pack.parameters.values():
        for text in (parameter.label, parameter.source):
            assert not identifier.search(text), (parameter.name, text)
    for clause in pack.clauses:
        for text in (clause.title, clause.source):
            assert not identifier.search(text), (clause.code, text)


def test_clause_codes_are_unique_across_shipped_packs():
    codes = [c.code for path in SHIPPED for c in load_pack(path).clauses]
    assert len(codes) == len(set(codes))


def test_the_talent_pack_cites_the_reply_and_its_three_documents():
    pack = load_pack(TALENT)
    assert TALENT in SHIPPED
    assert {p.document_number for p in pack.policies} == TALENT_DOCUMENTS
    for parameter in pack.parameters.values():
        assert parameter.source.split("；")[0] in TALENT_DOCUMENTS, parameter.name
        assert SEED_001_TALENT in parameter.source or "读法见" in parameter.source, parameter.name


@pytest.mark.parametrize(
    "assessed,expected", [("999999.99", "999999.99"), ("1000000", "1000000"), ("1000000.01", "1000000")]
)
def test_the_contribution_reward_is_capped_at_one_million_exactly(assessed, expected):
    pack = load_pack(TALENT)
    clause = pack.clause("TALENT-CONTRIBUTION")
    inputs = {
        "unit_qualifies": False,
        "talent_role_qualifies": True,
        "contribution_award_assessed": Decimal(assessed),
    }
    result = explain(
        pack,
        clause,
        {"little_giant_national": False, "specialised_provincial": True},
        date(2024, 6, 30),
        inputs,
    )
    assert result.eligible and result.amount_yuan == Decimal(expected)
