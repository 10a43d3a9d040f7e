"""Major-event reports (重大事项报告, seed 003 三(一)6: 停产减产、搬迁、重大投资、股权或领导班子变更、
上市、重大事故、大规模裁员…): reported by the enterprise (or recorded for it by the office), they reach
its liaison leaders, its town's officers and the coordinating office at once through the outbox, and
are followed like a ledger item: acknowledged, followed up with notes, closed out (销号)."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.core import audit, findings, outbox, permissions
from zhuqi.core.errors import Forbidden, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import LiaisonAssignment
from zhuqi.engagement.lifecycle import EVENT_ACTIONS, EventState
from zhuqi.engagement.models import MajorEvent, MajorEventNote


def link(event: MajorEvent) -> str:
    return f"/engagement/events/{event.pk}/"


def followers(enterprise) -> list[User]:
    """Its liaison leaders in force, its town's officers and the coordinating office (one query)."""
    leaders = LiaisonAssignment.objects.active().filter(enterprise=enterprise).values("leader_id")
    who = Q(pk__in=leaders) | Q(town_id=enterprise.town_id, role=Role.TOWN_OFFICER) | Q(role=Role.COORDINATOR)
    return list(User.objects.filter(who, is_active=True))


def _text(value, limit, field_name, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError("field_missing", _("This field is required."), status=422, field=field_name)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=field_name
        )
    return value


@transaction.atomic
def report_event(
    *, enterprise, kind: str, occurred_on: date, title: str, description: str, acting_user
) -> MajorEvent:
    own = (
        permissions.has(acting_user, Capability.REPORT_MAJOR_EVENTS)
        and acting_user.enterprise_id == enterprise.pk
    )
    if not (own or permissions.has(acting_user, Capability.COORDINATE_ENGAGEMENT)):
        raise Forbidden("forbidden", _("You may not report an event for this enterprise."))
    if kind not in MajorEvent.Kind.values:
        raise ZhuqiError("bad_kind", _("Unknown kind of event."), status=422, field="kind")
    if (
        not isinstance(occurred_on, date)
        or occurred_on > timezone.localdate() + timedelta(days=366)
        or occurred_on.year < 2000
    ):
        raise ZhuqiError("bad_date", _("Give the date of the event."), status=422, field="occurred_on")
    event = MajorEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        occurred_on=occurred_on,
        title=_text(title, 200, "title"),
        description=_text(description, 5000, "description"),
        reported_by=acting_user,
    )
    audit.record(actor=acting_user, verb="major_event_report", obj=event, data={"title": event.title})
    outbox.enqueue(
        event_key=f"major-event-{event.pk}",
        recipients=followers(enterprise),
        subject=str(
            Message(
                _("Major event at %(name)s: %(title)s"), {"name": enterprise.name, "title": event.title[:40]}
            )
        ),
        body=f"{event.get_kind_display()}：{event.description[:400]}",
        link=link(event),
    )
    return event


@transaction.atomic
def act_on_event(*, event: MajorEvent, action: str, acting_user, note: str = "") -> MajorEvent:
    if action not in EVENT_ACTIONS:
        raise ZhuqiError("bad_action", _("Unknown action."), status=422)
    event = MajorEvent.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=event.pk)
    EVENT_ACTIONS[action].check(acting_user, event)
    note = _text(note, 2000, "note", required=action != "acknowledge")
    now = timezone.now()
    event.state = EVENT_ACTIONS[action].target
    if action == "acknowledge":
        event.acknowledged_by, event.acknowledged_at = acting_user, now
    if action == "close":
        event.closed_at, event.close_note = now, note
    event.save()
    MajorEventNote.objects.create(
        event=event, action=action, note=note or str(EVENT_ACTIONS[action].button), actor=acting_user
    )
    audit.record(actor=acting_user, verb=f"major_event_{action}", obj=event, data={"comment": note})
    if action == "close" and event.reported_by_id != getattr(acting_user, "pk", None):
        outbox.enqueue(
            event_key=f"major-event-{event.pk}-closed",
            recipients=[event.reported_by],
            subject=str(Message(_("Major event closed out: %(title)s"), {"title": event.title[:40]})),
            body=note[:500],
            link=link(event),
        )
    return event


def open_findings(today: date):
    """The warning kind major_event: every event still waiting for acknowledgement (red) or being
    followed (yellow)."""
    for event in MajorEvent.objects.exclude(state=EventState.CLOSED).select_related("enterprise"):
        yield findings.Finding(
            kind="major_event",
            subject_type="engagement.majorevent",
            subject_id=event.pk,
            period=f"{event.reported_at:%Y-%m-%d}",
            level="red" if event.state == EventState.REPORTED else "yellow",
            text=f"{event.enterprise.name}报告重大事项（{event.get_kind_display()}）：{event.title}",
            since=event.occurred_on,
            link=link(event),
            town_id=event.enterprise.town_id,
            user_ids=tuple(
                LiaisonAssignment.objects.active()
                .filter(enterprise_id=event.enterprise_id)
                .values_list("leader_id", flat=True)
            ),
        )
