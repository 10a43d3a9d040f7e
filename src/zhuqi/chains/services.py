"""Every change of a chain, an event or a quota goes through one function here: it checks the
permission (chains/lifecycle.py), validates, changes, writes the audit event and queues the
notifications, in one transaction."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.chains import lifecycle
from zhuqi.chains.models import (
    Candidate,
    Chain,
    Event,
    EventKind,
    Gap,
    Member,
    Outcome,
    Partner,
    Position,
    Quota,
)
from zhuqi.chains.quotas import SEED_002
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability

MAX_AMOUNT = Decimal("99999999999999.99")
MAX_PEOPLE = 1_000_000
RESERVED_CODES = {"events", "quotas"}  # the chain pages' own paths (chains/urls.py)


def _today() -> date:
    return timezone.localdate()


def _text(value, *, field: str, limit: int, required=False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError(f"{field}_missing", _("Fill in this field."), status=422, field=field)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=field
        )
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ZhuqiError(
            f"bad_{field}", Message(_("Unknown value: %(value)s."), {"value": value}), status=422, field=field
        )
    return value


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        raise ZhuqiError(
            "bad_amount",
            _("An amount is a number of yuan from 0 to 99,999,999,999,999.99."),
            status=422,
            field=field,
        )
    return number.quantize(Decimal("0.01"))


# --- Chains ---------------------------------------------------------------------------------------


@transaction.atomic
def chain_create(
    *,
    acting_user,
    code: str,
    name: str,
    leader=None,
    lead_enterprise=None,
    lead_department=None,
    plan="",
    source="",
) -> Chain:
    lifecycle.CHAIN_MANAGER.require(acting_user)
    code = _text(code, field="code", limit=40, required=True)
    if code in RESERVED_CODES or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise ZhuqiError(
            "bad_code", _("A chain's code is letters, digits and hyphens."), status=422, field="code"
        )
    if Chain.objects.filter(code=code).exists() or Chain.objects.filter(name=(name or "").strip()).exists():
        raise ZhuqiError(
            "chain_exists", _("A chain with this code or name exists."), status=409, field="code"
        )
    if leader is not None and not permissions.has(leader, Capability.EDIT_OWN_CHAINS):
        raise ZhuqiError("not_a_leader", _("The chain chief must be a leader."), status=422, field="leader")
    chain = Chain.objects.create(
        code=code,
        name=_text(name, field="name", limit=100, required=True),
        leader=leader,
        lead_enterprise=lead_enterprise,
        lead_department=lead_department,
        plan=_text(plan, field="plan", limit=5000),
        source=_text(source, field="source", limit=200),
    )
    audit.record(actor=acting_user, verb="chain_create", obj=chain, data={"name": chain.name})
    if leader is not None:
        outbox.enqueue(
            event_key=f"chain-{chain.pk}-leader-{leader.pk}",
            recipients=[leader],
            subject=str(Message(_("You are the chain chief (链长) of %(name)s"), {"name": chain.name})),
            body=chain.name,
            link=f"/chains/{chain.code}/",
        )
    return chain


@transaction.atomic
def chain_update(*, chain: Chain, acting_user, **changes) -> Chain:
    """The 四个一 (leader, lead enterprise, lead department) by the coordinating office; the plan also
    by the chain's own 链长 and 专班."""
    structural = {"leader", "lead_enterprise", "lead_department", "name"} & set(changes)
    (lifecycle.CHAIN_MANAGER if structural else lifecycle.CHAIN_EDITOR).require(acting_user, chain)
    unknown = set(changes) - {"leader", "lead_enterprise", "lead_department", "name", "plan", "source"}
    if unknown:
        raise ZhuqiError(
            "bad_field", Message(_("Unknown field: %(field)s."), {"field": sorted(unknown)[0]}), status=422
        )
    if "plan" in changes:
        changes["plan"] = _text(changes["plan"], field="plan", limit=5000)
    if "name" in changes:
        changes["name"] = _text(changes["name"], field="name", limit=100, required=True)
    for key, value in changes.items():
        setattr(chain, key, value)
    chain.save()
    audit.record(
        actor=acting_user, verb="chain_update", obj=chain, data={k: str(v) for k, v in changes.items()}
    )
    return chain


PLAN_FILES = "chain_plan"  # the attachments' object type of a chain's plan (链长制工作方案)


