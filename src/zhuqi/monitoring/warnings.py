"""The warnings centre: the sweep that turns every registered provider's findings into warnings, and
the two things people do with them.

The sweep (`sweep`, run by the worker every five minutes) calls each enabled kind's provider
(`core/findings.py`) for today and, per kind:
- raises a warning for each finding whose (kind, subject, period) has none — once: the unique key
  holds it — and tells the people the kind's rule names, once, through the outbox (the message key
  is the warning's, so a repeated sweep adds nothing);
- updates level and text of the open ones found again (a deadline going from blue to red) without
  telling anyone again;
- marks "resolved by itself" the open ones (new, acknowledged) no longer found, and raises again, as
  new, a resolved one found again in the same period (not told again);
- leaves handled warnings alone: a person closed them.
A provider that fails is logged and its kind skipped for that sweep (its warnings are not resolved).
A kind whose provider declares what it reads (`findings.register(..., reads=...)`) is skipped on
PostgreSQL when the day and those tables are as at its last pass (`_stamp`): its findings would be the
same, so nothing would be raised, changed or resolved. The sweep with nothing new then costs what the
kinds that follow the clock (appeal deadlines) cost.
"""

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, changes, findings, outbox, permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.monitoring import actuals, lifecycle, rules
from zhuqi.monitoring.models import OPEN_WARNING_STATES, Level, SweepStamp, Warning, WarningState

log = logging.getLogger(__name__)
LEVEL_ORDER = {Level.BLUE: 0, Level.YELLOW: 1, Level.RED: 2}


def _key(kind, subject_type, subject_id, period) -> tuple:
    return (kind, subject_type, int(subject_id), str(period))


class _People:
    """Who is told of new warnings: the people a finding names and those its kind's rule says (the
    office, the department's people, the town's officers), looked up once per sweep, not per finding."""

    def __init__(self, found):
        active = User.objects.filter(is_active=True)
        named = {u for f in found for u in f.user_ids}
        departments = {f.department_id for f in found if f.department_id}
        towns = {f.town_id for f in found if f.town_id}
        self.users = {u.pk: u for u in active.filter(pk__in=named)} if named else {}
        self.department, self.town = defaultdict(list), defaultdict(list)
        if departments:
            for u in active.filter(department_id__in=departments):
                self.department[u.department_id].append(u)
        if towns:
            for u in active.filter(town_id__in=towns):
                if permissions.has(u, Capability.HANDLE_WARNINGS):
                    self.town[u.town_id].append(u)
        self.office = [
            u
            for u in active.filter(department__isnull=True, town__isnull=True, enterprise__isnull=True)
            if permissions.has(u, Capability.CONFIGURE_WARNINGS)
        ]

    def of(self, rule, finding) -> list[User]:
        if LEVEL_ORDER.get(finding.level, 0) < LEVEL_ORDER.get(rule.notify_from, 1):
            return []
        people = [self.users[u] for u in finding.user_ids if u in self.users]
        if rule.notify_office:
            people += self.office
        if rule.notify_department and finding.department_id:
            people += self.department[finding.department_id]
        if rule.notify_town and finding.town_id:
            people += self.town[finding.town_id]
        return people


