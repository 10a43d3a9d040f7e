"""Meetings: the quarterly dispatch (季调度) and the face-to-face meetings (seed 004 二: 座谈会、企业家
早餐会 each quarter; seed 003: 现场办公会). Recording one with its decisions makes each decision a
tracked task (source: meeting, pointing at the meeting) in the same transaction."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.engagement.models import Meeting, Task
from zhuqi.engagement.tasks import create_task

MAX_DECISIONS = 50
MAX_ATTENDEES = 500


@dataclass
class Decision:
    title: str
    due_on: date
    owner_department: object = None
    owner_user: object = None
    enterprise: object = None


def _text(value, limit, field_name, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError("field_missing", _("This field is required."), status=422, field=field_name)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=field_name
        )
    return value


@transaction.atomic
def record_meeting(
    *,
    kind: str,
    title: str,
    held_on: date,
    acting_user,
    chair=None,
    place: str = "",
    enterprises=(),
    departments=(),
    minutes: str = "",
    decisions=(),
) -> Meeting:
    permissions.require(acting_user, Capability.COORDINATE_ENGAGEMENT)
    if kind not in Meeting.Kind.values:
        raise ZhuqiError("bad_kind", _("Unknown kind of meeting."), status=422, field="kind")
    if not isinstance(held_on, date) or held_on.year < 2000 or held_on > timezone.localdate():
        raise ZhuqiError(
            "bad_date", _("The date must be from 1 January 2000 to today."), status=422, field="held_on"
        )
    if len(decisions) > MAX_DECISIONS or len(enterprises) > MAX_ATTENDEES or len(departments) > MAX_ATTENDEES:
        raise ZhuqiError("too_many", _("Too many items."), status=422)
    meeting = Meeting.objects.create(
        kind=kind,
        title=_text(title, 200, "title", required=True),
        held_on=held_on,
        chair=chair,
        place=_text(place, 200, "place"),
        minutes=_text(minutes, 20000, "minutes"),
        recorded_by=acting_user,
    )
    meeting.enterprises.set(enterprises)
    meeting.departments.set(departments)
    audit.record(actor=acting_user, verb="meeting_record", obj=meeting, data={"title": meeting.title})
    for decision in decisions:
        create_task(
            title=decision.title,
            due_on=decision.due_on,
            owner_department=decision.owner_department,
            owner_user=decision.owner_user,
            enterprise=decision.enterprise,
            description=str(Message(_("Decided at %(meeting)s."), {"meeting": meeting.title})),
            source=Task.Source.MEETING,
            source_object=meeting,
            acting_user=acting_user,
        )
    return meeting


def tasks_of(meeting: Meeting):
    from django.contrib.contenttypes.models import ContentType

    return Task.objects.filter(
        source_type=ContentType.objects.get_for_model(Meeting), source_id=meeting.pk
    ).select_related("owner_department", "owner_user")
