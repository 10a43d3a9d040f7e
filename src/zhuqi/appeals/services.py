"""Every change of an appeal goes through one function here. Each one, in one transaction: locks the
appeal, checks the transition (lifecycle.TRANSITIONS) and the actor's permission, changes the appeal,
records the hop (AppealEvent) and queues the notifications in the outbox."""

import difflib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.appeals import deadlines, lifecycle, routing
from zhuqi.appeals.models import (
    Appeal,
    AppealEvent,
    Channel,
    CloseReason,
    CoordinationItem,
    Rating,
    State,
    Supervision,
    Urgency,
)
from zhuqi.core import attachments as stored_files
from zhuqi.core import outbox, permissions, validators, workdays
from zhuqi.core.errors import Conflict, Forbidden, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Enterprise, LiaisonAssignment, ServiceCategory

STAFF_CHANNELS = {Channel.VISIT, Channel.PHONE, Channel.IMPORT}
COORDINATORS = {Role.COORDINATOR, Role.ADMIN}


@dataclass
class Submission:
    appeal: Appeal
    created: bool
    possible_duplicates: list[Appeal]


def _link(appeal: Appeal) -> str:
    return f"/appeals/{appeal.number}/"


def _notify(appeal: Appeal, event: AppealEvent, recipients, subject) -> None:
    outbox.enqueue(
        event_key=f"appeal-event-{event.pk}",
        recipients=recipients,
        subject=str(Message(subject, {"number": appeal.number, "title": appeal.title[:40]})),
        body=appeal.description[:500] if event.action == "submit" else (event.comment or appeal.title),
        link=_link(appeal),
    )


def _people_of(department: Department | None) -> Q:
    """Who answers for a department: its members and its head; the coordinating office for none."""
    if department is None:
        return Q(role=Role.COORDINATOR)
    return Q(department=department) | Q(pk=department.head_id)


def _department_people(department: Department | None) -> list[User]:
    return list(User.objects.filter(_people_of(department), is_active=True))


def _submission_recipients(enterprise: Enterprise, department: Department | None) -> list[User]:
    """Seed 000, 三(四): the principal leader when configured, the enterprise's liaison leaders and
    the people of the responsible department (the coordinating office when nobody is). One query:
    submission is the hot path."""
    liaison_leaders = LiaisonAssignment.objects.filter(enterprise=enterprise).values("leader_id")
    who = Q(pk__in=liaison_leaders) | _people_of(department)
    if settings.ZHUQI_PRINCIPAL_LEADER:
        who |= Q(username=settings.ZHUQI_PRINCIPAL_LEADER)
    return list(User.objects.filter(who, is_active=True))


def _enterprise_users(appeal: Appeal) -> list[User]:
    return list(appeal.enterprise.users.filter(is_active=True))


def _event(appeal, actor, action, from_state, comment="", **data) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=appeal.state,
        department=appeal.department,
        comment=comment,
        data=data,
    )


DUPLICATE_CANDIDATES = 200  # the newest open appeals of one enterprise compared with a new title