@transaction.atomic
def chain_plan_attach(*, chain: Chain, acting_user, upload):
    """A file of the chain's plan (链长制工作方案), by whoever may edit the plan: its type judged by its
    content and its size and the number of files per chain bounded as every attachment
    (core/attachments.py); the same file twice is kept once."""
    lifecycle.CHAIN_EDITOR.require(acting_user, chain)
    if upload is None:
        raise ZhuqiError("file_missing", _("Choose a file."), status=422, field="file")
    attachment, created = stored_files.store(
        upload, object_type=PLAN_FILES, object_id=chain.pk, acting_user=acting_user
    )
    if created:
        audit.record(
            actor=acting_user, verb="chain_plan_attach", obj=chain, data={"file": attachment.filename}
        )
    return attachment


def plan_files(chain: Chain) -> list:
    return stored_files.for_object(PLAN_FILES, chain.pk)


@transaction.atomic
def chain_member_set(*, chain: Chain, acting_user, enterprise, position: str, product: str = "") -> Member:
    lifecycle.CHAIN_EDITOR.require(acting_user, chain)
    member, created = Member.objects.update_or_create(
        chain=chain,
        enterprise=enterprise,
        defaults={
            "position": _choice(position, Position, "position"),
            "product": _text(product, field="product", limit=200),
        },
    )
    audit.record(
        actor=acting_user,
        verb="chain_member_set",
        obj=chain,
        data={"enterprise": enterprise.name, "position": position, "product": member.product},
    )
    return member


@transaction.atomic
def chain_member_remove(*, chain: Chain, acting_user, enterprise) -> None:
    lifecycle.CHAIN_EDITOR.require(acting_user, chain)
    Member.objects.filter(chain=chain, enterprise=enterprise).delete()
    audit.record(
        actor=acting_user, verb="chain_member_remove", obj=chain, data={"enterprise": enterprise.name}
    )


@transaction.atomic
def chain_gap_add(*, chain: Chain, acting_user, kind: str, position: str, title: str, note: str = "") -> Gap:
    lifecycle.CHAIN_EDITOR.require(acting_user, chain)
    gap = Gap.objects.create(
        chain=chain,
        kind=_choice(kind, Gap.Kind, "kind"),
        position=_choice(position, Position, "position"),
        title=_text(title, field="title", limit=200, required=True),
        note=_text(note, field="note", limit=2000),
    )
    audit.record(actor=acting_user, verb="chain_gap_add", obj=chain, data={"title": gap.title})
    return gap


@transaction.atomic
def chain_gap_fill(*, gap: Gap, acting_user, enterprise, on: date | None = None) -> Gap:
    """The weak link is filled by an enterprise (which joins the chain at the link's position)."""
    lifecycle.CHAIN_EDITOR.require(acting_user, gap.chain)
    gap.filled_by = enterprise
    gap.filled_on = on or _today()
    gap.save(update_fields=["filled_by", "filled_on"])
    Member.objects.get_or_create(
        chain=gap.chain, enterprise=enterprise, defaults={"position": gap.position, "product": gap.title}
    )
    gap.candidates.filter(enterprise=enterprise).update(status=Candidate.Status.SIGNED)
    audit.record(
        actor=acting_user,
        verb="chain_gap_fill",
        obj=gap.chain,
        data={"title": gap.title, "enterprise": enterprise.name},
    )
    return gap


@transaction.atomic
def chain_candidate_add(
    *, gap: Gap, acting_user, name: str = "", enterprise=None, status: str = "identified", note: str = ""
) -> Candidate:
    lifecycle.CHAIN_EDITOR.require(acting_user, gap.chain)
    name = (name or (enterprise.name if enterprise else "")).strip()
    candidate = Candidate.objects.create(
        gap=gap,
        name=_text(name, field="name", limit=200, required=True),
        enterprise=enterprise,
        status=_choice(status, Candidate.Status, "status"),
        note=_text(note, field="note", limit=500),
    )
    audit.record(
        actor=acting_user,
        verb="chain_candidate_add",
        obj=gap.chain,
        data={"title": gap.title, "enterprise": name},
    )
    return candidate


