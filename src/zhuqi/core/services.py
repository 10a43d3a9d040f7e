from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, formats, permissions, workdays
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.models import CalendarDay
from zhuqi.core.permissions import Capability
from zhuqi.core.selectors import notifications_of


@transaction.atomic
def notifications_mark_read(*, acting_user, ids: list[int] | None = None) -> int:
    """Marks the user's unread notifications read (the given ones, or all); returns how many."""
    qs = notifications_of(acting_user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _require_calendar_editor(user) -> None:
    permissions.require(
        user, Capability.EDIT_SETTINGS, _("Only the coordinating office edits the working-day calendar.")
    )


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, name: str = "", acting_user) -> CalendarDay:
    """Marks a date a public holiday or a make-up working day (调休). New deadlines count with it;
    deadlines already set are kept, as the enterprise and the department were told them."""
    _require_calendar_editor(acting_user)
    if kind not in CalendarDay.Kind.values:
        raise ZhuqiError(
            "bad_day_kind",
            Message(
                _("A calendar day is one of: %(kinds)s."),
                {"kinds": formats.enumeration(CalendarDay.Kind.labels)},
            ),
            status=422,
            field="kind",
        )
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise ZhuqiError(
            "workday_on_weekday",
            Message(
                _("%(day)s is a weekday already; only a weekend day can be a make-up working day."),
                {"day": day},
            ),
            status=422,
            field="date",
        )
    if kind == CalendarDay.Kind.HOLIDAY and day.weekday() >= 5 and not name:
        raise ZhuqiError(
            "holiday_on_weekend",
            Message(
                _("%(day)s is a weekend day; give the holiday's name to record it anyway."), {"day": day}
            ),
            status=422,
            field="name",
        )
    was_working = workdays.is_working_day(
        day, dict(CalendarDay.objects.filter(date=day).values_list("date", "kind"))
    )
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name[:40]}
    )
    audit.record(actor=acting_user, verb="calendar_day_set", obj=entry, data={"date": str(day), "kind": kind})
    workdays.shift_ordinals(day, was_working, kind == CalendarDay.Kind.WORKDAY)
    workdays.forget()
    transaction.on_commit(workdays.forget)  # again: another request may have cached the old one meanwhile
    return entry


@transaction.atomic
def calendar_day_remove(*, day: date, acting_user) -> None:
    """Makes a date an ordinary day again (Monday–Friday working, weekend not)."""
    _require_calendar_editor(acting_user)
    entry = CalendarDay.objects.filter(date=day).first()
    if entry is None:
        raise NotFound("calendar_day_not_found", Message(_("%(day)s is an ordinary day."), {"day": day}))
    audit.record(
        actor=acting_user, verb="calendar_day_remove", obj=entry, data={"date": str(day), "kind": entry.kind}
    )
    entry.delete()
    workdays.shift_ordinals(day, entry.kind == CalendarDay.Kind.WORKDAY, day.weekday() < 5)
    workdays.forget()
    transaction.on_commit(workdays.forget)  # again: another request may have cached the old one meanwhile