def possible_duplicates(
    enterprise: Enterprise, title: str, category: ServiceCategory | None = None
) -> list[Appeal]:
    """Open appeals of the same enterprise whose title is alike, or that share the category and look
    somewhat alike. Used after submission and, as the title is typed, by the form's hint."""
    found = []
    for other in (
        Appeal.objects.filter(
            enterprise=enterprise,
            state__in=[s.value for s in State if s not in (State.CLOSED, State.WITHDRAWN, State.MERGED)],
        )
        .only("number", "title", "category_id", "enterprise_id", "state", "created_at")
        .order_by("-created_at", "-id")[:DUPLICATE_CANDIDATES]
    ):
        similar = difflib.SequenceMatcher(None, other.title, title).ratio()
        same_category = category is not None and other.category_id == category.pk
        if similar >= 0.6 or (same_category and similar >= 0.3):
            found.append(other)
    return found[:5]


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
    if idempotency_key:
        existing = Appeal.objects.filter(submitted_by=acting_user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return Submission(existing, False, [])
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
        # Two retries with one key raced; the other one created it.
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
    appeal = Appeal.objects.create(
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
    appeal.number = f"SQ{timezone.localtime(now):%Y%m%d}{appeal.pk:06d}"
    submitted = _event(appeal, acting_user, "submit", "", channel=channel)
    department = routing.route(enterprise, category)
    if department is not None:
        _dispatch(appeal, department, actor=None, comment=str(_("Routed by rule")), days=days)  # saves number
    else:
        appeal.save(update_fields=["number"])
    recipients = _submission_recipients(enterprise, department)
    _notify(appeal, submitted, recipients, _("New appeal %(number)s: %(title)s"))
    if not within_policy:
        _escalate(appeal, None, CoordinationItem.Reason.OUTSIDE_POLICY)
    return appeal


def _dispatch(
    appeal: Appeal, department: Department, *, actor, comment: str, days=None, action="dispatch", **data
) -> AppealEvent:
    """Sends the appeal to a department; `action` names the hop in the trail (dispatch, transfer,
    reopen, decide). The caller may have moved resolve_due already; it is saved here with the rest."""
    now = timezone.now()
    days = days or deadlines.days_for(appeal.category, appeal.urgency)
    from_state = appeal.state
    appeal.state = State.DISPATCHED
    appeal.department = department
    appeal.dispatched_at = now
    appeal.progress_due = workdays.add_working_days(now, days.progress)
    appeal.version += 1
    # "number" too: a new appeal gets its number and its routing in this one UPDATE.
    appeal.save(
        update_fields=[
            "state",
            "department",
            "dispatched_at",
            "progress_due",
            "resolve_due",
            "version",
            "number",
        ]
    )
    return _event(appeal, actor, action, from_state, comment, **({"department": department.code} | data))


def _locked(appeal: Appeal, action: str, expected_version: int | None = None) -> Appeal:
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
    if not lifecycle.allowed(action, current.state):
        raise Conflict(
            "invalid_transition",
            Message(
                _("An appeal that is %(state)s cannot be %(action)s."),
                {"state": current.get_state_display(), "action": ACTION_LABELS[action]},
            ),
        )
    return current


ACTION_LABELS = {
    "dispatch": _("dispatched"),
    "accept": _("accepted"),
    "return": _("returned"),
    "transfer": _("transferred"),
    "progress": _("given a progress report"),
    "reply": _("replied to"),
    "rate": _("rated"),
    "close_unrated": _("closed unrated"),
    "escalate": _("escalated"),
    "decide": _("decided"),
    "withdraw": _("withdrawn"),
    "merge": _("merged"),
}


def _require(condition: bool) -> None:
    if not condition:
        raise Forbidden("forbidden", _("You may not do this to this appeal."))


def _is_handler_of(user: User, appeal: Appeal) -> bool:
    return (
        user.role == Role.HANDLER
        and appeal.department_id is not None
        and user.department_id == appeal.department_id
    )


def _reason(comment: str) -> str:
    if not (comment or "").strip():
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="comment")
    return comment.strip()


@transaction.atomic
def appeal_dispatch(
    *, appeal, department: Department, acting_user, comment="", expected_version=None
) -> Appeal:
    appeal = _locked(appeal, "dispatch", expected_version)
    _require(acting_user.role in COORDINATORS)
    event = _dispatch(appeal, department, actor=acting_user, comment=comment)
    _notify(appeal, event, _department_people(department), _("New appeal %(number)s: %(title)s"))
    return appeal


@transaction.atomic
def appeal_accept(*, appeal, acting_user, comment="", expected_version=None) -> Appeal:
    appeal = _locked(appeal, "accept", expected_version)
    _require(_is_handler_of(acting_user, appeal))
    from_state = appeal.state
    appeal.state, appeal.accepted_at = State.ACCEPTED, timezone.now()
    appeal.version += 1
    appeal.save()
    event = _event(appeal, acting_user, "accept", from_state, comment)
    _notify(appeal, event, _enterprise_users(appeal), _("Appeal %(number)s accepted"))
    return appeal


@transaction.atomic
def appeal_return(*, appeal, acting_user, comment: str, expected_version=None) -> Appeal:
    """Hands an appeal back as not this department's: it returns to the dispatch queue with the reason."""
    appeal = _locked(appeal, "return", expected_version)
    _require(_is_handler_of(acting_user, appeal))
    comment = _reason(comment)
    from_state, previous = appeal.state, appeal.department
    appeal.state, appeal.department = State.SUBMITTED, None
    appeal.version += 1
    appeal.save()
    event = _event(appeal, acting_user, "return", from_state, comment, returned_by=previous.code)
    _notify(appeal, event, _department_people(None), _("Appeal %(number)s returned for dispatch"))
    return appeal


@transaction.atomic
def appeal_transfer(
    *, appeal, department: Department, acting_user, comment: str, expected_version=None
) -> Appeal:
    appeal = _locked(appeal, "transfer", expected_version)
    _require(_is_handler_of(acting_user, appeal) or acting_user.role in COORDINATORS)
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
    appeal = _locked(appeal, "progress", expected_version)
    _require(_is_handler_of(acting_user, appeal))
    event = _event(appeal, acting_user, "progress", appeal.state, _reason(comment))
    _notify(appeal, event, _enterprise_users(appeal), _("Progress on appeal %(number)s"))
    return appeal


@transaction.atomic
def appeal_reply(*, appeal, acting_user, reply: str, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "reply", expected_version)
    _require(_is_handler_of(acting_user, appeal))
    if not (reply or "").strip():
        raise ZhuqiError("reply_missing", _("The reply is empty."), status=422, field="reply")
    now = timezone.now()
    from_state = appeal.state
    appeal.state, appeal.reply, appeal.replied_at = State.REPLIED, reply.strip(), now
    appeal.on_time = appeal.resolve_due is None or now <= appeal.resolve_due
    appeal.version += 1
    appeal.save()
    event = _event(appeal, acting_user, "reply", from_state, appeal.reply)
    _notify(appeal, event, _enterprise_users(appeal), _("Reply to your appeal %(number)s"))
    return appeal


@transaction.atomic
def appeal_rate(*, appeal, acting_user, rating: str, comment: str = "", expected_version=None) -> Appeal:
    """满意 or 基本满意 close the appeal; 不满意 reopens it to the same department (发还重办), and a
    second reopening puts it on the coordination meeting list (seed 000, 三(四))."""
    appeal = _locked(appeal, "rate", expected_version)
    _require(acting_user.role == Role.ENTERPRISE and acting_user.enterprise_id == appeal.enterprise_id)
    if not rating:
        raise ZhuqiError("rating_missing", _("Choose a rating."), status=422, field="rating")
    if rating not in Rating.values:
        raise ZhuqiError(
            "bad_rating",
            Message(_("Unknown rating: %(value)s."), {"value": rating}),
            status=422,
            field="rating",
        )
    from_state = appeal.state
    appeal.rating = rating
    if rating != Rating.UNSATISFIED:
        appeal.state, appeal.closed_at, appeal.close_reason = State.CLOSED, timezone.now(), CloseReason.RATED
        appeal.version += 1
        appeal.save()
        event = _event(appeal, acting_user, "rate", from_state, comment, rating=rating)
        _notify(appeal, event, _department_people(appeal.department), _("Appeal %(number)s rated and closed"))
        return appeal
    appeal.reopen_count += 1
    appeal.version += 1
    appeal.save()
    _event(appeal, acting_user, "rate", from_state, comment, rating=rating)
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
    from_state = appeal.state
    appeal.state = State.ESCALATED
    appeal.version += 1
    appeal.save()
    CoordinationItem.objects.create(appeal=appeal, reason=reason)
    event = _event(appeal, actor, "escalate", from_state, comment, reason=reason)
    _notify(appeal, event, _department_people(None), _("Appeal %(number)s goes to the coordination meeting"))
    return event


@transaction.atomic
def appeal_escalate(*, appeal, acting_user, comment: str, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "escalate", expected_version)
    _require(acting_user.role in COORDINATORS)
    _escalate(appeal, acting_user, CoordinationItem.Reason.MANUAL, _reason(comment))
    return appeal


@transaction.atomic
def appeal_decide(*, appeal, acting_user, decision: str, owner: Department, expected_version=None) -> Appeal:
    """Records the coordination meeting's decision and sends the appeal to the department that owns it."""
    appeal = _locked(appeal, "decide", expected_version)
    _require(acting_user.role in COORDINATORS)
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
    appeal = _locked(appeal, "withdraw", expected_version)
    _require(acting_user.role == Role.ENTERPRISE and acting_user.enterprise_id == appeal.enterprise_id)
    from_state = appeal.state
    appeal.state, appeal.closed_at = State.WITHDRAWN, timezone.now()
    appeal.version += 1
    appeal.save()
    event = _event(appeal, acting_user, "withdraw", from_state, comment)
    _notify(appeal, event, _department_people(appeal.department), _("Appeal %(number)s withdrawn"))
    return appeal


@transaction.atomic
def appeal_merge(*, appeal, into: Appeal, acting_user, expected_version=None) -> Appeal:
    appeal = _locked(appeal, "merge", expected_version)
    _require(acting_user.role in COORDINATORS)
    if into.pk == appeal.pk or into.enterprise_id != appeal.enterprise_id:
        raise ZhuqiError(
            "bad_merge",
            _("An appeal can only be merged into another appeal of the same enterprise."),
            status=422,
        )
    from_state = appeal.state
    appeal.state, appeal.duplicate_of, appeal.closed_at = State.MERGED, into, timezone.now()
    appeal.version += 1
    appeal.save()
    event = _event(appeal, acting_user, "merge", from_state, into.number, into=into.number)
    _notify(appeal, event, _enterprise_users(appeal), _("Appeal %(number)s merged as a duplicate"))
    return appeal


@transaction.atomic
def appeal_instruct(*, appeal, acting_user, instruction: str) -> Appeal:
    """批示: a leader of the enterprise (or the coordinating office) instructs; the handler is notified."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    is_leader = (
        acting_user.role == Role.LEADER
        and LiaisonAssignment.objects.filter(leader=acting_user, enterprise_id=appeal.enterprise_id).exists()
    )
    _require(is_leader or acting_user.role in COORDINATORS)
    event = _event(appeal, acting_user, "instruct", appeal.state, _reason(instruction))
    _notify(
        appeal, event, _department_people(appeal.department), _("Leader's instruction on appeal %(number)s")
    )
    return appeal


@transaction.atomic
def appeal_follow_up(*, appeal, acting_user, note: str) -> Appeal:
    """回访: the coordinating office records a follow-up call."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    _require(acting_user.role in COORDINATORS)
    _event(appeal, acting_user, "follow_up", appeal.state, _reason(note))
    return appeal


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.MERGED})