def sweep(today: date | None = None, kinds=None) -> dict[str, dict[str, int]]:
    """One pass over every registered kind (or those named); returns counts per kind."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):  # texts in the platform's language, as messages
        return _sweep(today, kinds)


def _sweep(today: date, kinds) -> dict[str, dict[str, int]]:
    registered = findings.kinds()
    names = [k for k in registered if kinds is None or k in kinds]
    rule_rows = rules.rules_for(names)
    counts = {}
    kept = {s.kind: s for s in SweepStamp.objects.filter(kind__in=names)}
    for name in names:
        rule = rule_rows[name]
        if not rule.enabled:
            counts[name] = {"skipped": 1}
            continue
        kind = registered[name]
        # Before the provider reads, so that a change made meanwhile is seen at the next pass.
        stamp, clock = _stamp(kind, today), {}
        if stamp is not None:
            last = kept.get(name)
            same = last is not None and last.stamp == stamp
            moved = False
            if kind.clock is not None:
                moved, clock = kind.clock(last.clock if same else None, today)
            if same and not moved:
                counts[name] = {"unchanged": 1}
                continue
        try:
            found = list(kind.provider(today))
        except Exception:  # one kind's failure must not stop the others, nor resolve its warnings
            log.exception("warning provider %s failed", name)
            counts[name] = {"failed": 1}
            continue
        counts[name] = _apply(name, kind.label, rule, found)
        if stamp is not None:
            SweepStamp.objects.update_or_create(
                kind=name, defaults={"stamp": stamp, "clock": clock, "swept_at": timezone.now()}
            )
    return counts


def _stamp(kind, today: date) -> str | None:
    """What the kind's provider would read (core/changes.py): the day, and the change counters of the
    tables it declares and of the rules' table, which every kind reads. Equal stamps: nothing the
    provider reads has changed, so its findings are those of its last pass. None (always run) for kinds
    that declare nothing, and on SQLite."""
    if not kind.reads:
        return None
    return changes.stamp([*kind.reads, "monitoring.KindRule"], extra=[today.isoformat()])


@transaction.atomic
def _apply(kind: str, label, rule, found) -> dict[str, int]:
    now = timezone.now()
    by_key = {}
    for f in found:
        if f.kind == kind and f.level in LEVEL_ORDER:
            by_key[_key(f.kind, f.subject_type, f.subject_id, f.period)] = f
    # The open and resolved warnings of the kind as plain rows (tens of thousands at province scale);
    # a model instance is made only for those that change.
    fields = ("id", "kind", "subject_type", "subject_id", "period", "level", "text", "state", "resolved_at")
    existing = {
        _key(row[1], row[2], row[3], row[4]): row
        for row in Warning.objects.filter(kind=kind)
        .exclude(state=WarningState.HANDLED)
        .order_by()
        .values_list(*fields)
    }
    handled = set(
        Warning.objects.filter(kind=kind, state=WarningState.HANDLED).values_list(
            "kind", "subject_type", "subject_id", "period"
        )
    )
    new, changed, recurred, resolved = [], [], [], []

    def instance(row) -> Warning:
        return Warning(**dict(zip(fields, row, strict=True)))

    for key, f in by_key.items():
        row = existing.get(key)
        if row is None:
            if key in handled:
                continue
            new.append(f)
            continue
        state, level, text = row[7], row[5], row[6]
        if state != WarningState.RESOLVED and level == f.level and text == f.text[:500]:
            continue  # found again as it was: nothing to write
        w = instance(row)
        if w.state == WarningState.RESOLVED:
            w.state, w.level, w.text, w.resolved_at, w.seen_at = (
                WarningState.NEW,
                f.level,
                f.text[:500],
                None,
                now,
            )
            recurred.append(w)
        elif w.level != f.level or w.text != f.text[:500]:
            w.level, w.text, w.seen_at = f.level, f.text[:500], now
            changed.append(w)
    for key, row in existing.items():
        if key not in by_key and row[7] in OPEN_WARNING_STATES:
            w = instance(row)
            w.state, w.resolved_at = WarningState.RESOLVED, now
            resolved.append(w)
    rows = [
        Warning(
            kind=f.kind,
            subject_type=f.subject_type,
            subject_id=f.subject_id,
            period=str(f.period)[:20],
            level=f.level,
            text=f.text[:500],
            since=f.since,
            link=f.link[:300],
            town_id=f.town_id,
            department_id=f.department_id,
            seen_at=now,
        )
        for f in new
    ]
    Warning.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    created = {
        _key(w.kind, w.subject_type, w.subject_id, w.period): w
        for w in Warning.objects.filter(kind=kind, seen_at=now, state=WarningState.NEW)
    }
    people = _People(new) if new else None
    owners, told_of = [], defaultdict(list)  # user → the new warnings they are told of
    for f in new:
        w = created.get(_key(f.kind, f.subject_type, f.subject_id, f.period))
        if w is None:
            continue
        owners += [Warning.owners.through(warning_id=w.pk, user_id=u) for u in set(f.user_ids)]
        for user in {u.pk: u for u in people.of(rule, f)}.values():
            told_of[user].append((w, f))
    messages = _messages(kind, label, told_of, now)
    Warning.owners.through.objects.bulk_create(owners, ignore_conflicts=True, batch_size=1000)
    outbox.enqueue_many(messages)
    Warning.objects.bulk_update(
        changed + recurred, ["level", "text", "seen_at", "state", "resolved_at"], batch_size=1000
    )
    Warning.objects.bulk_update(resolved, ["state", "resolved_at"], batch_size=1000)
    if new or resolved or recurred:
        audit.record_batch(
            actor=None,
            verb="warnings_sweep",
            model=Warning,
            batch_id=f"{kind}:{now.isoformat()}",
            data={"kind": kind, "raised": len(created), "resolved": len(resolved), "recurred": len(recurred)},
        )
    return {
        "found": len(by_key),
        "raised": len(created),
        "changed": len(changed),
        "resolved": len(resolved),
        "recurred": len(recurred),
        "notified": len(messages),
    }


DIGEST_AFTER = 5  # more new warnings of one kind for one person in one sweep: one message listing them


def _messages(kind: str, label, told_of: dict, now) -> list[outbox.Pending]:
    """One message per new warning, as long as a person is told of a few; past DIGEST_AFTER, one
    message for all of them, naming the first and linking to the centre filtered by kind. A first
    sweep over a new kind (7,000 overdue visits in the demo city) would otherwise put thousands of
    messages in front of everyone and in front of the worker's next appeal notification."""
    one_by_one = defaultdict(list)  # warning id → the people told of it alone
    messages = []
    for user, items in told_of.items():
        if len(items) <= DIGEST_AFTER:
            for w, _f in items:
                one_by_one[w.pk].append((user, w, _f))
            continue
        first = "；".join(f.text for _w, f in items[:3])
        count = gettext("%(count)s new") % {"count": len(items)}
        messages.append(
            outbox.Pending(
                event_key=f"warnings:{kind}:{now.isoformat()}",
                recipients=[user],
                subject=f"{gettext('Warning')}：{label}（{count}）"[:200],
                body=f"{first}……"[:2000],
                link=f"{reverse('monitoring:warnings')}?kind={kind}",
            )
        )
    for entries in one_by_one.values():
        _user, w, f = entries[0]
        messages.append(
            outbox.Pending(
                event_key=f"warning:{w.pk}",
                recipients=[u for u, _w, _f in entries],
                subject=f"{gettext('Warning')}：{label}"[:200],
                body=f.text,
                link=f.link or "",
            )
        )
    return messages


