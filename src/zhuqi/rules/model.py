"""Policy packs: policies, their clauses, the facts they read and the dated parameters they use, as
YAML under version control. Loading checks everything; a problem is a RuleError naming the clause,
the field and the position in the expression.

A pack file:

    pack: dongguan-doubling-2017
    title: …
    facts:            {name: {type: number|bool|text, label: 主营业务收入, unit: 元, from: …}}
    parameters:       {name: {label, source, values: {2017-01-01: 50%, 2022-01-01: null}}}
    derived:          {name: {type: number|bool, label, source, expr: "…"}}
    policies:
      - code, title, document_number, issuers: […], source, effective: {from, to}
        clauses:
          - code, title, source (the paragraph), department, auto_grant, exclusive_group,
            budget, inputs: {name: {type, label, unit}}, condition: "…", amount: "…",
            kind: money (the default: amount in yuan) | entitlement (amount is a number of places,
            quotas and the like, in `unit`: seen on 我的政策, allocated by the department, never paid)
    tests:
      - name, clause, period, facts: {…}, inputs: {…}, eligible: true, amount: 1000000

`from` says where the platform reads a fact (a tag, a field of the enterprise, an indicator of the
period's year or an earlier one); the engine keeps it as text and the Django side interprets it
(zhuqi/policies/facts.py). A fact without `from` is asked of nobody: it stays missing, and clauses
that need it are reported as undecided with the fact named as the gap.

A derived value is a named expression over facts, parameters and the derived values above it (an
indicator's points, a group's subtotal, "one direct route holds"): clauses read it by name, both
evaluators compute it once per enterprise, and the trace shows it (engine.Explanation.derived). It may
not read `granted_this_year` (that differs per clause).

Two facts exist in every pack: `period_year` (the year evaluated) and `granted_this_year` (what
this clause already granted the enterprise this year, for annual caps; 0 when not given).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from zhuqi.rules import exact, expr
from zhuqi.rules.expr import BOOL, NUMBER, TEXT, RuleError


class _Loader(yaml.SafeLoader):
    """YAML with every non-integer number read exactly as written (Decimal), never as a float."""


def _exact_float(loader, node):
    text = loader.construct_scalar(node)
    try:
        return exact.literal(text)
    except (InvalidOperation, ValueError):
        raise RuleError(
            f"{text!r} is not a finite number", where=f"YAML line {node.start_mark.line + 1}"
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:float", _exact_float)


class _Dumper(yaml.SafeDumper):
    """Decimals written back as the numbers they are."""


_Dumper.add_representer(
    Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))
)

BUILTIN_FACTS = {
    "period_year": {"type": NUMBER, "label": "年度", "unit": ""},
    "granted_this_year": {"type": NUMBER, "label": "本年度本条款已获资助", "unit": "元"},
}
TYPES = {NUMBER, BOOL, TEXT}
MONEY, ENTITLEMENT = "money", "entitlement"


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: str
    unit: str = ""
    origin: str = ""  # the pack's `from`: where the platform reads it


@dataclass
class Parameter:
    name: str
    label: str
    source: str
    values: list[tuple[date, Decimal | None]]  # rising start dates; None: not in force from then

    def at(self, day: date) -> Decimal | None:
        found = None
        for start, value in self.values:
            if start <= day:
                found = value
        return found


@dataclass
class Clause:
    code: str
    title: str
    source: str
    department: str
    condition_text: str
    amount_text: str
    condition: expr.Node
    amount: expr.Node
    inputs: dict[str, Fact]
    auto_grant: bool = False
    exclusive_group: str = ""
    budget: Decimal | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    policy_code: str = ""
    kind: str = MONEY  # MONEY: the amount is yuan; ENTITLEMENT: a number of `unit` (places, quotas)
    unit: str = "元"

    @property
    def is_money(self) -> bool:
        return self.kind == MONEY

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    def parameter_names(self, pack: "Pack") -> set[str]:
        return pack.reads(self) & set(pack.parameters)


@dataclass
class Derived:
    """A named expression of the pack (see the module docstring)."""

    name: str
    type: str
    label: str
    source: str
    text: str
    node: expr.Node
    unit: str = ""


@dataclass
class Policy:
    code: str
    title: str
    document_number: str
    issuers: list[str]
    source: str
    effective_from: date | None
    effective_to: date | None
    clauses: list[Clause]


@dataclass
class Scenario:
    name: str
    clause: str
    period: date
    facts: dict
    inputs: dict
    eligible: bool
    amount: Decimal | None
    derived: dict = field(default_factory=dict)  # expected derived values: {name: number or bool}


@dataclass
class Pack:
    code: str
    title: str
    facts: dict[str, Fact]
    parameters: dict[str, Parameter]
    policies: list[Policy]
    scenarios: list[Scenario] = field(default_factory=list)
    document: dict = field(default_factory=dict)  # what was loaded, for export
    derived: dict[str, Derived] = field(
        default_factory=dict
    )  # in the order written: each reads only those above

    def reads(self, what) -> set[str]:
        """Every name a clause (or a node, or a derived value's name) reads, through derived values:
        facts, inputs, parameters and the derived values themselves."""
        if isinstance(what, Clause):
            todo = what.condition.names() | what.amount.names()
        elif isinstance(what, str):
            todo = {what}
        else:
            todo = what.names()
        found: set[str] = set()
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found.add(name)
            if name in self.derived:
                todo |= self.derived[name].node.names()
        return found

    def derived_read(self, what) -> list[str]:
        """The derived values `what` reads, in the pack's order (the order to compute them in)."""
        read = self.reads(what)
        return [n for n in self.derived if n in read]

    @property
    def clauses(self) -> list[Clause]:
        return [c for p in self.policies for c in p.clauses]

    def clause(self, code: str) -> Clause:
        for c in self.clauses:
            if c.code == code:
                return c
        raise KeyError(code)

    def types_for(self, clause: Clause) -> dict[str, str]:
        types = {name: f.type for name, f in self.facts.items()}
        types |= {name: NUMBER for name in self.parameters}
        types |= {name: d.type for name, d in self.derived.items()}
        types |= {name: f.type for name, f in clause.inputs.items()}
        return types

    def labels(self, clause: Clause | None = None) -> dict[str, Fact]:
        """Every name a trace may show with its label: facts, derived values (as Facts) and inputs."""
        derived = {n: Fact(n, d.type, d.label, d.unit) for n, d in self.derived.items()}
        return self.facts | derived | (clause.inputs if clause else {})

    def given(self, clause: Clause | None = None) -> dict[str, Fact]:
        """The names an enterprise or an application gives values for: facts and inputs."""
        return self.facts | (clause.inputs if clause else {})


def _number(value, where: str) -> Decimal | None:
    """A number of the pack, exactly: 30% is 3/10, 1.15 is 115/100. A float can only come from a
    document parsed elsewhere; its shortest repr is the decimal that was written."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RuleError(f"expected a number, not {value!r}", where=where)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        return exact.literal(value)
    except (InvalidOperation, ValueError):
        raise RuleError(f"expected a number, not {value!r}", where=where) from None


def _date(value, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"expected a date YYYY-MM-DD, not {value!r}", where=where) from None


def _need(mapping: dict, key: str, where: str):
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise RuleError(f"{key!r} is required", where=where)
    return mapping[key]


def _facts(raw: dict, where: str) -> dict[str, Fact]:
    found = {}
    for name, spec in (raw or {}).items():
        spec = spec or {}
        kind = spec.get("type", NUMBER)
        if kind not in TYPES:
            raise RuleError(f"type must be one of {sorted(TYPES)}, not {kind!r}", where=f"{where} {name}")
        found[name] = Fact(
            name, kind, spec.get("label", name), spec.get("unit", ""), str(spec.get("from") or "")
        )
    return found


def load_pack(source: str | Path | dict) -> Pack:
    """A pack from YAML text, a path or an already parsed document; RuleError if anything is wrong."""
    if isinstance(source, Path):
        source = source.read_text(encoding="utf-8")
    if isinstance(source, str):
        try:
            document = yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"YAML line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
            raise RuleError(str(getattr(exc, "problem", exc)), where=where) from None
    else:
        document = source
    if not isinstance(document, dict):
        raise RuleError("a pack is a mapping with pack, title, facts, parameters, policies", where="pack")
    code = _need(document, "pack", "pack")
    facts = {n: Fact(n, s["type"], s["label"], s["unit"]) for n, s in BUILTIN_FACTS.items()}
    facts |= _facts(document.get("facts"), "fact")
    parameters = {}
    for name, spec in (document.get("parameters") or {}).items():
        where = f"parameter {name}"
        values = []
        for start, value in sorted((_date(k, where), v) for k, v in _need(spec, "values", where).items()):
            values.append((start, _number(value, f"{where} {start}")))
        parameters[name] = Parameter(name, spec.get("label", name), spec.get("source", ""), values)
    clashes = set(facts) & set(parameters)
    if clashes:
        raise RuleError(f"{sorted(clashes)} are both facts and parameters", where="pack")
    pack = Pack(code, document.get("title", code), facts, parameters, [], document=document)
    for name, spec in (document.get("derived") or {}).items():
        pack.derived[name] = _derived(name, spec, pack)
    seen_codes: set[str] = set()
    for raw_policy in _need(document, "policies", "pack"):
        pcode = _need(raw_policy, "code", "policy")
        effective = raw_policy.get("effective") or {}
        policy = Policy(
            code=pcode,
            title=_need(raw_policy, "title", f"policy {pcode}"),
            document_number=raw_policy.get("document_number", ""),
            issuers=list(raw_policy.get("issuers") or []),
            source=raw_policy.get("source", ""),
            effective_from=_date(effective.get("from"), f"policy {pcode}"),
            effective_to=_date(effective.get("to"), f"policy {pcode}"),
            clauses=[],
        )
        for raw in _need(raw_policy, "clauses", f"policy {pcode}"):
            clause = _clause(raw, policy, pack)
            if clause.code in seen_codes:
                raise RuleError("the clause code is used twice", where=f"clause {clause.code}")
            seen_codes.add(clause.code)
            policy.clauses.append(clause)
        pack.policies.append(policy)
    pack.scenarios = [_scenario(raw, pack) for raw in document.get("tests") or []]
    return pack


def _derived(name: str, spec: dict, pack: Pack) -> Derived:
    where = f"derived {name}"
    if not isinstance(spec, dict):
        raise RuleError("a derived value is a mapping with type, label and expr", where=where)
    if name in pack.facts or name in pack.parameters:
        raise RuleError("the name is already a fact or a parameter", where=where)
    kind = spec.get("type", NUMBER)
    if kind not in (NUMBER, BOOL):
        raise RuleError(f"type must be {NUMBER} or {BOOL}, not {kind!r}", where=where)
    text = str(_need(spec, "expr", where))
    types = {n: f.type for n, f in pack.facts.items() if n != "granted_this_year"}
    types |= {n: NUMBER for n in pack.parameters}
    types |= {n: d.type for n, d in pack.derived.items()}  # only those above
    try:
        node = expr.parse(text)
        got = expr.check(node, types, text)
    except RuleError as exc:
        raise exc.located(f"{where} expr") from None
    if got != kind:
        raise RuleError(f"the expression is a {got}, not a {kind}", source=text, offset=0, where=where)
    derived = Derived(name, kind, str(spec.get("label", name)), str(spec.get("source", "")), text, node)
    derived.unit = str(spec.get("unit", ""))
    from zhuqi.rules import polars_eval

    names = pack.reads(node) & set(pack.parameters)
    days = sorted({start for n in names for start, _v in pack.parameters[n].values}) or [date.min]
    for day in days:
        try:
            polars_eval.Compiler().node(node, {n: pack.parameters[n].at(day) for n in names})
        except OverflowError as exc:
            raise RuleError(str(exc), source=text, offset=0, where=where) from None
    return derived


def _clause(raw: dict, policy: Policy, pack: Pack) -> Clause:
    code = str(_need(raw, "code", f"policy {policy.code} clause"))
    where = f"clause {code}"
    inputs = _facts(raw.get("inputs"), f"{where} input")
    overlap = set(inputs) & (set(pack.facts) | set(pack.parameters))
    if overlap:
        raise RuleError(f"inputs {sorted(overlap)} shadow facts or parameters", where=where)
    effective = raw.get("effective") or {}
    clause = Clause(
        code=code,
        title=_need(raw, "title", where),
        source=_need(raw, "source", where),
        department=raw.get("department", ""),
        condition_text=str(_need(raw, "condition", where)),
        amount_text=str(_need(raw, "amount", where)),
        condition=None,
        amount=None,
        inputs=inputs,
        auto_grant=bool(raw.get("auto_grant", False)),
        exclusive_group=raw.get("exclusive_group") or "",
        budget=_number(raw.get("budget"), f"{where} budget"),
        effective_from=_date(effective.get("from"), where) or policy.effective_from,
        effective_to=_date(effective.get("to"), where) or policy.effective_to,
        policy_code=policy.code,
        kind=str(raw.get("kind") or MONEY),
        unit=str(raw.get("unit") or "元"),
    )
    if clause.kind not in (MONEY, ENTITLEMENT):
        raise RuleError(f"kind must be {MONEY} or {ENTITLEMENT}, not {clause.kind!r}", where=where)
    if clause.kind == ENTITLEMENT and (clause.auto_grant or clause.budget is not None or "unit" not in raw):
        raise RuleError("an entitlement names its unit and has no budget and no auto_grant", where=where)
    types = pack.types_for(clause)
    for part, wanted in (("condition", BOOL), ("amount", NUMBER)):
        text = getattr(clause, f"{part}_text")
        try:
            node = expr.parse(text)
            got = expr.check(node, types, text)
        except RuleError as exc:
            raise exc.located(f"{where} {part}") from None
        if got != wanted:
            raise RuleError(
                f"the {part} must be a {wanted}, but it is a {got}",
                source=text,
                offset=0,
                where=f"{where} {part}",
            )
        setattr(clause, part, node)
    _check_exact(clause, pack, where)
    return clause


def _check_exact(clause: Clause, pack: Pack, where: str) -> None:
    """The batch evaluator computes in 64- or 128-bit integers (exact.py): refuse, at load time, an
    expression whose value could exceed 128 bits with the parameters of any date."""
    from zhuqi.rules import polars_eval

    names = clause.parameter_names(pack)
    days = sorted({start for n in names for start, _v in pack.parameters[n].values}) or [date.min]
    for day in days:
        values = {n: pack.parameters[n].at(day) for n in names}
        for part in ("condition", "amount"):
            try:
                compiler = polars_eval.Compiler()
                shared = polars_eval.derived_columns(compiler, pack, pack.derived_read(clause), day)
                compiler.node(getattr(clause, part), values | shared)
            except OverflowError as exc:
                text = getattr(clause, f"{part}_text")
                raise RuleError(str(exc), source=text, offset=0, where=f"{where} {part}") from None


def _scenario(raw: dict, pack: Pack) -> Scenario:
    name = _need(raw, "name", "test")
    where = f"test {name!r}"
    code = str(_need(raw, "clause", where))
    try:
        clause = pack.clause(code)
    except KeyError:
        raise RuleError(f"no clause {code!r} in this pack", where=where) from None
    known = pack.given(clause)
    given = {**(raw.get("facts") or {}), **(raw.get("inputs") or {})}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise RuleError(f"unknown facts or inputs {unknown}", where=where)
    if "eligible" not in raw:
        raise RuleError("'eligible' is required", where=where)
    expected = dict(raw.get("derived") or {})
    unknown = sorted(set(expected) - set(pack.derived))
    if unknown:
        raise RuleError(f"no derived values {unknown} in this pack", where=where)
    expected = {
        n: v if pack.derived[n].type == BOOL else _number(v, f"{where} derived {n}")
        for n, v in expected.items()
    }
    return Scenario(
        name=name,
        clause=code,
        period=_date(_need(raw, "period", where), where),
        facts=_exact_values(raw.get("facts") or {}),
        inputs=_exact_values(raw.get("inputs") or {}),
        eligible=bool(raw["eligible"]),
        amount=_number(raw.get("amount"), where),
        derived=expected,
    )


def _exact_values(values: dict) -> dict:
    """A test's facts and inputs with any float (a document parsed by another YAML reader) made the
    decimal that was written: its shortest repr."""
    return {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in values.items()}


def dump_pack(pack: Pack) -> str:
    """The pack as YAML, as it was loaded (comments aside)."""
    return yaml.dump(pack.document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