def may_attach(user, appeal) -> bool:
    """Who may add files: the enterprise (its users or whoever submitted for it), the department
    handling it, or the coordinating office. The page shows the upload form on the same test."""
    return (
        (user.role == Role.ENTERPRISE and user.enterprise_id == appeal.enterprise_id)
        or user.pk == appeal.submitted_by_id
        or _is_handler_of(user, appeal)
        or user.role in COORDINATORS
    )


@transaction.atomic
def appeal_attach(*, appeal, acting_user, upload):
    """Adds a file to an open appeal: the enterprise (its users or whoever submitted for it), the
    department handling it, or the coordinating office. The other side is notified."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("department").get(pk=appeal.pk)
    _require(may_attach(acting_user, appeal))
    from_enterprise = acting_user.role == Role.ENTERPRISE
    if appeal.state in FINAL_STATES:
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


def sweep(now=None) -> dict[str, int]:
    """Periodic: raise supervision orders (督办) for yellow and red appeals, notify the department head,
    and close replies left unrated for the rating period (counted as unrated, not satisfied)."""
    now = now or timezone.now()
    calendar = workdays.exceptions()
    counts = {"supervised": 0, "closed_unrated": 0}
    for appeal in Appeal.objects.filter(
        state__in=[State.DISPATCHED, State.ACCEPTED, State.ESCALATED], department__isnull=False
    ).select_related("department"):
        level = deadlines.warning(appeal, now, calendar)
        if level not in ("yellow", "red"):
            continue
        with transaction.atomic():
            supervision, created = Supervision.objects.get_or_create(
                appeal=appeal, department=appeal.department, level=level
            )
            if created:
                event = _event(appeal, None, "supervise", appeal.state, level=level)
                heads = (
                    [appeal.department.head]
                    if appeal.department.head_id
                    else _department_people(appeal.department)
                )
                _notify(appeal, event, heads, _("Supervision order (督办) on appeal %(number)s"))
                counts["supervised"] += 1
    period = settings.ZHUQI_RATING_PERIOD_DAYS
    for appeal in Appeal.objects.filter(state=State.REPLIED, replied_at__isnull=False):
        if workdays.working_days_between(appeal.replied_at, now, calendar) < period:
            continue
        with transaction.atomic():
            try:
                current = _locked(appeal, "close_unrated")
            except Conflict:
                continue
            current.state, current.closed_at, current.close_reason = State.CLOSED, now, CloseReason.UNRATED
            current.version += 1
            current.save()
            _event(current, None, "close_unrated", State.REPLIED)
            counts["closed_unrated"] += 1
    return counts


def get_department(code: str) -> Department:
    from zhuqi.directory.selectors import department_by_code

    return department_by_code(code)


# The actions a person can take, shared by the pages and the API: the service function and the
# arguments it takes besides the appeal and the actor. Instructions and follow-ups change no state,
# so they take no expected_version.
ACTIONS = {
    "dispatch": (appeal_dispatch, ("department", "comment")),
    "accept": (appeal_accept, ("comment",)),
    "return": (appeal_return, ("comment",)),
    "transfer": (appeal_transfer, ("department", "comment")),
    "progress": (appeal_progress, ("comment",)),
    "reply": (appeal_reply, ("reply",)),
    "rate": (appeal_rate, ("rating", "comment")),
    "escalate": (appeal_escalate, ("comment",)),
    "decide": (appeal_decide, ("owner", "decision")),
    "withdraw": (appeal_withdraw, ("comment",)),
    "merge": (appeal_merge, ("into",)),
    "instruct": (appeal_instruct, ("instruction",)),
    "follow-up": (appeal_follow_up, ("note",)),
}
STATELESS_ACTIONS = {"instruct", "follow-up"}


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
    if action not in ACTIONS:
        raise NotFound("unknown_action", Message(_("Unknown action: %(action)s."), {"action": action}))
    function, names = ACTIONS[action]
    text = comment or ""
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
    kwargs = {name: argument[name]() for name in names}
    if action not in STATELESS_ACTIONS:
        kwargs["expected_version"] = expected_version
    return function(appeal=appeal, acting_user=acting_user, **kwargs)


def _merge_target(user, number):
    from zhuqi.appeals.selectors import appeal_get

    return appeal_get(user, number)


def actions_for(user, appeal) -> list[str]:
    """The actions this user may try on this appeal now, for the page's buttons."""
    allowed = set(lifecycle.actions_from(appeal.state))
    role = user.role
    mine = {
        Role.HANDLER: {"accept", "return", "transfer", "progress", "reply"}
        if _is_handler_of(user, appeal)
        else set(),
        Role.ENTERPRISE: {"rate", "withdraw"} if user.enterprise_id == appeal.enterprise_id else set(),
        Role.COORDINATOR: {"dispatch", "transfer", "escalate", "decide", "merge"},
        Role.ADMIN: {"dispatch", "transfer", "escalate", "decide", "merge"},
    }.get(role, set())
    result = sorted(allowed & mine)
    if appeal.is_open and (role in COORDINATORS or role == Role.LEADER):
        result.append("instruct")
    if role in COORDINATORS:
        result.append("follow-up")
    return result
