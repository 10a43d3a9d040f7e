"""An explanation (the single evaluator's trace) as a person reads it, for pages and API alike:
where the enterprise stands, each condition with the values seen, and what is missing."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhuqi.core import formats
from zhuqi.rules.expr import NUMBER, RuleError, parse

ELIGIBLE, UNDECIDED, NOT_ELIGIBLE = "eligible", "undecided", "not_eligible"


def _comparisons() -> dict[str, str]:
    return {
        ">": pgettext("rule comparison", "above"),
        ">=": pgettext("rule comparison", "at least"),
        "<": pgettext("rule comparison", "below"),
        "<=": pgettext("rule comparison", "at most"),
        "==": pgettext("rule comparison", "equal to"),
        "!=": pgettext("rule comparison", "other than"),
    }


def _text_labels(fact) -> dict:
    """Labels of a text fact's values read from a field of the enterprise (listing: neeq → 新三板)."""
    origin = getattr(fact, "origin", "") or ""
    if not origin.startswith("enterprise:"):
        return {}
    from zhuqi.directory.models import Enterprise

    try:
        return dict(Enterprise._meta.get_field(origin.split(":", 1)[1]).choices or ())
    except Exception:  # an unknown field: the value is shown as it is
        return {}


def shown(value, fact=None) -> str:
    """A value as people read it: money in 元/万元/亿元, years without separators, yes/no, labels."""
    unit = getattr(fact, "unit", "") or ""
    if value is None:
        return _("unknown")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return str(_text_labels(fact).get(value, value))
    if unit in ("元", "yuan"):
        return formats.money(value)
    if getattr(fact, "name", "") == "period_year" or "年度" in getattr(fact, "label", ""):
        return formats.year(value)
    return f"{formats.amount(value)}{unit}"


def money_exact(value) -> str:
    """Money people are told they get or pay: by magnitude, the exact yuan beside it: 360万元（3,600,000.00元）."""
    return f"{formats.money(value)}（{formats.yuan(value)}）"


def shown_kept(value, fact=None) -> str:
    """A value kept in JSON (an application's inputs, an offer's facts: amounts as exact text) as
    people read it: a number fact's text is read as the number, so money shows in 万元, never raw."""
    if isinstance(value, str) and getattr(fact, "type", "") == NUMBER:
        try:
            value = Decimal(value.replace(",", ""))
        except InvalidOperation:
            return value
    return shown(value, fact)


def sentence(check, labels: dict, parameters: dict | None = None) -> str:
    """One condition as a sentence of fact labels and values: "上年度研发费用 492.98万元，需大于 0"."""
    parameters = parameters or {}
    text, negated = check.text, False
    while text.startswith("not "):
        text, negated = text[4:], not negated
    try:
        node = parse(text)
    except RuleError:
        return check.text

    def label_of(name: str) -> str:
        if name in labels:
            return labels[name].label
        return parameters[name].label if name in parameters else name

    def name_of(n):
        return label_of(n.value) if n.kind == "name" else None

    subject = node.args[0] if node.kind in ("compare", "in") else node
    fact = labels.get(subject.value) if subject.kind == "name" else None
    label = name_of(subject)
    if node.kind == "name" and label:
        value = check.seen.get(node.value)
        wanted = _("no") if negated else _("yes")
        return _("%(fact)s: %(value)s, must be %(wanted)s") % {
            "fact": label,
            "value": shown(value, fact),
            "wanted": wanted,
        }
    if node.kind == "compare" and label:
        return _("%(fact)s %(value)s, must be %(comparison)s %(limit)s") % {
            "fact": label,
            "value": shown(check.left, fact),
            "comparison": _comparisons()[node.value],
            "limit": shown(check.right, fact),
        }
    if node.kind == "in" and label:
        options = [shown(i.value, fact) for i in node.args[1].args]
        inside = bool(node.value) != negated
        return (
            _("%(fact)s %(value)s, must be one of %(options)s")
            if inside
            else _("%(fact)s %(value)s, must be none of %(options)s")
        ) % {
            "fact": label,
            "value": shown(check.seen.get(subject.value), fact),
            "options": "、".join(options),
        }
    named = [f"{label_of(n)} {shown(v, labels.get(n))}" for n, v in check.seen.items()]
    return "；".join(named) or check.text


def status(explanation) -> str:
    if explanation.eligible:
        return ELIGIBLE
    return UNDECIDED if explanation.unknown else NOT_ELIGIBLE


