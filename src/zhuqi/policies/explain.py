"""An explanation (the single evaluator's trace) as a person reads it, for pages and API alike:
where the enterprise stands, each condition with the values seen, and what is missing."""

from django.utils.translation import gettext as _

from zhuqi.rules.expr import NUMBER

ELIGIBLE, UNDECIDED, NOT_ELIGIBLE = "eligible", "undecided", "not_eligible"


def _value(value, unit: str = "") -> str:
    if value is None:
        return _("missing")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        text = (
            f"{value:,.0f}" if value.is_integer() else f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
        )
        return f"{text} {unit}".strip()
    return str(value)


def status(explanation) -> str:
    if explanation.eligible:
        return ELIGIBLE
    return UNDECIDED if explanation.unknown else NOT_ELIGIBLE


def describe(explanation, labels: dict) -> dict:
    """`labels`: name → Fact of the pack and the clause's inputs (pack.labels(clause))."""
    checks = []
    for check in explanation.checks:
        seen = [
            f"{labels[n].label if n in labels else n} {_value(v, labels[n].unit if n in labels else '')}"
            for n, v in check.seen.items()
            if n in labels or v is not None
        ]
        checks.append(
            {
                "condition": check.text,
                "holds": check.holds,
                "seen": "；".join(seen),
                "values": dict(check.seen),
            }
        )
    inputs = set(explanation.clause.inputs)
    missing_facts = [f for f in explanation.missing if f.name not in inputs]
    missing_inputs = [f for f in explanation.missing if f.name in inputs]
    return {
        "status": status(explanation),
        "amount": explanation.amount_yuan,
        "amount_needs_inputs": explanation.eligible and explanation.amount is None,
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
        found.append((clause, describe(explanation, pack.labels(rule))))
    return found