@transaction.atomic
def chain_task_add(
    *, chain: Chain, acting_user, title: str, owner, due_on: date, owner_user=None, description: str = ""
):
    """A key task of the chain's plan, as a tracked task of engagement (source: the chain), owned by a
    department (and a person) and closed out (销号) there by its owner. The 链长 and 专班 may add one
    to their chain; the task is made in the chain's name (acting_user None to engagement) when the
    editor may not assign tasks in general (a 专班 department)."""
    from zhuqi.engagement.models import Task
    from zhuqi.engagement.tasks import create_task

    lifecycle.CHAIN_EDITOR.require(acting_user, chain)
    may_assign = permissions.has(acting_user, Capability.ASSIGN_TASKS) or permissions.has(
        acting_user, Capability.COORDINATE_ENGAGEMENT
    )
    task = create_task(
        title=title,
        due_on=due_on,
        acting_user=acting_user if may_assign else None,
        owner_department=owner,
        owner_user=owner_user,
        description=description,
        enterprise=chain.lead_enterprise,
        source=Task.Source.CHAIN,
        source_object=chain,
    )
    audit.record(actor=acting_user, verb="chain_task_add", obj=chain, data={"title": task.title})
    return task


def chain_tasks(chain: Chain):
    """The chain's key tasks (tracked tasks whose source is the chain), open ones first."""
    from django.contrib.contenttypes.models import ContentType

    from zhuqi.engagement.models import Task

    return (
        Task.objects.filter(source_type=ContentType.objects.get_for_model(Chain), source_id=chain.pk)
        .select_related("owner_department", "owner_user")
        .order_by("closed_at", "due_on", "id")
    )


