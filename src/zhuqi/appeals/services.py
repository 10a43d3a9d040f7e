"""Every change of an appeal goes through one function here. Each one, in one transaction: locks the
appeal, checks the action's entry in lifecycle.ACTIONS (its states, then its permission: the same
entry the page derives its buttons from), changes the appeal, records the hop (AppealEvent) and queues
the notifications in the outbox."""

import difflib
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.appeals import deadlines, lifecycle, routing
from zhuqi.appeals.models import (
    SUPERVISED_STATES,
    Appeal,
    AppealEvent,
    Channel,
    CloseReason,
    CoordinationItem,
    Rating,
    State,
    Supervision,
    Urgency,
    first_sweep_at,
)
from zhuqi.core import attachments as stored_files
from zhuqi.core import outbox, permissions, prepared, validators, workdays
from zhuqi.core.errors import Conflict, Forbidden, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import LONG_TEXT
from zhuqi.directory.models import Department, Enterprise, LiaisonAssignment, ServiceCategory
from zhuqi.programs.models import Pilot

STAFF_CHANNELS = {Channel.VISIT, Channel.PHONE, Channel.IMPORT}


@dataclass
class Submission:
    appeal: Appeal
    created: bool
    possible_duplicates: list[Appeal]


def _link(appeal: Appeal) -> str:
    return f"/appeals/{appeal.number}/"


def _announcement(appeal: Appeal, event: AppealEvent, subject) -> dict:
    return {
        "event_key": f"appeal-event-{event.pk}",
        "subject": str(Message(subject, {"number": appeal.number, "title": appeal.title[:40]})),
        "body": appeal.description[:500] if event.action == "submit" else (event.comment or appeal.title),
        "link": _link(appeal),
    }


def _notify(appeal: Appeal, event: AppealEvent, recipients, subject) -> None:
    outbox.enqueue(recipients=recipients, **_announcement(appeal, event, subject))


def _people_of(department: Department | None) -> Q:
    """Who answers for a department: its members and its head; the coordinating office for none."""
    if department is None:
        return Q(role=Role.COORDINATOR)
    return Q(department=department) | Q(pk=department.head_id)


def _department_people(department: Department | None) -> list[User]:
    return list(User.objects.filter(_people_of(department), is_active=True))


@outbox.audience("appeal_submitted")
def _submission_recipients(enterprise_id: int, department_id: int | None) -> list[User]:
    """Seed 000, 三(四): 「系统自动将企业问题以短信形式发送至市主要领导、挂点领导和四个责任部门主要领导」 —
    the principal leader when configured, the enterprise's liaison leaders, the people of the
    department handling it (its head among them; the coordinating office when nobody handles it)
    and, for a pilot, the head of its own responsible department (programs.Pilot.department). The
    reading: 「四个责任部门主要领导」 is the head of the responsible department that follows this
    pilot (四(五)1: each follows its own), not all four heads for every pilot. Worked out by the
    worker from the submission's one fan-out row (submission is the hot path)."""
    liaison_leaders = (
        LiaisonAssignment.objects.active().filter(enterprise_id=enterprise_id).values("leader_id")
    )
    responsible_heads = Department.objects.filter(
        pilots__enterprise_id=enterprise_id, pilots__state__in=Pilot.CURRENT_STATES, head__isnull=False
    ).values("head_id")
    department = None if department_id is None else Department.objects.filter(pk=department_id).first()
    who = Q(pk__in=liaison_leaders) | Q(pk__in=responsible_heads) | _people_of(department)
    if settings.ZHUQI_PRINCIPAL_LEADER:
        who |= Q(username=settings.ZHUQI_PRINCIPAL_LEADER)
    return list(User.objects.filter(who, is_active=True))


def _enterprise_users(appeal: Appeal) -> list[User]:
    return list(appeal.enterprise.users.filter(is_active=True))


