"""Working days: Monday to Friday, less public holidays, plus make-up working days (调休).

Deadlines count working days from the moment of the event: "within 3 working days" of a Friday
afternoon appeal ends at the end of the third working day after it.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
CACHE_KEY = "zhuqi:calendar-days"
END_OF_DAY = time(23, 59, 59)
CACHE_SECONDS = 30


def exceptions() -> dict[date, str]:
    """{date: "holiday" | "workday"}; cached per process for CACHE_SECONDS. An edit clears the
    editing process's copy at once and reaches every other worker within CACHE_SECONDS (a deadline
    computed elsewhere in those seconds may still use the old calendar; README, "Deadlines")."""
    found = cache.get(CACHE_KEY)
    if found is None:
        from zhuqi.core.models import CalendarDay

        found = dict(CalendarDay.objects.values_list("date", "kind"))
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget() -> None:
    cache.delete(CACHE_KEY)


def is_working_day(day: date, calendar: dict[date, str] | None = None) -> bool:
    calendar = exceptions() if calendar is None else calendar
    kind = calendar.get(day)
    if kind is not None:
        return kind == "workday"
    return day.weekday() < 5


def add_working_days(start: datetime, days: int, calendar: dict[date, str] | None = None) -> datetime:
    """The end (23:59:59 Shanghai time) of the `days`-th working day after `start`'s day."""
    calendar = exceptions() if calendar is None else calendar
    day = timezone.localtime(start, SHANGHAI).date() if timezone.is_aware(start) else start.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def working_days_between(start: datetime, end: datetime, calendar: dict[date, str] | None = None) -> int:
    """Whole working days after `start`'s day up to and including `end`'s day (0 on the same day)."""
    calendar = exceptions() if calendar is None else calendar
    a = timezone.localtime(start, SHANGHAI).date()
    b = timezone.localtime(end, SHANGHAI).date()
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            count += 1
    return sign * count
