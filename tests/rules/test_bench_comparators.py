"""bench/rules_batch.py compares the engine with OpenFisca and with the clauses hand-written in plain
Polars: both must keep giving the engine's eligibility and amounts (within half a fen) when the
pack changes, or the bench compares different rules. OpenFisca is the optional extra `bench`."""

import numpy as np
import polars as pl
import pytest
from bench import rules_batch, rules_plain

from zhuqi.rules.engine import batch

PERIOD = rules_batch.PERIOD


@pytest.fixture(scope="module")
def world():
    pack = rules_batch.pack_with(50)
    facts = rules_batch.synthetic(pack, 2_000)
    return pack, facts, batch(pack, facts, PERIOD)


def test_plain_polars_gives_the_engines_outcomes(world):
    pack, facts, result = world
    clauses, parameters = rules_batch.plain_clauses(pack, PERIOD)
    assert {base for _c, base, _s in clauses} == set(rules_plain.CLAUSES)  # every shipped clause by hand
    plain = rules_plain.evaluate(facts, clauses, parameters, PERIOD.year)
    codes = [code for code, _b, _s in clauses]
    assert sum(plain[f"{c}:eligible"].sum() for c in codes) > 1_000  # the sample grants something
    rules_batch.same_outcomes("plain Polars", result, plain, codes)


def test_openfisca_gives_the_engines_outcomes(world):
    pytest.importorskip("openfisca_core", reason="pip install -e '.[bench]'")
    from bench import rules_openfisca

    pack, facts, result = world
    in_force = [c for c in pack.clauses if c.in_force(PERIOD)]
    texts, arrays = rules_openfisca.inputs(pack, in_force, facts)
    tbs = rules_openfisca.system(pack, in_force, texts)
    out = rules_openfisca.run(tbs, pack, in_force, arrays, str(PERIOD.year))
    assert out[f"{in_force[0].code}:amount"].dtype == np.float64  # not OpenFisca's float32
    rules_batch.same_outcomes("OpenFisca", result, out, [c.code for c in in_force])


def test_a_difference_is_found(world):
    pack, facts, result = world
    clauses, parameters = rules_batch.plain_clauses(pack, PERIOD)
    plain = rules_plain.evaluate(facts, clauses, parameters, PERIOD.year)
    code = "DB-3-2"
    row = int(np.flatnonzero(plain[f"{code}:amount"].is_not_null().to_numpy())[0])
    amounts = plain[f"{code}:amount"].to_numpy().copy()
    amounts[row] += 0.01  # one fen more
    with pytest.raises(AssertionError, match="amount differs"):
        rules_batch.same_outcomes(
            "plain Polars", result, plain.with_columns(pl.Series(f"{code}:amount", amounts)), [code]
        )
    eligible = plain[f"{code}:eligible"].to_numpy().copy()
    eligible[row] = not eligible[row]
    with pytest.raises(AssertionError, match="eligibility differs"):
        rules_batch.same_outcomes(
            "plain Polars", result, plain.with_columns(pl.Series(f"{code}:eligible", eligible)), [code]
        )