def describe(explanation, labels: dict, parameters: dict | None = None) -> dict:
    """`labels`: name → Fact of the pack and the clause's inputs (pack.labels(clause));
    `parameters`: name → Parameter of the pack, for their labels."""
    checks = []
    for check in explanation.checks:
        seen = [f"{labels[n].label} {shown(v, labels[n])}" for n, v in check.seen.items() if n in labels]
        checks.append(
            {
                "condition": check.text,
                "sentence": sentence(check, labels, parameters),
                "holds": check.holds,
                "seen": "；".join(seen),
                "values": dict(check.seen),
            }
        )
    inputs = set(explanation.clause.inputs)
    missing_facts = [f for f in explanation.missing if f.name not in inputs]
    missing_inputs = [f for f in explanation.missing if f.name in inputs]
    rule = explanation.clause
    places = None
    if not rule.is_money and explanation.eligible and explanation.amount is not None:
        places = int(explanation.amount)  # an entitlement: a number of places, never yuan
    return {
        "status": status(explanation),
        "kind": rule.kind,
        "unit": rule.unit,
        "places": places,
        "amount": explanation.amount_yuan if rule.is_money else None,
        "amount_needs_inputs": rule.is_money and explanation.eligible and explanation.amount is None,
        "nothing_to_grant": explanation.nothing_to_grant,
        "checks": checks,
        "missing_facts": [{"name": f.name, "label": f.label} for f in missing_facts],
        "inputs": [
            {"name": f.name, "label": f.label, "unit": f.unit, "type": f.type} for f in missing_inputs
        ],
        "unverified": sorted(
            n for n in getattr(explanation, "unverified", ()) if n in labels and labels[n].type == NUMBER
        ),
        "parameters": explanation.parameters,
    }


def standing(enterprise_id: int, year: int) -> list[tuple]:
    """(clause, described) for every clause in force in `year` (我的政策): pages and API share it."""
    from zhuqi.policies import matching, packs

    found = []
    for clause, explanation in matching.explain_all(enterprise_id, year):
        pack, rule = packs.clause_rule(clause)
        found.append((clause, describe(explanation, pack.labels(rule), pack.parameters)))
    return found


_OPTIONS_IN_PARENS = re.compile(r"（(\d)\s*([^，；）]+)[，；]\s*(\d)\s*([^，；）]+)）")
_OPTIONS_AFTER_COLON = re.compile(r"^(.*?)：(\d)\s*为(.+?)[，；]\s*(\d)\s*为(.+)$")


def _percent(value: Decimal) -> str:
    return f"{formats.amount(value * 100)}%"


def parameter_reading(name: str, label: str):
    """(label to show, how its value reads) for a pack parameter: packs give parameters no unit, so
    the name and label say it: a rate in %, a flag by its options' words, a year, a count, money."""
    options = _OPTIONS_IN_PARENS.search(label)
    if options:
        a, a_text, b, b_text = options.groups()
        words = {Decimal(a): a_text.strip(), Decimal(b): b_text.strip()}
        return _OPTIONS_IN_PARENS.sub("", label), lambda v: words.get(Decimal(v), formats.amount(v))
    options = _OPTIONS_AFTER_COLON.match(label)
    if options:
        head, a, a_text, b, b_text = options.groups()
        words = {Decimal(a): a_text.strip(), Decimal(b): b_text.strip()}
        return head, lambda v: words.get(Decimal(v), formats.amount(v))
    last = name.rsplit(".", 1)[-1]
    if last == "factor" or "倍数" in label:
        return label, lambda v: _("%(n)s times") % {"n": formats.amount(v)}
    if last.startswith("months"):
        return label, lambda v: _("%(n)s months") % {"n": formats.amount(v)}
    if last in ("rate", "ratio", "uplift") or last.endswith("_rate") or "比例" in label:
        return label, _percent
    if last.endswith("year") and not last.endswith("years"):
        return label, lambda v: _("year %(n)s") % {"n": formats.year(v)}
    if last.endswith("years"):
        return label, lambda v: _("%(n)s years") % {"n": formats.amount(v)}
    if "places" in name or "名额" in label or "指标" in label:
        return label, lambda v: formats.amount(v)
    return label, formats.money


def parameters_shown(rows: list[dict]) -> list[dict]:
    """`packs.parameter_rows` as people read them: Chinese label, value with its unit, and each
    dated value as 2017年1月1日起 2倍; the raw name and values stay for the staff's 技术细节."""
    shown_rows = []
    for row in rows:
        label, read = parameter_reading(row["name"], row["label"])

        def text(value, read=read):
            return _("not in force") if value is None else read(Decimal(value))

        shown_rows.append(
            {
                **row,
                "label": label,
                "value": text(row["in_force"]),
                "history": [
                    _("from %(day)s: %(value)s")
                    % {"day": formats.day(date.fromisoformat(v["from"])), "value": text(v["value"])}
                    for v in row["values"]
                ]
                if len(row["values"]) > 1
                else [],
            }
        )
    return shown_rows