@transaction.atomic
def warning_act(*, warning: Warning, action: str, acting_user, note: str = "") -> Warning:
    """Acknowledges or handles a warning (a note is required to handle it)."""
    step = lifecycle.STEPS.get(action)
    if step is None or action not in lifecycle.USER_STEPS:
        raise ZhuqiError("unknown_action", _("Unknown action."), status=422, field="action")
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    step.check(acting_user, warning)
    note = (note or "").strip()
    if step.needs_note and not note:
        raise ZhuqiError("note_required", _("Say how the warning was handled."), status=422, field="note")
    warning.state = step.target
    warning.acted_by, warning.acted_at = acting_user, timezone.now()
    if note:
        warning.note = note[:10_000]
    warning.save(update_fields=["state", "acted_by", "acted_at", "note"])
    audit.record(
        actor=acting_user,
        verb=f"warning_{action}",
        obj=warning,
        data={"kind": warning.kind, **({"comment": note} if note else {})},
    )
    return warning


def worker_sweep(now=None) -> dict:
    """The worker's five-minute pass: the actuals rollup of this year and last when it is older than
    ZHUQI_MONITORING_REFRESH_MINUTES, then every kind's findings. Texts are written in the platform's
    language (LANGUAGE_CODE), as the messages that carry them."""
    now = now or timezone.now()
    done = {}
    refreshed = actuals.refreshed_at()
    if refreshed is None or now - refreshed >= timedelta(minutes=settings.ZHUQI_MONITORING_REFRESH_MINUTES):
        year = timezone.localdate(now).year
        done["actuals"] = actuals.refresh([year - 1, year])
    done["warnings"] = sweep(timezone.localdate(now))
    return done
