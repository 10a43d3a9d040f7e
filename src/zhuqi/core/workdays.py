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


# Working-day ordinals (core.WorkdayOrdinal): ordinal(d) counts the working days from FIRST_DAY through d,
# so working_days_between(a, b) == ordinal(b's day) - ordinal(a's day) for days inside the range.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
ORDINAL_DAYS = (LAST_DAY - FIRST_DAY).days + 1


def ordinal_rows(calendar: dict[date, str]):
    """(date, ordinal) for every day of the range."""
    day, ordinal = FIRST_DAY, 0
    while day <= LAST_DAY:
        if is_working_day(day, calendar):
            ordinal += 1
        yield day, ordinal
        day += timedelta(days=1)


def rebuild_ordinals(ordinal_model=None, calendar_model=None) -> None:
    """Writes the whole table from the calendar (migrations pass their historical models)."""
    if ordinal_model is None:
        from zhuqi.core.models import CalendarDay, WorkdayOrdinal

        ordinal_model, calendar_model = WorkdayOrdinal, CalendarDay
    calendar = dict(calendar_model.objects.values_list("date", "kind"))
    ordinal_model.objects.all().delete()
    ordinal_model.objects.bulk_create(
        (ordinal_model(date=d, ordinal=n) for d, n in ordinal_rows(calendar)), batch_size=5000
    )


def ensure_ordinals() -> None:
    """Rebuilds the table if it does not cover the range (a flushed database, a failed migration)."""
    from zhuqi.core.models import WorkdayOrdinal

    if WorkdayOrdinal.objects.count() != ORDINAL_DAYS:
        rebuild_ordinals()


def shift_ordinals(day: date, was_working: bool, now_working: bool) -> None:
    """A day turned working (or not): every ordinal from it on moves by one, in one UPDATE."""
    from django.db.models import F

    from zhuqi.core.models import WorkdayOrdinal

    if was_working != now_working:
        WorkdayOrdinal.objects.filter(date__gte=day).update(ordinal=F("ordinal") + (1 if now_working else -1))


def ordinal_of(field: str, ordinal_model=None):
    """A subquery: the working-day ordinal of the outer row's `field` (a datetime), by its Shanghai day."""
    from django.db.models import DateTimeField, ExpressionWrapper, OuterRef, Subquery
    from django.db.models.functions import TruncDate

    if ordinal_model is None:
        from zhuqi.core.models import WorkdayOrdinal as ordinal_model
    moment = ExpressionWrapper(OuterRef(field), output_field=DateTimeField())
    day = TruncDate(moment, tzinfo=SHANGHAI)
    return Subquery(ordinal_model.objects.filter(date=day).values("ordinal")[:1])