def _event(appeal, actor, action, from_state, comment="", *, save=True, **data) -> AppealEvent:
    """A step of the trail, saved (or left for the caller to insert with others: save=False)."""
    event = AppealEvent(
        appeal=appeal,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=appeal.state,
        department=appeal.department,
        comment=comment,
        data=data,
    )
    if save:
        event.save()
    return event


DUPLICATE_CANDIDATES = 200  # the newest open appeals of one enterprise compared with a new title
DUPLICATES_SHOWN = 5

CANDIDATE_FIELDS = ("id", "number", "title", "category_id", "enterprise_id", "state", "created_at")


# The open appeals of an enterprise a new title is compared with, newest first, as rows; compiled
# once (core.prepared): every submission runs it.
_CANDIDATES = prepared.PreparedQuery(
    lambda enterprise_id: (
        Appeal.objects.filter(
            enterprise_id=enterprise_id, state__in=sorted(s.value for s in lifecycle.OPEN_STATES)
        )
        .order_by("-created_at", "-id")
        .values_list(*CANDIDATE_FIELDS)[:DUPLICATE_CANDIDATES]
    ),
    int,
)


def _candidates(enterprise: Enterprise) -> list[tuple]:
    return _CANDIDATES(enterprise.pk)


def possible_duplicates(
    enterprise: Enterprise, title: str, category: ServiceCategory | None = None
) -> list[Appeal]:
    """Open appeals of the same enterprise whose title is alike, or that share the category and look
    somewhat alike. Used after submission and, as the title is typed, by the form's hint."""
    return _alike(_candidates(enterprise), title, category)


def _alike(candidates: list[tuple], title: str, category: ServiceCategory | None) -> list[Appeal]:
    """The first DUPLICATES_SHOWN candidates alike: a title similarity (difflib's ratio) of 0.6, or
    0.3 in the same category. Bounded: at most DUPLICATE_CANDIDATES titles, the new title indexed
    once, and the cheap upper bounds of the ratio (real_quick_ratio, quick_ratio) tried first."""
    matcher = difflib.SequenceMatcher(None, "", title)
    found = []
    for row in candidates:
        other_title, category_id = row[2], row[3]
        floor = 0.3 if category is not None and category_id == category.pk else 0.6
        matcher.set_seq1(other_title)
        if (
            matcher.real_quick_ratio() >= floor
            and matcher.quick_ratio() >= floor
            and matcher.ratio() >= floor
        ):
            found.append(Appeal.from_db(Appeal.objects.db, CANDIDATE_FIELDS, row))
            if len(found) == DUPLICATES_SHOWN:
                break
    return found


def _may_submit_for(user: User, enterprise: Enterprise, channel: str) -> bool:
    if permissions.has(user, Capability.SUBMIT_OWN_APPEAL):
        return user.enterprise_id == enterprise.pk and channel == Channel.WEB
    if permissions.has(user, Capability.RECEIVE_HOTLINE_APPEAL):
        return channel in (Channel.HOTLINE, Channel.IMPORT)
    from zhuqi.directory.selectors import enterprises_visible_to

    if permissions.has(user, Capability.RECORD_APPEAL):
        return channel in STAFF_CHANNELS and enterprises_visible_to(user).filter(pk=enterprise.pk).exists()
    return False


# A description long enough for any matter (seed 000's forms give a few hundred characters); the
# evidence goes in attached files.
DESCRIPTION_MAX_CHARS = 5000


