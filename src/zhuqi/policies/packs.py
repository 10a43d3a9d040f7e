"""Policy packs in the database: import, edit one clause, export, and the compiled pack.

Every save goes through `zhuqi.rules.model.load_pack` (the loader `zhuqi rules check` uses) and the
check of each fact's `from` (facts.check_origins), so a pack that is stored always loads; a bad
expression is refused with the clause, the field, the line and the column. The Policy and Clause
rows are then brought in line with the document in the same transaction.
"""

import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ruamel.yaml import YAML

from zhuqi.core import audit, permissions
from zhuqi.core.errors import Forbidden, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department
from zhuqi.policies import facts
from zhuqi.policies.models import Clause, Policy, PolicyPack
from zhuqi.rules import model as rules_model
from zhuqi.rules import packs as shipped_packs
from zhuqi.rules.engine import run_scenarios
from zhuqi.rules.expr import RuleError

# The fields of a clause the pages and the API edit; inputs and tests are edited in the YAML file.
EDITABLE = ("title", "source", "department", "condition", "amount", "auto_grant", "exclusive_group", "budget")

_compiled: dict[str, rules_model.Pack] = {}


def rule_error(exc: RuleError) -> ZhuqiError:
    """A RuleError as a 422 refusal whose message keeps the position and the caret."""
    return ZhuqiError(
        "rule_invalid",
        Message(_("The policy cannot be saved: %(problem)s"), {"problem": exc.describe()}),
        status=422,
    )


def _require_editor(user) -> None:
    permissions.require(
        user, Capability.CONFIGURE_POLICIES, _("Only the coordinating office edits policies.")
    )


def _load(document) -> rules_model.Pack:
    try:
        pack = rules_model.load_pack(document)
        facts.check_origins(pack)
    except RuleError as exc:
        raise rule_error(exc) from None
    return pack


def compiled(pack_row: PolicyPack) -> rules_model.Pack:
    """The loaded pack of a stored document; loaded once per process and document."""
    key = pack_row.document
    if key not in _compiled:
        if len(_compiled) > 32:  # old versions: drop them all, the current ones load again
            _compiled.clear()
        _compiled[key] = rules_model.load_pack(pack_row.document)
    return _compiled[key]


def active_packs() -> list[tuple[PolicyPack, rules_model.Pack]]:
    return [(row, compiled(row)) for row in PolicyPack.objects.order_by("code")]


def clause_rule(clause: Clause) -> tuple[rules_model.Pack, rules_model.Clause]:
    pack = compiled(clause.policy.pack)
    return pack, pack.clause(clause.code)


def _department(name: str) -> Department | None:
    """The department a pack names: by code, full name, short name, or the end of the full name
    (a pack written for any city says 市工业和信息化局 for 东莞市工业和信息化局)."""
    if not name:
        return None
    return (
        Department.objects.filter(Q(code=name) | Q(name=name) | Q(short_name=name)).first()
        or Department.objects.filter(name__endswith=name, level=Department.Level.CITY).first()
    )


def _sync(row: PolicyPack, pack: rules_model.Pack) -> None:
    """Policy and Clause rows as the pack says; what left the pack is retired, not deleted."""
    kept_policies, kept_clauses = [], []
    sort = 0
    for p in pack.policies:
        policy, _created = Policy.objects.update_or_create(
            code=p.code,
            defaults={
                "pack": row,
                "title": p.title,
                "document_number": p.document_number,
                "issuers": "、".join(p.issuers),
                "source": p.source,
                "effective_from": p.effective_from,
                "effective_to": p.effective_to,
                "retired": False,
            },
        )
        kept_policies.append(policy.pk)
        for c in p.clauses:
            sort += 1
            other = Clause.objects.filter(code=c.code).exclude(policy__pack=row).first()
            if other is not None and not other.retired:
                raise ZhuqiError(
                    "clause_code_taken",
                    Message(
                        _("Clause code %(code)s is already used by pack %(pack)s."),
                        {"code": c.code, "pack": other.policy.pack.code},
                    ),
                    status=409,
                )
            clause, _created = Clause.objects.update_or_create(
                code=c.code,
                defaults={
                    "policy": policy,
                    "title": c.title,
                    "source": c.source,
                    "department_name": c.department,
                    "department": _department(c.department),
                    "auto_grant": c.auto_grant,
                    "exclusive_group": c.exclusive_group,
                    "budget": None if c.budget is None else round(c.budget, 2),
                    "effective_from": c.effective_from,
                    "effective_to": c.effective_to,
                    "sort": sort,
                    "retired": False,
                },
            )
            kept_clauses.append(clause.pk)
    Clause.objects.filter(policy__pack=row).exclude(pk__in=kept_clauses).update(retired=True)
    Policy.objects.filter(pack=row).exclude(pk__in=kept_policies).update(retired=True)


