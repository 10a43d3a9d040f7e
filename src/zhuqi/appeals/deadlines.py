"""Deadlines in working days and the warning colour of an open appeal.

Defaults follow practice in the field (issue #3): dispatch within 1 working day, progress report
within 3, ordinary matters resolved within 7, major ones within 30; a DeadlineRule per category and
urgency overrides them (a sub-category's rule before its parent's, before the rule for every category).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from zhuqi.appeals.models import Appeal, DeadlineRule, State, Urgency
from zhuqi.core import workdays

DEFAULTS = {Urgency.ORDINARY: (1, 3, 7), Urgency.MAJOR: (1, 3, 30)}


@dataclass(frozen=True)
class Days:
    dispatch: int
    progress: int
    resolve: int


def days_for(category, urgency: str) -> Days:
    chain = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = {r.category_id: r for r in DeadlineRule.objects.filter(urgency=urgency)}
    for key in [*chain, None]:
        if key in rules:
            r = rules[key]
            return Days(r.dispatch_days, r.progress_days, r.resolve_days)
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