def appeal_submit(
    *,
    enterprise: Enterprise,
    title: str,
    description: str,
    category: ServiceCategory,
    acting_user: User,
    urgency: str = Urgency.ORDINARY,
    channel: str = Channel.WEB,
    within_policy: bool = True,
    contact_name: str = "",
    contact_phone: str = "",
    idempotency_key: str | None = None,
    attachments=(),
) -> Submission:
    """Records an appeal durably (with its attachments), routes it, sets its deadlines and queues the
    notifications, in one transaction.

    A repeated idempotency key of the same submitter returns the appeal it created the first time."""
    if not _may_submit_for(acting_user, enterprise, channel):
        raise Forbidden("forbidden", _("You may not submit an appeal for this enterprise on this channel."))
    if not title.strip() or not description.strip():
        raise ZhuqiError("appeal_incomplete", _("An appeal needs a title and a description."), status=422)
    contact_phone = contact_phone.strip()
    if problem := validators.phone_problem(contact_phone):
        raise ZhuqiError("bad_phone", problem, status=422, field="contact_phone")
    if urgency not in Urgency.values:
        raise ZhuqiError(
            "bad_urgency", Message(_("Unknown urgency: %(value)s."), {"value": urgency}), status=422
        )
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise ZhuqiError(
            "description_too_long",
            Message(
                _("The description is longer than %(n)d characters; attach a file for the details."),
                {"n": DESCRIPTION_MAX_CHARS},
            ),
            status=422,
            field="description",
        )
    stored_files.check_count("appeal", None, len(attachments))
    for upload in attachments:
        stored_files.check(upload)  # refuse a bad file before anything is written
    duplicates = possible_duplicates(enterprise, title, category)
    try:
        with transaction.atomic():
            appeal = _create(
                enterprise=enterprise,
                title=title.strip(),
                description=description.strip(),
                category=category,
                acting_user=acting_user,
                urgency=urgency,
                channel=channel,
                within_policy=within_policy,
                contact_name=contact_name,
                contact_phone=contact_phone,
                idempotency_key=idempotency_key,
            )
            for upload in attachments:
                stored_files.store(upload, object_type="appeal", object_id=appeal.pk, acting_user=acting_user)
    except IntegrityError:
        # A retry: this submitter sent this key before (or two retries raced). The appeal's INSERT,
        # the transaction's first write, failed on the key, so nothing was written. The new
        # submission does not look the key up first: that would cost every submission a query.
        if not idempotency_key:
            raise
        existing = Appeal.objects.filter(submitted_by=acting_user, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return Submission(existing, False, [])
    return Submission(appeal, True, duplicates)


def _create(
    *,
    enterprise,
    title,
    description,
    category,
    acting_user,
    urgency,
    channel,
    within_policy,
    contact_name,
    contact_phone,
    idempotency_key,
) -> Appeal:
    now = timezone.now()
    days = deadlines.days_for(category, urgency)
    appeal = Appeal(
        number=f"tmp-{uuid.uuid4().hex[:18]}",
        enterprise=enterprise,
        title=title[:200],
        description=description,
        category=category,
        urgency=urgency,
        channel=channel,
        within_policy=within_policy,
        contact_name=contact_name,
        contact_phone=contact_phone,
        submitted_by=acting_user,
        idempotency_key=idempotency_key,
        created_at=now,
        dispatch_due=workdays.add_working_days(now, days.dispatch),
        resolve_due=workdays.add_working_days(now, days.resolve),
    )
    trail = [_event(appeal, acting_user, "submit", "", save=False, channel=channel)]
    # The routing table is cached (core.reference): the appeal is routed before its row is written,
    # so the INSERT carries the dispatch and the UPDATE only the number, which needs the id.
    department = routing.route(enterprise, category)
    if department is not None:
        comment = str(_("Routed by rule"))
        trail.append(_dispatch(appeal, department, actor=None, comment=comment, days=days, save=False))
    # The three writes every submission makes go through statements compiled once (core.prepared),
    # which call no save(): the sweep's first look is set here as Appeal.save sets it.
    appeal.sweep_at = first_sweep_at(appeal)
    prepared.insert([appeal])
    appeal.number = f"SQ{timezone.localtime(now):%Y%m%d}{appeal.pk:06d}"
    prepared.update(appeal, ["number"])
    prepared.insert(trail)  # the trail's first steps, in order
    submitted = trail[0]
    # One row: the worker queues a message for each recipient (_submission_recipients).
    outbox.enqueue_fanout(
        audience="appeal_submitted",
        args={"enterprise_id": enterprise.pk, "department_id": department.pk if department else None},
        **_announcement(appeal, submitted, _("New appeal %(number)s: %(title)s")),
    )
    if not within_policy:
        _escalate(appeal, None, CoordinationItem.Reason.OUTSIDE_POLICY)
    return appeal


def _dispatch(
    appeal: Appeal,
    department: Department,
    *,
    actor,
    comment: str,
    days=None,
    action="dispatch",
    save=True,
    **data,
) -> AppealEvent:
    """Sends the appeal to a department; `action` names the hop in the trail (dispatch, transfer,
    reopen, decide). The caller may have moved resolve_due already; it is saved here with the rest
    (save=False: the caller saves the appeal and inserts the returned event)."""
    now = timezone.now()
    days = days or deadlines.days_for(appeal.category, appeal.urgency)
    appeal.department = department
    appeal.dispatched_at = now
    appeal.progress_due = workdays.add_working_days(now, days.progress)
    return _move(
        appeal,
        actor,
        action,
        to=State.DISPATCHED,
        comment=comment,
        update_fields=["department", "dispatched_at", "progress_due", "resolve_due"],
        save=save,
        **({"department": department.code} | data),
    )


def _move(
    appeal: Appeal, actor, action: str, *, to=None, comment="", update_fields=None, save=True, **data
) -> AppealEvent:
    """The one way an appeal changes: to `to` (by default the transition's target; the same state
    for a step that changes none), a new version, saved, and the hop recorded. The caller has set
    the other fields already; `update_fields` names them when not the whole row is saved. With
    save=False neither the appeal nor the event is saved: the caller writes both (a new appeal)."""
    from_state = appeal.state
    appeal.state = to or lifecycle.TRANSITIONS[action].target
    appeal.version += 1
    if save:
        appeal.save(update_fields=None if update_fields is None else ["state", "version", *update_fields])
    return _event(appeal, actor, action, from_state, comment, save=save, **data)


def _locked(appeal: Appeal, action: str, expected_version: int | None = None, acting_user=None) -> Appeal:
    """Locks the appeal and checks the action: the version the user saw, the action's states, then
    its permission (lifecycle.ACTIONS). acting_user None is the platform itself (sweeps)."""
    current = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "enterprise", "department")
        .get(pk=appeal.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            "appeal_changed",
            _("Someone else changed this appeal a moment ago; reload it and try again."),
        )
    lifecycle.ACTIONS[action].check(acting_user, current)
    return current


