"""Every change of a key project goes through one function here. Each one, in one transaction:
locks the project, checks the action's entry in lifecycle.ACTIONS (its states, then its
permission: the entry the page derives its buttons from), changes it, writes the audit event and
queues the notifications in the outbox."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, outbox, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Enterprise, Town
from zhuqi.projects import lifecycle
from zhuqi.projects.lifecycle import STAGES, Stage
from zhuqi.projects.models import Milestone, MonthFigure, Problem, Project

MAX_AMOUNT = Decimal("99999999999999.99")  # the columns' 16 digits, 2 after the point
NAME_MAX = Project._meta.get_field("name").max_length
DESCRIPTION_MAX = 5000
PROGRESS_MAX = 2000


def _today() -> date:
    return timezone.localdate()


def _amount(value, field: str) -> Decimal:
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


def _text(value: str, *, field: str, limit: int, required=False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ZhuqiError(f"{field}_missing", _("Fill in this field."), status=422, field=field)
    if len(value) > limit or "\x00" in value:
        raise ZhuqiError(
            "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=field
        )
    return value


def _people(project: Project) -> list[User]:
    """Who hears of a project's changes: its liaison leader and its department's head and members."""
    who = Q(pk=project.liaison_leader_id) if project.liaison_leader_id else Q(pk__in=[])
    if project.department_id:
        who |= Q(department_id=project.department_id)
        if project.department.head_id:
            who |= Q(pk=project.department.head_id)
    return list(User.objects.filter(who, is_active=True))


def _notify(project: Project, key: str, subject, body: str = "") -> None:
    outbox.enqueue(
        event_key=f"project-{project.pk}-{key}",
        recipients=_people(project),
        subject=str(Message(subject, {"number": project.number, "name": project.name[:40]})),
        body=body or project.name,
        link=f"/projects/{project.number}/",
    )


def _locked(project: Project, action: str, acting_user) -> Project:
    current = (
        Project.objects.select_for_update(of=("self",))
        .select_related("department", "enterprise", "town")
        .get(pk=project.pk)
    )
    lifecycle.ACTIONS[action].check(acting_user, current)
    return current


def _check_dates(planned: dict[str, date | None]) -> None:
    """Planned dates follow the stages: no stage planned before an earlier one."""
    last = None
    for stage in STAGES:
        when = planned.get(stage)
        if when is None:
            continue
        if last is not None and when < last[1]:
            raise ZhuqiError(
                "plan_out_of_order",
                Message(
                    _("%(later)s cannot be planned before %(earlier)s."),
                    {"later": Stage(stage).label, "earlier": Stage(last[0]).label},
                ),
                status=422,
                field="planned_dates",
            )
        last = (stage, when)


def _set_months(project: Project, months) -> int:
    """Upserts the planned amount of each (year, month, amount); returns how many were given."""
    count = 0
    for year, month, amount in months or ():
        if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
            raise ZhuqiError(
                "bad_month", _("A month is a year from 2000 to 2100 and a month 1–12."), status=422
            )
        MonthFigure.objects.update_or_create(
            project=project, year=int(year), month=int(month), defaults={"planned": _amount(amount, "months")}
        )
        count += 1
    return count


def _check_creator(acting_user, project: Project) -> None:
    lifecycle.CREATE.require(
        acting_user, project, _("You may not create a project for this town or department.")
    )


@transaction.atomic
def project_create(
    *,
    acting_user,
    name: str,
    town: Town,
    investment,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
    liaison_leader: User | None = None,
    liaison_unit: Department | None = None,
    description: str = "",
    planned_dates: dict[str, date | None] | None = None,
    months=None,
    conceived_on: date | None = None,
) -> Project:
    """A new project at 谋划 (conceived on `conceived_on`, today by default) with the planned date of
    each later stage and its planned monthly amounts."""
    project = Project(
        number="",
        name=_text(name, field="name", limit=NAME_MAX, required=True),
        town=town,
        investment=_amount(investment, "investment"),
        enterprise=enterprise,
        department=department,
        liaison_leader=liaison_leader,
        liaison_unit=liaison_unit,
        description=_text(description, field="description", limit=DESCRIPTION_MAX),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _check_creator(acting_user, project)
    if liaison_leader is not None and not permissions.has(liaison_leader, Capability.REPORT_PROJECTS):
        raise ZhuqiError(
            "not_a_leader", _("The liaison leader must be a leader."), status=422, field="liaison_leader"
        )
    planned = dict(planned_dates or {})
    _check_dates(planned)
    conceived_on = conceived_on or _today()
    if conceived_on > _today():
        raise ZhuqiError(
            "date_in_future", _("A date that has not come yet."), status=422, field="conceived_on"
        )
    project.number = f"tmp-{timezone.now():%H%M%S%f}"
    project.save()
    project.number = f"XM{conceived_on:%Y}{project.pk:05d}"
    project.save(update_fields=["number"])
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            stage=stage,
            planned_on=planned.get(stage) or (conceived_on if stage == Stage.CONCEIVED else None),
            actual_on=conceived_on if stage == Stage.CONCEIVED else None,
        )
        for stage in STAGES
    )
    _set_months(project, months)
    audit.record(
        actor=acting_user,
        verb="project_create",
        obj=project,
        data={"name": project.name, "amount": str(project.investment)},
    )
    _notify(project, "create", _("New key project %(number)s: %(name)s"))
    return project


@transaction.atomic
def project_plan(*, project: Project, acting_user, planned_dates=None, months=None) -> Project:
    """Sets the planned dates of stages not reached yet and the planned amounts of months."""
    project = _locked(project, "plan", acting_user)
    milestones = {m.stage: m for m in project.milestones.all()}
    current = {s: m.actual_on or m.planned_on for s, m in milestones.items()}
    changes = dict(planned_dates or {})
    for stage in changes:
        if stage not in STAGES:
            raise ZhuqiError(
                "bad_stage", Message(_("Unknown stage: %(stage)s."), {"stage": stage}), status=422
            )
        if milestones[stage].actual_on is not None:
            raise ZhuqiError(
                "stage_reached",
                Message(_("%(stage)s has been reached; its date is kept."), {"stage": Stage(stage).label}),
                status=422,
                field="planned_dates",
            )
    _check_dates(current | changes)
    for stage, when in changes.items():
        milestones[stage].planned_on = when
        milestones[stage].save(update_fields=["planned_on"])
    count = _set_months(project, months)
    audit.record(
        actor=acting_user,
        verb="project_plan",
        obj=project,
        data={"planned": {s: (d.isoformat() if d else None) for s, d in changes.items()}, "months": count},
    )
    return project


@transaction.atomic
def project_advance(*, project: Project, acting_user, on: date | None = None, comment: str = "") -> Project:
    """The project reaches its next stage on `on` (today by default)."""
    project = _locked(project, "advance", acting_user)
    on = on or _today()
    target = lifecycle.next_stage(project.stage)
    milestones = {m.stage: m for m in project.milestones.all()}
    reached = milestones[project.stage].actual_on
    if on > _today():
        raise ZhuqiError("date_in_future", _("A date that has not come yet."), status=422, field="on")
    if reached and on < reached:
        raise ZhuqiError(
            "date_before_stage",
            Message(
                _("A stage cannot be reached before the one before it (%(stage)s)."),
                {"stage": Stage(project.stage).label},
            ),
            status=422,
            field="on",
        )
    milestones[target].actual_on = on
    milestones[target].save(update_fields=["actual_on"])
    previous = project.stage
    project.stage = target
    project.save(update_fields=["stage", "updated_at"])
    audit.record(
        actor=acting_user,
        verb="project_advance",
        obj=project,
        data={
            "from": previous,
            "stage": target,
            "on": on.isoformat(),
            "comment": _text(comment, field="comment", limit=500),
        },
    )
    _notify(
        project,
        f"stage-{target}",
        _("Key project %(number)s reached a new stage: %(name)s"),
        str(Stage(target).label),
    )
    return project


@transaction.atomic
def project_report(
    *, project: Project, acting_user, year: int, month: int, actual, progress: str = ""
) -> MonthFigure:
    """The monthly progress report: the investment made in the month and what was done. Reporting a
    month again replaces its report (the audit trail keeps both)."""
    project = _locked(project, "report", acting_user)
    today = _today()
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        raise ZhuqiError("bad_month", _("A month is a year from 2000 to 2100 and a month 1–12."), status=422)
    if (int(year), int(month)) > (today.year, today.month):
        raise ZhuqiError("month_in_future", _("A month that has not come yet."), status=422, field="month")
    figure, _created = MonthFigure.objects.get_or_create(project=project, year=int(year), month=int(month))
    figure.actual = _amount(actual, "actual")
    figure.progress = _text(progress, field="progress", limit=PROGRESS_MAX)
    figure.reported_by = acting_user if getattr(acting_user, "pk", None) else None
    figure.reported_at = timezone.now()
    figure.save()
    audit.record(
        actor=acting_user,
        verb="project_report",
        obj=project,
        data={"month": f"{figure.year}-{figure.month:02d}", "amount": str(figure.actual)},
    )
    return figure


@transaction.atomic
def project_raise_problem(
    *, project: Project, acting_user, title: str, description: str, category, urgency: str = "ordinary"
) -> Problem:
    """A problem on a project becomes an appeal of its enterprise, submitted through the appeals
    service (so it is routed, timed and notified like any other: online by the enterprise itself,
    recorded as found on a visit by staff), linked to the project both ways (Problem)."""
    from zhuqi.appeals.models import Channel
    from zhuqi.appeals.services import appeal_submit

    project = _locked(project, "problem", acting_user)
    title = _text(title, field="title", limit=200, required=True)
    description = _text(description, field="description", limit=4800, required=True)
    channel = Channel.WEB if permissions.has(acting_user, Capability.SUBMIT_OWN_APPEAL) else Channel.VISIT
    prefix = str(
        Message(_("[Key project %(number)s %(name)s] "), {"number": project.number, "name": project.name})
    )
    submission = appeal_submit(
        enterprise=project.enterprise,
        title=title,
        description=prefix + description,
        category=category,
        acting_user=acting_user,
        urgency=urgency,
        channel=channel,
    )
    problem = Problem.objects.create(project=project, appeal=submission.appeal, raised_by=acting_user)
    audit.record(
        actor=acting_user,
        verb="project_problem",
        obj=project,
        data={"appeal": submission.appeal.number, "title": title},
    )
    _notify(
        project, f"problem-{problem.pk}", _("A problem was raised on key project %(number)s: %(name)s"), title
    )
    return problem


@transaction.atomic
def project_stop(*, project: Project, acting_user, reason: str, on: date | None = None) -> Project:
    project = _locked(project, "stop", acting_user)
    project.stop_reason = _text(reason, field="reason", limit=500, required=True)
    project.stopped_on = on or _today()
    project.save(update_fields=["stop_reason", "stopped_on", "updated_at"])
    audit.record(actor=acting_user, verb="project_stop", obj=project, data={"reason": project.stop_reason})
    _notify(
        project,
        f"stop-{project.stopped_on:%Y%m%d}",
        _("Key project %(number)s was stopped: %(name)s"),
        project.stop_reason,
    )
    return project


@transaction.atomic
def project_resume(*, project: Project, acting_user, comment: str = "") -> Project:
    project = _locked(project, "resume", acting_user)
    project.stopped_on = None
    project.stop_reason = ""
    project.save(update_fields=["stop_reason", "stopped_on", "updated_at"])
    audit.record(
        actor=acting_user,
        verb="project_resume",
        obj=project,
        data={"comment": _text(comment, field="comment", limit=500)},
    )
    return project


EDITABLE = ("name", "investment", "enterprise", "department", "liaison_leader", "liaison_unit", "description")


@transaction.atomic
def project_edit(*, project: Project, acting_user, **changes) -> Project:
    """Edits the project's particulars; a department or town may not move it out of its own reach."""
    project = _locked(project, "edit", acting_user)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ZhuqiError(
            "bad_field", Message(_("Unknown field: %(field)s."), {"field": sorted(unknown)[0]}), status=422
        )
    if "name" in changes:
        changes["name"] = _text(changes["name"], field="name", limit=NAME_MAX, required=True)
    if "investment" in changes:
        changes["investment"] = _amount(changes["investment"], "investment")
    if "description" in changes:
        changes["description"] = _text(changes["description"], field="description", limit=DESCRIPTION_MAX)
    leader = changes.get("liaison_leader")
    if leader is not None and not permissions.has(leader, Capability.REPORT_PROJECTS):
        raise ZhuqiError(
            "not_a_leader", _("The liaison leader must be a leader."), status=422, field="liaison_leader"
        )
    for field, value in changes.items():
        setattr(project, field, value)
    _check_creator(acting_user, project)
    project.save()
    audit.record(
        actor=acting_user,
        verb="project_edit",
        obj=project,
        data={k: (str(v) if v is not None else None) for k, v in changes.items()},
    )
    return project