@transaction.atomic
def pack_import(*, text: str, acting_user, check_permission: bool = True) -> PolicyPack:
    """Stores a pack from YAML text (new, or a new version of a stored one)."""
    if check_permission:
        _require_editor(acting_user)
    pack = _load(text)
    row = PolicyPack.objects.select_for_update().filter(code=pack.code).first()
    if row is None:
        row = PolicyPack.objects.create(
            code=pack.code, title=pack.title, document=text, updated_by=acting_user
        )
        verb = "policy_pack_import"
    else:
        if row.document == text:
            return row  # importing the same file again changes nothing
        row.document, row.title, row.updated_by = text, pack.title, acting_user
        row.version += 1
        row.save()
        verb = "policy_pack_update"
    _sync(row, pack)
    audit.record(
        actor=acting_user,
        verb=verb,
        obj=row,
        data={"version": row.version, "clauses": len(pack.clauses), "parameters": len(pack.parameters)},
    )
    return row


def install_shipped(*, acting_user=None) -> list[PolicyPack]:
    """The packs shipped with Zhuqi, imported (or updated) as they are on disk."""
    return [
        pack_import(text=path.read_text(encoding="utf-8"), acting_user=acting_user, check_permission=False)
        for path in shipped_packs.shipped()
    ]


def _raw_clause(document: dict, code: str) -> dict:
    for policy in document.get("policies") or []:
        for raw in policy.get("clauses") or []:
            if str(raw.get("code")) == code:
                return raw
    raise NotFound("clause_not_found", _("No such clause."))


@transaction.atomic
def clause_update(*, clause: Clause, changes: dict, acting_user) -> Clause:
    """Edits the fields in EDITABLE of one clause: the pack is changed, checked as a whole (its scenario
    tests included: a change that breaks one is refused) and stored as a new version."""
    _require_editor(acting_user)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ZhuqiError(
            "field_not_editable",
            Message(_("These fields cannot be edited here: %(fields)s."), {"fields": ", ".join(unknown)}),
            status=422,
        )
    row = PolicyPack.objects.select_for_update().get(pk=clause.policy.pack_id)
    # Round-trip YAML keeps the file's comments and layout; only the edited values change.
    editor = YAML()
    editor.width = 110
    document = editor.load(row.document)
    raw = _raw_clause(document, clause.code)
    before = {k: _plain(raw.get(k)) for k in changes}
    # Plain YAML values (a Decimal budget from a form or the API is neither YAML nor JSON).
    changes = {k: _budget(v) if k == "budget" and v not in (None, "") else v for k, v in changes.items()}
    for key, value in changes.items():
        if value in (None, "") and key in ("exclusive_group", "budget", "department"):
            raw.pop(key, None)
        else:
            raw[key] = value
    out = io.StringIO()
    editor.dump(document, out)
    text = out.getvalue()
    pack = _load(text)
    failing = [r for r in run_scenarios(pack) if not r.passed and r.scenario.clause == clause.code]
    if failing:
        raise ZhuqiError(
            "scenario_failed",
            Message(
                _("The change breaks the pack's test %(name)s: %(problem)s"),
                {"name": failing[0].scenario.name, "problem": failing[0].message},
            ),
            status=422,
        )
    row.document = text
    row.version += 1
    row.updated_by = acting_user
    row.save()
    _sync(row, pack)
    audit.record(
        actor=acting_user,
        verb="policy_clause_update",
        obj=clause,
        data={"version": row.version, "before": before, "after": {k: _plain(v) for k, v in changes.items()}},
    )
    return Clause.objects.select_related("policy__pack", "department").get(pk=clause.pk)


def _budget(value) -> int | str:
    """A budget as the YAML keeps it exactly: an integer, or the amount as text ('1250000.50')."""
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number != number.quantize(Decimal("0.01")):
        raise ZhuqiError(
            "bad_budget", _("The budget must be an amount in yuan, 0 or more."), status=422, field="budget"
        )
    return int(number) if number == number.to_integral_value() else str(number)


def _plain(value):
    return value if value is None or isinstance(value, bool | int) else str(value)


def pack_get(code: str) -> PolicyPack:
    row = PolicyPack.objects.filter(code=code).first()
    if row is None:
        raise NotFound("pack_not_found", _("No such policy pack."))
    return row


def may_download(user) -> bool:
    """The YAML of a pack is the office's configuration: those who configure or audit policies
    download it (the page links it for them only); town, leader, expert, enterprise and handler users do not."""
    return permissions.has(user, Capability.CONFIGURE_POLICIES) or permissions.has(
        user, Capability.READ_AUDIT
    )


def pack_for_download(code: str, acting_user) -> PolicyPack:
    """The pack to download, for those who may (403 otherwise, before telling whether it exists)."""
    if not may_download(acting_user):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    return pack_get(code)


def parameter_rows(pack: rules_model.Pack, clause: rules_model.Clause, period: date) -> list[dict]:
    """The parameters a clause reads with their dated values and the one in force on `period`."""
    rows = []
    for name in sorted(clause.parameter_names(pack)):
        p = pack.parameters[name]
        rows.append(
            {
                "name": name,
                "label": p.label,
                "source": p.source,
                "values": [{"from": start.isoformat(), "value": value} for start, value in p.values],
                "in_force": p.at(period),
            }
        )
    return rows