def _reason(comment: str) -> str:
    if not (comment or "").strip():
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="comment")
    return comment.strip()


@transaction.atomic
def appeal_dispatch(
    *, appeal, department: Department, acting_user, comment="", expected_version=None
) -> Appeal:
    appeal = _locked(appeal, "dispatch", expected_version, acting_user)
    event = _dispatch(appeal, department, actor=acting_user, comment=comment)
    _notify(appeal, event, _department_people(department), _("New appeal %(number)s: %(title)s"))
    return appeal


@transaction.atomic
def appeal_accept(*, appeal, acting_user, comment="", expected_version=None) -> Appeal:
    appeal = _locked(appeal, "accept", expected_version, acting_user)
    appeal.accepted_at = timezone.now()
    event = _move(appeal, acting_user, "accept", comment=comment)
    _notify(appeal, event, _enterprise_users(appeal), _("Appeal %(number)s accepted"))
    return appeal


@transaction.atomic
def appeal_return(*, appeal, acting_user, comment: str, expected_version=None) -> Appeal:
    """Hands an appeal back as not this department's: it returns to the dispatch queue with the reason."""
    appeal = _locked(appeal, "return", expected_version, acting_user)
    comment = _reason(comment)
    previous, appeal.department = appeal.department, None
    event = _move(appeal, acting_user, "return", comment=comment, returned_by=previous.code)
    _notify(appeal, event, _department_people(None), _("Appeal %(number)s returned for dispatch"))
    return appeal


