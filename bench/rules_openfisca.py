"""The bench's clauses as an OpenFisca tax-benefit system (bench/rules_batch.py times it beside the
engine; `pip install -e '.[bench]'` installs openfisca-core).

What OpenFisca is given, and how it differs from the engine:

- One entity, `enterprise` (a person entity: OpenFisca needs one). Every fact and input is an input
  Variable of the year 2021; every derived value (`pilot`) and every clause's raw amount, eligibility
  and amount are Variables with formulas over the entity's arrays, dated as the policy is in force
  (`formula_2017_01_01`, `end`). Parameters are an OpenFisca ParameterNode with the pack's dated
  values (rates as decimals, money in yuan); a formula reads them through `parameters(period)`.
- Numbers are float64 in yuan. OpenFisca's `float` is float32 (7 significant digits: 60,000,000.00
  yuan only to the nearest 4 yuan), so the bench sets float64 on its float variables (`dtype`, after
  building the system); money is then equal to the engine's exact fen within half a fen (OpenFisca
  does not round: an amount is the float nearest the unrounded product).
- OpenFisca has no missing value; the engine's facts are missing in 5 % of every column. A missing
  number is NaN (numpy propagates it through + − × and min/max as the engine propagates a missing
  value); a bool fact is a float64 Variable 1.0 / 0.0 / NaN; a text is an Enum with an item for
  "missing". A condition is evaluated as the pair (certainly true, certainly false) of bool arrays:
  Kleene's three-valued `and`/`or` on the pair is what the engine does with nulls, `if` on a
  missing condition is missing, and the clause is eligible where the condition is certainly true.
  The "certainly false" half is computed only where an `if` needs it.
- The clauses are generated from the pack's expression trees (the 50 copies differ only in their
  parameters), each node becoming numpy calls, with nothing evaluated per row in Python.
"""

import re
from datetime import date

import numpy as np
import polars as pl
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from zhuqi.rules.expr import BOOL, NUMBER, TEXT, band_pairs

MISSING = "missing"  # the Enum item of a missing text
HALF_FEN = 0.005  # yuan: an amount below it rounds to 0 fen, which the engine does not grant

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)


def key(name: str) -> str:
    """An OpenFisca name for a pack name (`consulting.rate.v1`, `DB-3-2#1`): letters, digits, _."""
    return re.sub(r"\W", "_", name)


class _Tri:
    """A condition over every row: `true` (certainly true, bool array or scalar) and, computed
    only when asked, `false` (certainly false); neither where it is missing."""

    __slots__ = ("_false", "_thunk", "true")

    def __init__(self, true, false_thunk):
        self.true, self._thunk, self._false = true, false_thunk, None

    @property
    def false(self):
        if self._false is None:
            self._false = self._thunk()
        return self._false


def _tri_of_float(x) -> _Tri:
    return _Tri(x == 1.0, lambda: x == 0.0)


def _float_of_tri(t: _Tri):
    return np.where(t.true, 1.0, np.where(t.false, 0.0, np.nan))


_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_NUMPY = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
}


def _compare(op: str, a, b):
    """a op b on floats, False where either is NaN (numpy's comparisons already are, but for !=)."""
    if op == "!=":
        return np.less(a, b) | np.greater(a, b)
    return _NUMPY[op](a, b)


class _Formula:
    """Expression trees as numpy over an enterprise's arrays; `enums` gives each text fact's Enum."""

    def __init__(self, pack, enums: dict[str, type]):
        self.pack, self.enums = pack, enums

    def __call__(self, node, enterprise, period, parameters):
        return _Evaluation(self.pack, self.enums, enterprise, period, parameters(period)).node(node)


