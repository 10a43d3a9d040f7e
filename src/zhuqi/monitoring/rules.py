"""The kinds of warning as data (`KindRule`): thresholds and who is told, with the defaults a new
platform starts from. The office edits them on the rules page or through the API."""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, findings, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.monitoring.models import KindRule, Level

DEFAULTS: dict[str, dict] = {
    # The 督办 colours of the appeals (blue near, yellow overdue, red long overdue) are the appeals'
    # own settings (ZHUQI_NEAR_HOURS, ZHUQI_RED_AFTER_DAYS); the appeals sweep already tells the
    # department of a 督办, so by default only red is told again, to the office.
    "appeal_deadline": {
        "thresholds": {},
        "notify_from": Level.RED,
        "notify_office": True,
        "notify_department": False,
        "notify_town": False,
    },
    # Seed 002 (四)14 (退库预警) and seed 000 四(四) (预警和替换机制): revenue or tax of the year so far
    # below the same months of last year by more than `yellow` per cent is yellow, by `red` red; for
    # enterprises of the programme (a doubling class or a tag of `tags`).
    "figure_fall": {
        "thresholds": {
            "yellow": "10",
            "red": "20",
            "tags": ["倍增试点", "规上企业"],
            "doubling_classes": True,
        },
        "notify_from": Level.YELLOW,
    },
    # Targets: the cumulative actual over the cumulative target; at or above `green` is green, at or
    # above `yellow` yellow, below it red. The same thresholds colour the targets page and the cockpit.
    "target_missed": {"thresholds": {"green": "1.00", "yellow": "0.95"}, "notify_from": Level.YELLOW},
}
GENERIC = {"thresholds": {}, "notify_from": Level.YELLOW}


def default_for(kind: str) -> dict:
    spec = {"notify_office": True, "notify_department": True, "notify_town": True} | DEFAULTS.get(
        kind, GENERIC
    )
    return {**spec, "thresholds": dict(spec["thresholds"])}


def rules_for(kinds) -> dict[str, KindRule]:
    """The rule of every kind, creating the missing ones from their defaults (two queries)."""
    found = {r.kind: r for r in KindRule.objects.filter(kind__in=list(kinds))}
    missing = [KindRule(kind=k, **default_for(k)) for k in kinds if k not in found]
    if missing:
        KindRule.objects.bulk_create(missing, ignore_conflicts=True)
        found = {r.kind: r for r in KindRule.objects.filter(kind__in=list(kinds))}
    return found


def rule(kind: str) -> KindRule:
    return rules_for([kind])[kind]


def threshold(kind: str, name: str, rule_row: KindRule | None = None) -> Decimal:
    row = rule_row or rule(kind)
    value = row.thresholds.get(name, DEFAULTS.get(kind, GENERIC)["thresholds"].get(name))
    return Decimal(str(value))


def target_thresholds() -> tuple[Decimal, Decimal]:
    row = rule("target_missed")
    return threshold("target_missed", "green", row), threshold("target_missed", "yellow", row)


def _threshold_value(kind: str, name: str, default, given):
    """A threshold typed on the page or sent by the API, read as its default's type."""
    if isinstance(default, bool):
        return given in (True, "1", "true", "on", 1)
    if isinstance(default, list):
        items = given if isinstance(given, list) else re.split(r"[、,，\s]+", str(given))
        return [str(t).strip()[:40] for t in items if str(t).strip()][:20]
    try:
        number = Decimal(str(given).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= 1000:
        raise ZhuqiError(
            "bad_threshold",
            Message(_("%(name)s must be a number from 0 to 1000."), {"name": name}),
            status=422,
            field=name,
        )
    return str(number)


@transaction.atomic
def rule_update(
    *,
    acting_user,
    kind: str,
    enabled: bool,
    notify_office: bool,
    notify_department: bool,
    notify_town: bool,
    notify_from: str,
    thresholds: dict,
) -> KindRule:
    """The office changes a kind's rule: its thresholds (those the kind has), who is told, from which level."""
    permissions.require(acting_user, Capability.CONFIGURE_WARNINGS)
    if kind not in findings.kinds():
        raise ZhuqiError("unknown_kind", _("Unknown kind of warning."), status=404, field="kind")
    if notify_from not in Level.values:
        raise ZhuqiError("bad_level", _("Unknown level."), status=422, field="notify_from")
    row = KindRule.objects.select_for_update().get(pk=rule(kind).pk)
    defaults = default_for(kind)["thresholds"]
    current = {**defaults, **row.thresholds}
    for name, given in thresholds.items():
        if name in defaults:
            current[name] = _threshold_value(kind, name, defaults[name], given)
    before = {"thresholds": row.thresholds, "enabled": row.enabled}
    row.thresholds = current
    row.enabled, row.notify_from = enabled, notify_from
    row.notify_office, row.notify_department, row.notify_town = notify_office, notify_department, notify_town
    row.save()
    audit.record(
        actor=acting_user,
        verb="warning_rule_set",
        obj=row,
        data={"kind": kind, "thresholds": current, "enabled": enabled, "before": before},
    )
    return row


THRESHOLD_LABELS = {
    "yellow": _("Yellow at (per cent, or a fraction of the target)"),
    "red": _("Red at (per cent)"),
    "green": _("Green at (a fraction of the target)"),
    "tags": _("Enterprises with these tags"),
    "doubling_classes": _("Enterprises of the doubling programme's classes (1 yes, 0 no)"),
    "pilots": _("The programmes' current pilots (1 yes, 0 no)"),
}