@transaction.atomic
def appeal_transfer(
    *, appeal, department: Department, acting_user, comment: str, expected_version=None
) -> Appeal:
    appeal = _locked(appeal, "transfer", expected_version, acting_user)
    comment = _reason(comment)
    if department.pk == appeal.department_id:
        raise ZhuqiError("same_department", _("The appeal is already with this department."), status=422)
    previous = appeal.department
    event = _dispatch(
        appeal,
        department,
        actor=acting_user,
        comment=comment,
        action="transfer",
        from_department=previous.code,
    )
    _notify(appeal, event, _department_people(department), _("New appeal %(number)s: %(title)s"))
    return appeal


@transaction.atomic
def appeal_progress(*, appeal, acting_user, comment: str, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "progress", expected_version, acting_user)
    event = _event(appeal, acting_user, "progress", appeal.state, _reason(comment))
    _notify(appeal, event, _enterprise_users(appeal), _("Progress on appeal %(number)s"))
    return appeal


@transaction.atomic
def appeal_reply(*, appeal, acting_user, reply: str, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "reply", expected_version, acting_user)
    if not (reply or "").strip():
        raise ZhuqiError("reply_missing", _("The reply is empty."), status=422, field="reply")
    now = timezone.now()
    appeal.reply, appeal.replied_at = reply.strip(), now
    appeal.on_time = appeal.resolve_due is None or now <= appeal.resolve_due
    event = _move(appeal, acting_user, "reply", comment=appeal.reply)
    _notify(appeal, event, _enterprise_users(appeal), _("Reply to your appeal %(number)s"))
    return appeal


@transaction.atomic
def appeal_rate(*, appeal, acting_user, rating: str, comment: str = "", expected_version=None) -> Appeal:
    """满意 or 基本满意 close the appeal; 不满意 reopens it to the same department (发还重办), and a
    second reopening puts it on the coordination meeting list (seed 000, 三(四))."""
    appeal = _locked(appeal, "rate", expected_version, acting_user)
    if not rating:
        raise ZhuqiError("rating_missing", _("Choose a rating."), status=422, field="rating")
    if rating not in Rating.values:
        raise ZhuqiError(
            "bad_rating",
            Message(_("Unknown rating: %(value)s."), {"value": rating}),
            status=422,
            field="rating",
        )
    appeal.rating = rating
    if rating != Rating.UNSATISFIED:
        appeal.closed_at, appeal.close_reason = timezone.now(), CloseReason.RATED
        appeal.handling_days = workdays.working_days_between(appeal.created_at, appeal.closed_at)
        event = _move(appeal, acting_user, "rate", to=State.CLOSED, comment=comment, rating=rating)
        _notify(appeal, event, _department_people(appeal.department), _("Appeal %(number)s rated and closed"))
        return appeal
    appeal.reopen_count += 1
    _move(appeal, acting_user, "rate", to=appeal.state, comment=comment, rating=rating)
    # Seed 000, 三(四): "系统两次发还重办的问题" go to the coordination meeting; the reading is the
    # setting ZHUQI_APPEAL_REOPENINGS (settings.py says both).
    if appeal.reopen_count > settings.ZHUQI_APPEAL_REOPENINGS:
        _escalate(appeal, acting_user, CoordinationItem.Reason.REOPENED_TWICE)
        return appeal
    days = deadlines.days_for(appeal.category, appeal.urgency)
    appeal.resolve_due = workdays.add_working_days(timezone.now(), days.resolve)
    event = _dispatch(
        appeal, appeal.department, actor=acting_user, comment=comment, days=days, action="reopen"
    )
    _notify(appeal, event, _department_people(appeal.department), _("Appeal %(number)s reopened (发还重办)"))
    return appeal


def _escalate(appeal: Appeal, actor, reason: str, comment: str = "") -> AppealEvent:
    CoordinationItem.objects.create(appeal=appeal, reason=reason)
    event = _move(appeal, actor, "escalate", comment=comment, reason=reason)
    _notify(appeal, event, _department_people(None), _("Appeal %(number)s goes to the coordination meeting"))
    return event


@transaction.atomic
def appeal_escalate(*, appeal, acting_user, comment: str, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "escalate", expected_version, acting_user)
    _escalate(appeal, acting_user, CoordinationItem.Reason.MANUAL, _reason(comment))
    return appeal