class _Evaluation:
    """One formula's evaluation: its population, period and the parameters at that period."""

    def __init__(self, pack, enums, enterprise, period, p):
        self.pack, self.enums, self.enterprise, self.period, self.p = pack, enums, enterprise, period, p

    def read(self, name: str):
        if name == "period_year":
            return float(self.period.start.year)
        if name in self.pack.parameters:
            value = self.p[key(name)]
            return np.nan if value is None else float(value)
        return self.enterprise(key(name), self.period)

    def node(self, node):
        k = node.kind
        if k == "num":
            return float(node.value)
        if k == "bool":
            return _Tri(np.bool_(node.value), lambda: np.bool_(not node.value))
        if k == "text":
            return node.value
        if k == "name":
            value = self.read(node.value)
            return _tri_of_float(value) if node.type == BOOL else value
        if k == "unary":
            return -self.node(node.args[0])
        if k == "binary":
            a, b = (self.node(x) for x in node.args)
            if node.value == "+":
                return a + b
            if node.value == "-":
                return a - b
            if node.value == "*":
                return a * b
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(b == 0, np.nan, np.divide(a, np.where(b == 0, 1.0, b)))
        if k == "compare":
            left, right = node.args
            if left.type == TEXT:
                return self._text_in(left, [right.value] if right.kind == "text" else None, node.value)
            a, b = self.node(left), self.node(right)
            op = node.value
            return _Tri(_compare(op, a, b), lambda: _compare(_INVERSE[op], a, b))
        if k == "in":
            items = [i.value for i in node.args[1].args]
            return self._text_in(node.args[0], items, "==" if node.value else "!=")
        if k == "logic":
            a, b = (self.node(x) for x in node.args)
            if node.value == "and":
                return _Tri(a.true & b.true, lambda: a.false | b.false)
            return _Tri(a.true | b.true, lambda: a.false & b.false)
        if k == "not":
            a = self.node(node.args[0])
            return _Tri(a.false, lambda: a.true)
        if k == "call":
            return self.call(node)
        raise ValueError(f"cannot write a {k} for OpenFisca")

    def _text_in(self, node, items, op):
        """A text fact == / != / in a set of literals: on the Enum's indices."""
        value = self.enterprise(key(node.value), self.period)
        enum = self.enums[node.value]
        indices = value.view(np.ndarray) if isinstance(value, EnumArray) else np.asarray(value)
        wanted = [enum[key_of_text(i)].index for i in items if key_of_text(i) in enum.__members__]
        known = indices != enum[MISSING].index
        inside = np.isin(indices, wanted)
        if op == "==":
            return _Tri(inside, lambda: known & ~inside)
        return _Tri(known & ~inside, lambda: inside)

    def call(self, node):
        name = node.value
        if name == "if":
            c = self.node(node.args[0])
            if np.ndim(c.true) == 0:  # decided by parameters: the branch taken only
                if c.true:
                    return self.node(node.args[1])
                return self.node(node.args[2]) if c.false else np.nan
            a, b = self.node(node.args[1]), self.node(node.args[2])
            if node.type == BOOL:
                a, b = _float_of_tri(a), _float_of_tri(b)
                return _tri_of_float(np.where(c.true, a, np.where(c.false, b, np.nan)))
            return np.where(c.true, a, np.where(c.false, b, np.nan))
        if name == "bands":
            x = self.node(node.args[0])
            pairs = band_pairs(node)
            choices = [float(p) for _t, p in reversed(pairs)]
            conditions = [x >= float(t) for t, _p in reversed(pairs)]
            return np.where(np.isnan(x), np.nan, np.select(conditions, choices, 0.0))
        args = [self.node(a) for a in node.args]
        if name == "abs":
            return np.abs(args[0])
        pick = np.minimum if name == "min" else np.maximum  # NaN in, NaN out: as the engine
        out = args[0]
        for a in args[1:]:
            out = pick(out, a)
        return out


def key_of_text(text: str) -> str:
    return MISSING if text is None else text


def system(pack, clauses, texts: dict[str, list[str]]) -> TaxBenefitSystem:
    """The pack's facts, parameters, derived values and `clauses` as a TaxBenefitSystem. `texts`
    gives the values each text fact may take (its Enum)."""
    tbs = TaxBenefitSystem([Enterprise])
    tbs.parameters = ParameterNode(
        "",
        data={
            key(name): {
                "description": p.label,
                "values": {d.isoformat(): {"value": None if v is None else float(v)} for d, v in p.values},
            }
            for name, p in pack.parameters.items()
        },
    )
    enums = {
        name: Enum(key(name), [(key_of_text(v), v or MISSING) for v in [None, *values]])
        for name, values in texts.items()
    }
    formula = _Formula(pack, enums)
    given = dict(pack.facts)
    for clause in clauses:
        given |= clause.inputs
    given.pop("period_year", None)
    for name, fact in given.items():
        attrs = {"entity": Enterprise, "definition_period": YEAR, "label": fact.label}
        if fact.type == TEXT:
            enum = enums[name]
            attrs |= {"value_type": Enum, "possible_values": enum, "default_value": enum[MISSING]}
        else:
            attrs |= {"value_type": float, "default_value": np.nan}
        tbs.add_variable(type(key(name), (Variable,), attrs))
    for name, derived in pack.derived.items():

        def compute(enterprise, period, parameters, node=derived.node):
            value = formula(node, enterprise, period, parameters)
            return _float_of_tri(value) if node.type == BOOL else value

        tbs.add_variable(
            type(
                key(name),
                (Variable,),
                {
                    "entity": Enterprise,
                    "definition_period": YEAR,
                    "value_type": float,
                    "label": derived.label,
                    "formula": compute,
                },
            )
        )
    for clause in clauses:
        tbs.add_variables(*_clause_variables(clause, formula))
    for variable in tbs.variables.values():
        if variable.value_type is float:
            variable.dtype = np.float64  # see the module docstring
    return tbs