# --- Events ---------------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    acting_user,
    kind: str,
    title: str,
    held_on: date,
    organiser_department=None,
    organiser_town=None,
    place: str = "",
    chain=None,
    enterprises=(),
    partners=(),
    note: str = "",
    held: bool = False,
) -> Event:
    """A matchmaking event, planned, or recorded as held (`held`, on a day that has come). An event of
    a town-level department is its town's as well."""
    if organiser_department is None and organiser_town is None:
        raise ZhuqiError(
            "organiser_missing", _("Choose the organising department or town."), status=422, field="organiser"
        )
    if organiser_department is not None and organiser_department.town_id and organiser_town is None:
        organiser_town = organiser_department.town
    event = Event(
        number="",
        kind=_choice(kind, EventKind, "kind"),
        title=_text(title, field="title", limit=200, required=True),
        organiser_department=organiser_department,
        organiser_town=organiser_town,
        held_on=held_on,
        place=_text(place, field="place", limit=200),
        chain=chain,
        note=_text(note, field="note", limit=5000),
        state=Event.State.HELD if held else Event.State.PLANNED,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    lifecycle.EVENT_ORGANISER.require(acting_user, event, _("You may not record events of this organiser."))
    if held and held_on > _today():
        raise ZhuqiError("date_in_future", _("A date that has not come yet."), status=422, field="held_on")
    event.number = f"tmp-{timezone.now():%H%M%S%f}"
    event.save()
    event.number = f"DJ{held_on:%Y}{event.pk:05d}"
    event.save(update_fields=["number"])
    if enterprises:
        event.enterprises.set(list(enterprises))
    Partner.objects.bulk_create(
        Partner(
            event=event,
            kind=_choice(k, Partner.Kind, "partner_kind"),
            name=_text(n, field="partner", limit=200, required=True),
        )
        for k, n in partners
    )
    audit.record(
        actor=acting_user,
        verb="event_create",
        obj=event,
        data={"title": event.title, "on": held_on.isoformat(), "enterprises": len(enterprises)},
    )
    return event


def _locked_event(event: Event, action: str, acting_user) -> Event:
    current = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    lifecycle.EVENT_ACTIONS[action].check(acting_user, current)
    return current


@transaction.atomic
def event_hold(*, event: Event, acting_user, held_on: date | None = None, enterprises=None) -> Event:
    event = _locked_event(event, "hold", acting_user)
    held_on = held_on or event.held_on
    if held_on > _today():
        raise ZhuqiError("date_in_future", _("A date that has not come yet."), status=422, field="held_on")
    event.held_on = held_on
    event.state = Event.State.HELD
    event.save(update_fields=["held_on", "state"])
    if enterprises is not None:
        event.enterprises.set(list(enterprises))
    audit.record(actor=acting_user, verb="event_hold", obj=event, data={"on": held_on.isoformat()})
    return event


@transaction.atomic
def event_cancel(*, event: Event, acting_user, reason: str) -> Event:
    event = _locked_event(event, "cancel", acting_user)
    event.state = Event.State.CANCELLED
    event.note = (event.note + "\n" + _text(reason, field="reason", limit=500, required=True)).strip()
    event.save(update_fields=["state", "note"])
    audit.record(actor=acting_user, verb="event_cancel", obj=event, data={"reason": reason})
    return event


@transaction.atomic
def event_add_outcome(
    *,
    event: Event,
    acting_user,
    kind: str,
    enterprise=None,
    partner: str = "",
    value=None,
    people: int | None = None,
    follow_up_on: date | None = None,
) -> Outcome:
    """An agreement signed (value), a loan granted (amount) or people hired, with the day to follow
    it up."""
    event = _locked_event(event, "outcome", acting_user)
    kind = _choice(kind, Outcome.Kind, "kind")
    if people is not None and not (0 <= int(people) <= MAX_PEOPLE):
        raise ZhuqiError(
            "bad_people", _("People is a whole number from 0 to 1,000,000."), status=422, field="people"
        )
    if kind == Outcome.Kind.HIRE and not people:
        raise ZhuqiError("people_missing", _("Say how many people were hired."), status=422, field="people")
    if kind != Outcome.Kind.HIRE and value in (None, ""):
        raise ZhuqiError(
            "value_missing", _("Give the value of the agreement or loan."), status=422, field="value"
        )
    outcome = Outcome.objects.create(
        event=event,
        kind=kind,
        enterprise=enterprise,
        partner=_text(partner, field="partner", limit=200),
        value=_amount(value, "value"),
        people=people,
        follow_up_on=follow_up_on,
    )
    audit.record(
        actor=acting_user,
        verb="event_outcome_add",
        obj=event,
        data={"amount": str(outcome.value) if outcome.value is not None else None, "people": people},
    )
    return outcome


@transaction.atomic
def outcome_follow_up(*, outcome: Outcome, acting_user, note: str, on: date | None = None) -> Outcome:
    _locked_event(outcome.event, "follow_up", acting_user)
    outcome.followed_up_on = on or _today()
    outcome.follow_up_note = _text(note, field="note", limit=500, required=True)
    outcome.save(update_fields=["followed_up_on", "follow_up_note"])
    audit.record(
        actor=acting_user, verb="event_follow_up", obj=outcome.event, data={"comment": outcome.follow_up_note}
    )
    return outcome


# --- Quotas ---------------------------------------------------------------------------------------


@transaction.atomic
def quota_set(
    *,
    acting_user,
    year: int,
    kind: str,
    scope: str,
    minimum: int,
    department=None,
    counts=None,
    source: str = "",
) -> Quota:
    permissions.require(acting_user, Capability.MANAGE_EVENTS)
    if not (2000 <= int(year) <= 2100) or not (0 <= int(minimum) <= 10_000):
        raise ZhuqiError(
            "bad_quota", _("A quota is a year from 2000 to 2100 and 0 to 10,000 events."), status=422
        )
    scope = _choice(scope, Quota.Scope, "scope")
    if scope == Quota.Scope.DEPARTMENT and department is None:
        raise ZhuqiError("department_missing", _("Choose a department."), status=422, field="department")
    counts = list(counts or [kind])
    for k in [kind, *counts]:
        _choice(k, EventKind, "kind")
    quota, _created = Quota.objects.update_or_create(
        year=int(year),
        kind=kind,
        scope=scope,
        department=department if scope == Quota.Scope.DEPARTMENT else None,
        defaults={
            "minimum": int(minimum),
            "counts": counts,
            "source": _text(source, field="source", limit=200),
        },
    )
    audit.record(
        actor=acting_user,
        verb="event_quota_set",
        obj=quota,
        data={"year": quota.year, "minimum": quota.minimum},
    )
    return quota


def quotas_install(*, acting_user, year: int, industry_department) -> list[Quota]:
    """Seed 002's quotas for a year (chains/quotas.py, with the paragraphs and readings), the
    industry department's share given to `industry_department`."""
    return [
        quota_set(
            acting_user=acting_user,
            year=year,
            kind=kind,
            scope=scope,
            minimum=minimum,
            department=industry_department if department else None,
            counts=counts,
            source=source,
        )
        for kind, scope, department, minimum, counts, source in SEED_002
    ]
