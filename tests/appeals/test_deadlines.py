from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zhuqi.appeals import deadlines, services
from zhuqi.appeals.models import Appeal, DeadlineRule, State, Supervision
from zhuqi.core import workdays
from zhuqi.core.models import CalendarDay, OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SH)


def test_calendar_is_loaded_by_the_migration():
    # 国办发明电〔2024〕12号: National Day 2025 is 1–8 October; 28 September and 11 October are worked.
    assert CalendarDay.objects.get(date="2025-10-08").kind == "holiday"
    assert CalendarDay.objects.get(date="2025-09-28").kind == "workday"


def test_deadline_across_national_day_2025_with_make_up_days():
    start = at(2025, 9, 26)  # Friday
    # Sat 27 rest; Sun 28 make-up working day (1); Mon 29 (2); Tue 30 (3).
    assert workdays.add_working_days(start, 3).date().isoformat() == "2025-09-30"
    # 1–8 October are holidays: the 4th working day is Thu 9 October, the 5th Fri 10, the 6th Sat 11 (make-up).
    assert workdays.add_working_days(start, 4).date().isoformat() == "2025-10-09"
    assert workdays.add_working_days(start, 6).date().isoformat() == "2025-10-11"
    # A plain count of weekdays would have said 6 October.
    assert workdays.add_working_days(start, 6, calendar={}).date().isoformat() == "2025-10-06"
    assert workdays.add_working_days(start, 7).hour == 23


def test_calendar_edits_take_effect():
    start = at(2025, 11, 14)  # Friday
    assert workdays.add_working_days(start, 1).date().isoformat() == "2025-11-17"
    CalendarDay.objects.create(date="2025-11-17", kind="holiday", name="test")
    workdays.forget()
    assert workdays.add_working_days(start, 1).date().isoformat() == "2025-11-18"


def test_rules_per_category_and_urgency(loop):
    assert deadlines.days_for(loop.cats.loan, "ordinary") == deadlines.Days(1, 3, 7)
    assert deadlines.days_for(loop.cats.loan, "major") == deadlines.Days(1, 3, 30)
    DeadlineRule.objects.create(category=loop.cats.financing, urgency="ordinary", resolve_days=5)
    deadlines.forget()  # written behind the service's back: the cached rules are cleared by hand
    assert deadlines.days_for(loop.cats.loan, "ordinary").resolve == 5  # the parent's rule applies
    DeadlineRule.objects.create(category=loop.cats.loan, urgency="ordinary", resolve_days=4)
    deadlines.forget()
    assert deadlines.days_for(loop.cats.loan, "ordinary").resolve == 4


def test_warning_colours(loop):
    due = at(2025, 11, 20, 23)  # Thursday
    appeal = Appeal(state=State.ACCEPTED, resolve_due=due)
    assert deadlines.warning(appeal, at(2025, 11, 17)) == ""  # 3 working days left
    assert deadlines.warning(appeal, at(2025, 11, 19)) == "blue"  # 1 left
    assert deadlines.warning(appeal, at(2025, 11, 21)) == "yellow"
    assert deadlines.warning(appeal, at(2025, 11, 25)) == "yellow"  # 3 working days late
    assert deadlines.warning(appeal, at(2025, 11, 26)) == "red"  # 4 working days late


def test_sweep_supervises_once_per_level_and_closes_unrated(loop):
    w = loop
    appeal = services.appeal_submit(
        enterprise=w.a, title="t", description="d", category=w.cats.loan, acting_user=w.users["enterprise_a"]
    ).appeal
    now = appeal.resolve_due + timedelta(days=1)
    assert services.sweep(now)["supervised"] == 1
    assert services.sweep(now)["supervised"] == 0  # once per level
    assert Supervision.objects.get().level == "yellow"
    event = appeal.events.get(action="supervise")
    assert OutboxMessage.objects.filter(
        key__startswith=f"appeal-event-{event.pk}:", recipient=w.head
    ).exists()
    assert services.sweep(appeal.resolve_due + timedelta(days=14))["supervised"] == 1
    assert set(Supervision.objects.values_list("level", flat=True)) == {"yellow", "red"}

    services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
    replied = services.appeal_reply(
        appeal=Appeal.objects.get(pk=appeal.pk), acting_user=w.users["city_handler"], reply="已办"
    )
    assert services.sweep(replied.replied_at + timedelta(days=1))["closed_unrated"] == 0
    assert services.sweep(replied.replied_at + timedelta(days=10))["closed_unrated"] == 1
    closed = Appeal.objects.get(pk=appeal.pk)
    assert closed.state == State.CLOSED and closed.close_reason == "unrated" and closed.rating == ""
