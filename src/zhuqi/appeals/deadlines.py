"""Deadlines in working days and the warning colour of an open appeal.

Defaults follow practice in the field (issue #3): dispatch within 1 working day, progress report
within 3, ordinary matters resolved within 7, major ones within 30; a DeadlineRule per category and
urgency overrides them (a sub-category's rule before its parent's, before the rule for every category).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals.models import Appeal, DeadlineRule, State, Urgency
from zhuqi.core import audit, permissions, workdays
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability

DEFAULTS = {Urgency.ORDINARY: (1, 3, 7), Urgency.MAJOR: (1, 3, 30)}


@dataclass(frozen=True)
class Days:
    dispatch: int
    progress: int
    resolve: int


CACHE_KEY = "zhuqi:deadline-rules"


def _rules() -> dict[tuple[int | None, str], Days]:
    """Every rule by (category, urgency): a few dozen rows read on every submission, transfer and
    reopening, so cached per process as the calendar is (workdays.CACHE_SECONDS): an edit clears the
    editing process's copy at once and reaches the other workers within those seconds."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = {
            (r.category_id, r.urgency): Days(r.dispatch_days, r.progress_days, r.resolve_days)
            for r in DeadlineRule.objects.all()
        }
        cache.set(CACHE_KEY, found, workdays.CACHE_SECONDS)
    return found


def forget() -> None:
    cache.delete(CACHE_KEY)


def days_for(category, urgency: str) -> Days:
    chain = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = _rules()
    for key in [*chain, None]:
        if (key, urgency) in rules:
            return rules[key, urgency]
    return Days(*DEFAULTS[urgency])


def active_due(appeal: Appeal) -> datetime | None:
    if appeal.state == State.SUBMITTED:
        return appeal.dispatch_due
    if appeal.state in (State.DISPATCHED, State.ACCEPTED, State.ESCALATED):
        return appeal.resolve_due
    return None


def warning(appeal: Appeal, now: datetime, calendar=None) -> str:
    """ "" (fine), "blue" (near the deadline), "yellow" (overdue), "red" (long overdue)."""
    due = active_due(appeal)
    if due is None:
        return ""
    if now <= due:
        left = workdays.working_days_between(now, due, calendar)
        return "blue" if left <= settings.ZHUQI_NEAR_DEADLINE_DAYS else ""
    late = workdays.working_days_between(due, now, calendar)
    return "red" if late > settings.ZHUQI_RED_AFTER_DAYS else "yellow"


MAX_DAYS = 250  # a working year; anything longer is a typo


@transaction.atomic
def deadline_rule_set(
    *, category, urgency: str, dispatch_days: int, progress_days: int, resolve_days: int, acting_user
) -> DeadlineRule:
    """Sets the working days for one category (None: every category) and urgency. Applies to appeals
    submitted, dispatched or reopened from now on; deadlines already set are kept."""
    permissions.require(
        acting_user, Capability.EDIT_SETTINGS, _("Only the coordinating office edits deadline rules.")
    )
    if urgency not in Urgency.values:
        raise ZhuqiError(
            "bad_urgency",
            Message(_("Unknown urgency: %(value)s."), {"value": urgency}),
            status=422,
            field="urgency",
        )
    days = {"dispatch_days": dispatch_days, "progress_days": progress_days, "resolve_days": resolve_days}
    for name, value in days.items():
        if not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            raise ZhuqiError(
                "bad_days",
                Message(_("Working days must be a whole number from 1 to %(max)d."), {"max": MAX_DAYS}),
                status=422,
                field=name,
            )
    if not dispatch_days <= progress_days <= resolve_days:
        raise ZhuqiError(
            "days_out_of_order",
            _("Dispatch must come no later than the progress report, and that no later than resolution."),
            status=422,
        )
    rule, created = DeadlineRule.objects.update_or_create(category=category, urgency=urgency, defaults=days)
    forget()
    transaction.on_commit(forget)  # again: another request may have cached the old rules meanwhile
    audit.record(
        actor=acting_user,
        verb="deadline_rule_set",
        obj=rule,
        data={
            "category": category.code if category else None,
            "urgency": urgency,
            **days,
            "created": created,
        },
    )
    return rule


@transaction.atomic
def deadline_rule_remove(*, rule: DeadlineRule, acting_user) -> None:
    """Removes a rule: its category falls back to its parent's rule, the general rule, or DEFAULTS."""
    permissions.require(
        acting_user, Capability.EDIT_SETTINGS, _("Only the coordinating office edits deadline rules.")
    )
    audit.record(actor=acting_user, verb="deadline_rule_remove", obj=rule, data={"urgency": rule.urgency})
    rule.delete()
    forget()
    transaction.on_commit(forget)