@transaction.atomic
def appeal_decide(*, appeal, acting_user, decision: str, owner: Department, expected_version=None) -> Appeal:
    """Records the coordination meeting's decision and sends the appeal to the department that owns it."""
    appeal = _locked(appeal, "decide", expected_version, acting_user)
    item = appeal.coordination_items.filter(decided_at__isnull=True).order_by("-created_at").first()
    if item is not None:
        item.decision, item.owner, item.decided_at, item.decided_by = (
            _reason(decision),
            owner,
            timezone.now(),
            acting_user,
        )
        item.save()
    days = deadlines.days_for(appeal.category, appeal.urgency)
    appeal.resolve_due = workdays.add_working_days(timezone.now(), days.resolve)
    event = _dispatch(appeal, owner, actor=acting_user, comment=decision, days=days, action="decide")
    _notify(appeal, event, _department_people(owner), _("New appeal %(number)s: %(title)s"))
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal, acting_user, comment="", expected_version=None) -> Appeal:
    appeal = _locked(appeal, "withdraw", expected_version, acting_user)
    appeal.closed_at = timezone.now()
    event = _move(appeal, acting_user, "withdraw", comment=comment)
    _notify(appeal, event, _department_people(appeal.department), _("Appeal %(number)s withdrawn"))
    return appeal


@transaction.atomic
def appeal_merge(*, appeal, into: Appeal, acting_user, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "merge", expected_version, acting_user)
    if into.pk == appeal.pk or into.enterprise_id != appeal.enterprise_id:
        raise ZhuqiError(
            "bad_merge",
            _("An appeal can only be merged into another appeal of the same enterprise."),
            status=422,
        )
    appeal.duplicate_of, appeal.closed_at = into, timezone.now()
    event = _move(appeal, acting_user, "merge", comment=into.number, into=into.number)
    _notify(appeal, event, _enterprise_users(appeal), _("Appeal %(number)s merged as a duplicate"))
    return appeal


@transaction.atomic
def appeal_instruct(*, appeal, acting_user, instruction: str) -> Appeal:
    """批示: a leader of the enterprise (or the coordinating office) instructs on an open appeal; the
    handler is notified."""
    appeal = _locked(appeal, "instruct", acting_user=acting_user)
    event = _event(appeal, acting_user, "instruct", appeal.state, _reason(instruction))
    _notify(
        appeal, event, _department_people(appeal.department), _("Leader's instruction on appeal %(number)s")
    )
    return appeal


@transaction.atomic
def appeal_follow_up(*, appeal, acting_user, note: str) -> Appeal:
    """回访: the coordinating office records a follow-up call."""
    appeal = _locked(appeal, "follow-up", acting_user=acting_user)
    _event(appeal, acting_user, lifecycle.ACTS["follow-up"].event_name, appeal.state, _reason(note))
    return appeal