def _clause_variables(clause, formula: _Formula) -> list[type]:
    """`<code>__raw` (the amount before eligibility), `<code>__eligible`, `<code>__amount`."""
    code = key(clause.code)
    start = clause.effective_from or date(1900, 1, 1)
    name = f"formula_{start:%Y_%m_%d}"
    end = {"end": clause.effective_to.isoformat()} if clause.effective_to else {}
    common = {"entity": Enterprise, "definition_period": YEAR, "label": clause.title, **end}

    def raw(enterprise, period, parameters):
        return formula(clause.amount, enterprise, period, parameters)

    def eligible(enterprise, period, parameters):
        held = formula(clause.condition, enterprise, period, parameters).true
        if np.ndim(held) == 0 and not held:  # decided by the parameters: no amount to compute
            return np.zeros(enterprise.count, dtype=bool)
        # Nothing to grant (an amount that rounds to 0 fen) is not eligible; a missing amount is.
        return held & ~(enterprise(f"{code}__raw", period) < HALF_FEN)

    def amount(enterprise, period, parameters):
        if not enterprise(f"{code}__eligible", period).any():
            return np.full(enterprise.count, np.nan)
        return np.where(enterprise(f"{code}__eligible", period), enterprise(f"{code}__raw", period), np.nan)

    return [
        type(f"{code}__raw", (Variable,), common | {"value_type": float, name: raw}),
        type(f"{code}__eligible", (Variable,), common | {"value_type": bool, name: eligible}),
        type(f"{code}__amount", (Variable,), common | {"value_type": float, name: amount}),
    ]


def inputs(pack, clauses, facts: pl.DataFrame) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    """The facts table as OpenFisca's input arrays: numbers and bools float64 (NaN missing), texts
    their Enum's indices; and each text fact's values (for system)."""
    given = dict(pack.facts)
    for clause in clauses:
        given |= clause.inputs
    given.pop("period_year", None)
    texts, arrays = {}, {}
    for name, fact in given.items():
        column = facts[name]
        if fact.type == TEXT:
            values = sorted(v for v in column.unique().to_list() if v is not None)
            texts[name] = values
            arrays[name] = column
        else:  # as the engine: nothing granted this year unless told
            assert fact.type in (BOOL, NUMBER)
            if name == "granted_this_year":
                column = column.fill_null(0)
            arrays[name] = column.cast(pl.Float64).to_numpy()
    return texts, arrays


def simulation(tbs: TaxBenefitSystem, pack, arrays: dict, period: str):
    """A simulation of `period` with every input set (texts encoded through their Enum)."""
    rows = len(next(iter(arrays.values())))
    sim = SimulationBuilder().build_default_simulation(tbs, count=rows)
    for name, values in arrays.items():
        if isinstance(values, pl.Series):  # a text: its Enum's index, "missing" for null
            enum = tbs.variables[key(name)].possible_values
            codes = {v.name: v.index for v in enum}
            indices = values.fill_null(MISSING).replace_strict(codes, return_dtype=pl.Int16).to_numpy()
            sim.set_input(key(name), period, EnumArray(indices, enum))
        else:
            sim.set_input(key(name), period, values)
    return sim


def run(tbs, pack, clauses, arrays: dict, period: str) -> dict[str, np.ndarray]:
    """Every clause's eligibility and amount (yuan, float64, NaN when none)."""
    sim = simulation(tbs, pack, arrays, period)
    out = {}
    for clause in clauses:
        code = key(clause.code)
        out[f"{clause.code}:eligible"] = sim.calculate(f"{code}__eligible", period)
        out[f"{clause.code}:amount"] = sim.calculate(f"{code}__amount", period)
    return out