@transaction.atomic
def appeal_attach(*, appeal, acting_user, upload):
    """Adds a file to an open appeal: the enterprise (its users or whoever submitted for it), the
    department handling it, or the coordinating office. The other side is notified."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("department").get(pk=appeal.pk)
    lifecycle.ATTACH.permission.require(acting_user, appeal, _("You may not do this to this appeal."))
    from_enterprise = lifecycle.ENTERPRISE(acting_user, appeal)
    if appeal.state not in lifecycle.ATTACH.sources:
        raise Conflict(
            "appeal_final",
            Message(
                _("An appeal that is %(state)s takes no more files."), {"state": appeal.get_state_display()}
            ),
        )
    attachment, created = stored_files.store(
        upload, object_type="appeal", object_id=appeal.pk, acting_user=acting_user
    )
    if created:
        event = _event(
            appeal, acting_user, "attach", appeal.state, attachment.filename, attachment=attachment.pk
        )
        recipients = _department_people(appeal.department) if from_enterprise else _enterprise_users(appeal)
        _notify(appeal, event, recipients, _("New file on appeal %(number)s"))
    return attachment


SWEEP_BATCH = 2000  # appeals read per query; a sweep's queries grow by one set per batch, not per appeal


def _start_of_day(moment: datetime) -> datetime:
    return datetime.combine(
        timezone.localtime(moment, workdays.SHANGHAI).date(), time.min, tzinfo=workdays.SHANGHAI
    )


def sweep(now=None) -> dict[str, int]:
    """Periodic: raise supervision orders (督办) for yellow and red appeals, notify the department head,
    and close replies left unrated for the rating period (counted as unrated, not satisfied).

    Reads only the appeals whose `sweep_at` has come (an index range), writes orders, events, messages
    and closings in bulk, looks up each department's people once, and moves `sweep_at` on to the next
    moment that matters (red after yellow; the end of the rating period), so a sweep with nothing new to
    do is a few queries whatever the number of appeals."""
    now = now or timezone.now()
    calendar = workdays.exceptions()
    counts = {"supervised": 0, "closed_unrated": 0}
    while True:
        with transaction.atomic():
            due = list(
                Appeal.objects.select_for_update(of=("self",))
                .filter(sweep_at__lte=now)
                .select_related("department")
                .order_by("sweep_at", "pk")[:SWEEP_BATCH]
            )
            if not due:
                return counts
            counts["supervised"] += _supervise(
                [a for a in due if a.state in SUPERVISED_STATES], now, calendar
            )
            counts["closed_unrated"] += _close_unrated(
                [a for a in due if a.state == State.REPLIED], now, calendar
            )
            stale = [a for a in due if a.state not in SUPERVISED_STATES and a.state != State.REPLIED]
            for appeal in stale:
                appeal.sweep_at = None
            Appeal.objects.bulk_update(due, ["sweep_at"], batch_size=SWEEP_BATCH)
            if len(due) < SWEEP_BATCH:
                return counts


def _supervise(appeals: list[Appeal], now, calendar) -> int:
    red_after = settings.ZHUQI_RED_AFTER_DAYS
    raised = set(
        Supervision.objects.filter(appeal__in=appeals).values_list("appeal_id", "department_id", "level")
    )
    orders, events, pending = [], [], []
    for appeal in appeals:
        level = deadlines.warning(appeal, now, calendar)
        if level == "yellow":  # look again when it turns red
            appeal.sweep_at = _start_of_day(
                workdays.add_working_days(appeal.resolve_due, red_after + 1, calendar)
            )
        elif level == "red":
            appeal.sweep_at = None
        else:  # not overdue (the deadline or the calendar moved): look again at the deadline
            appeal.sweep_at = (
                max(appeal.resolve_due, now + timedelta(seconds=1)) if appeal.resolve_due else None
            )
            continue
        if appeal.department_id is None or (appeal.pk, appeal.department_id, level) in raised:
            continue
        orders.append(Supervision(appeal=appeal, department=appeal.department, level=level))
        events.append(
            AppealEvent(
                appeal=appeal,
                action="supervise",
                from_state=appeal.state,
                to_state=appeal.state,
                department=appeal.department,
                data={"level": level},
            )
        )
    if not orders:
        return 0
    Supervision.objects.bulk_create(orders, ignore_conflicts=True)
    AppealEvent.objects.bulk_create(events)
    people: dict[int, list[User]] = {}  # who is told, looked up once per department
    departments = {e.department_id: e.department for e in events}
    head_ids = {d.head_id for d in departments.values() if d.head_id}
    heads = User.objects.in_bulk(head_ids)
    for department_id, department in departments.items():
        if department.head_id:
            people[department_id] = [heads.get(department.head_id)]
    without_head = [d for d in departments.values() if not d.head_id]
    if without_head:
        members = User.objects.filter(department__in=without_head, is_active=True)
        for user in members:
            people.setdefault(user.department_id, []).append(user)
    subject = _("Supervision order (督办) on appeal %(number)s")
    for event in events:
        appeal = event.appeal
        pending.append(
            outbox.Pending(
                event_key=f"appeal-event-{event.pk}",
                recipients=people.get(event.department_id, []),
                subject=str(Message(subject, {"number": appeal.number, "title": appeal.title[:40]})),
                body=appeal.title,
                link=_link(appeal),
            )
        )
    outbox.enqueue_many(pending)
    return len(orders)


def _close_unrated(appeals: list[Appeal], now, calendar) -> int:
    period = settings.ZHUQI_RATING_PERIOD_DAYS
    closing = []
    for appeal in appeals:
        if workdays.working_days_between(appeal.replied_at, now, calendar) < period:
            appeal.sweep_at = _start_of_day(workdays.add_working_days(appeal.replied_at, period, calendar))
            continue
        appeal.state, appeal.closed_at, appeal.close_reason = State.CLOSED, now, CloseReason.UNRATED
        appeal.handling_days = workdays.working_days_between(appeal.created_at, now, calendar)
        appeal.version += 1
        appeal.sweep_at = None
        closing.append(appeal)
    if closing:  # locked above (select_for_update), so the version check of _locked is not needed
        Appeal.objects.bulk_update(
            closing,
            ["state", "closed_at", "close_reason", "handling_days", "version"],
            batch_size=SWEEP_BATCH,
        )
        AppealEvent.objects.bulk_create(
            AppealEvent(
                appeal=a,
                action="close_unrated",
                from_state=State.REPLIED,
                to_state=State.CLOSED,
                department_id=a.department_id,
                data={},
            )
            for a in closing
        )
    return len(closing)


def get_department(code: str) -> Department:
    from zhuqi.directory.selectors import department_by_code

    return department_by_code(code)


# The service of every action the page and the API offer; what each takes is in lifecycle.ACTIONS.
PERFORMERS = {
    "dispatch": appeal_dispatch,
    "accept": appeal_accept,
    "return": appeal_return,
    "transfer": appeal_transfer,
    "progress": appeal_progress,
    "reply": appeal_reply,
    "rate": appeal_rate,
    "escalate": appeal_escalate,
    "decide": appeal_decide,
    "withdraw": appeal_withdraw,
    "merge": appeal_merge,
    "instruct": appeal_instruct,
    "follow-up": appeal_follow_up,
}
assert set(PERFORMERS) == {a.name for a in lifecycle.ACTIONS.values() if a.button is not None}


def perform(
    action: str,
    *,
    appeal,
    acting_user,
    comment="",
    department_code="",
    reply="",
    rating=None,
    into_number="",
    expected_version=None,
) -> Appeal:
    if action not in PERFORMERS:
        raise NotFound("unknown_action", Message(_("Unknown action: %(action)s."), {"action": action}))
    function, entry = PERFORMERS[action], lifecycle.ACTIONS[action]
    text = comment or ""
    # The API's schema bounds these (LONG_TEXT); the web form posts here directly, and a reply of
    # 100,000 characters was stored and shown on the tracker.
    for field, value in (("comment", text), ("reply", reply or "")):
        if len(value) > LONG_TEXT:
            raise ZhuqiError(
                "text_too_long",
                Message(
                    _("The text is longer than %(n)d characters; attach a file for the details."),
                    {"n": LONG_TEXT},
                ),
                status=422,
                field=field,
            )
    argument = {
        "comment": lambda: text,
        "decision": lambda: text,
        "instruction": lambda: text,
        "note": lambda: text,
        "reply": lambda: reply or "",
        "rating": lambda: rating or "",
        "department": lambda: get_department(department_code),
        "owner": lambda: get_department(department_code),
        "into": lambda: _merge_target(acting_user, into_number),
    }
    kwargs = {name: argument[name]() for name in entry.takes}
    if entry.changes_state:
        kwargs["expected_version"] = expected_version
    return function(appeal=appeal, acting_user=acting_user, **kwargs)


def _merge_target(user, number):
    from zhuqi.appeals.selectors import appeal_get

    return appeal_get(user, number)
