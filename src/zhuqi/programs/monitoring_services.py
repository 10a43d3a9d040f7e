"""The growth reports of pilots (成长监测, seed 000 四(四)) and their registration (四(五)3), as
services: one transaction each, checked, audited, side effects through the outbox.

Readings (README, "Growth monitoring and the annual evaluation"):
- 「每半年」: two tasks a year. The first-half task (the half-year's figures) is issued on 1 July and
  due on 31 July; the second (the whole year's figures, what the annual evaluation reads early the
  next year) on 1 January and due on 31 January. The office may issue them on other dates.
- Figures reported go into the directory as 企业自报 (unverified), beside the bureaus' values, and each
  is compared with the 税务局 and 统计局 values of the same period: a difference beyond
  `CROSS_CHECK_TOLERANCE` (5 %, the selection's default) is flagged on the report with both values.
- Reminders go once: a report due within `REMIND_DAYS` days, a pilot not registered a month after
  it was published (to the responsible department's people and the town's officers, who help it
  register: 四(五)4; the enterprise has no account yet). Overdue reports are the warning kind
  `report_overdue` (a provider for the warnings centre).
"""

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, findings, outbox, permissions
from zhuqi.core.errors import Conflict, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory import indicators
from zhuqi.directory.models import IndicatorValue, PeriodType, Source
from zhuqi.directory.services import IndicatorRecord, indicator_values_upsert
from zhuqi.programs.evaluation_models import ReportingTask
from zhuqi.programs.models import Pilot, Programme

REMIND_DAYS = 7
CROSS_CHECK_TOLERANCE = Decimal("0.05")
# What a report asks for (基础数据、财务信息): directory indicators, plus total assets kept on the
# report itself (the directory has no assets indicator).
REPORTED = (
    "main_revenue",
    "revenue",
    "tax_paid",
    "total_profit",
    "exports",
    "added_value",
    "staff",
    "land_area",
)
ASSETS = "total_assets"
CHECKED = ("main_revenue", "revenue", "tax_paid")  # the figures the bureaus also hold


def default_half(today: date) -> tuple[int, int]:
    """The task due now: from July the first half of this year, before July the whole of last year."""
    return (today.year, 1) if today.month >= 7 else (today.year - 1, 2)


def due_of(year: int, half: int) -> tuple[date, date]:
    """(issued on, due on): 1–31 July for the first half, 1–31 January of the next year for the year."""
    return (
        (date(year, 7, 1), date(year, 7, 31)) if half == 1 else (date(year + 1, 1, 1), date(year + 1, 1, 31))
    )


@transaction.atomic
def tasks_issue(
    *,
    programme: Programme,
    year: int | None = None,
    half: int | None = None,
    acting_user,
    due_on: date | None = None,
) -> int:
    """Issues the half-year's reporting task to every current pilot of the programme (once: a pilot
    that has the task keeps it). Each pilot's users are told."""
    if acting_user is not None:
        permissions.require(acting_user, Capability.MANAGE_GROWTH_REPORTS)
    if year is None or half is None:
        year, half = default_half(timezone.localdate())
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise ZhuqiError("bad_period", _("Choose a year and a half."), status=422, field="half")
    issued_on, default_due = due_of(year, half)
    issued_on = min(issued_on, timezone.localdate())
    due_on = due_on or default_due
    has_task = ReportingTask.objects.filter(pilot=OuterRef("pk"), year=year, half=half)
    pilots = list(
        Pilot.objects.filter(programme=programme, state__in=Pilot.CURRENT_STATES)
        .annotate(has=Exists(has_task))
        .filter(has=False)
    )
    tasks = ReportingTask.objects.bulk_create(
        [ReportingTask(pilot=p, year=year, half=half, issued_on=issued_on, due_on=due_on) for p in pilots],
        batch_size=1000,
    )
    if not tasks:
        return 0
    users: dict[int, list] = {}
    for user in User.objects.filter(enterprise_id__in={p.enterprise_id for p in pilots}, is_active=True):
        users.setdefault(user.enterprise_id, []).append(user)
    subject = str(
        Message(
            _("Growth report of %(period)s due by %(due)s"),
            {"period": period_label(year, half), "due": f"{due_on.year}年{due_on.month}月{due_on.day}日"},
        )
    )
    outbox.enqueue_many(
        [
            outbox.Pending(
                event_key=f"reporting-task-{t.pk}-issued",
                recipients=users.get(t.pilot.enterprise_id, []),
                subject=subject,
                body=subject,
                link=f"/pilots/reports/{t.pk}/",
            )
            for t in tasks
        ]
    )
    audit.record(
        actor=acting_user,
        verb="reporting_tasks_issue",
        obj=programme,
        data={"year": year, "tasks": len(tasks), "date": due_on.isoformat()},
    )
    return len(tasks)


def period_label(year: int, half: int) -> str:
    return str(
        Message(_("the first half of %(year)d"), {"year": year})
        if half == 1
        else Message(_("the year %(year)d"), {"year": year})
    )


def _figures(raw: dict) -> dict[str, Decimal]:
    known = set(REPORTED) | {ASSETS}
    figures = {}
    for key, value in (raw or {}).items():
        if key not in known:
            raise ZhuqiError(
                "unknown_indicator", Message(_("Unknown indicator: %(name)s."), {"name": key}), status=422
            )
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            number = None
        indicator = indicators.BY_KEY.get(key, indicators.BY_KEY["revenue"])
        if number is None or not number.is_finite() or (problem := indicator.problem(number)):
            raise ZhuqiError(
                "bad_figure",
                problem if number is not None and number.is_finite() else _("Enter a number."),
                status=422,
                field=key,
            )
        if number != number.quantize(Decimal("0.01")):
            raise ZhuqiError("bad_figure", _("At most two decimal places."), status=422, field=key)
        figures[key] = number
    if "main_revenue" not in figures or "tax_paid" not in figures:
        raise ZhuqiError(
            "figures_missing",
            _("Main-business revenue and tax paid are required."),
            status=422,
            field="main_revenue",
        )
    return figures


def cross_check(enterprise_id: int, year: int, half: int, figures: dict[str, Decimal]) -> list[dict]:
    """Each reported figure against the 税务局 and 统计局 values of the same period: those further
    than the tolerance (of the bureau's value) are returned with both values (二(四)3's check, applied
    to the half-yearly reports)."""
    period_type, period_no = (PeriodType.HALF, 1) if half == 1 else (PeriodType.YEAR, 1)
    found = IndicatorValue.objects.filter(
        enterprise_id=enterprise_id,
        period_type=period_type,
        year=year,
        period_no=period_no,
        indicator__in=[k for k in CHECKED if k in figures],
        source__in=[Source.TAX, Source.STATS],
    ).values_list("indicator", "source", "value")
    flags = []
    for indicator, source, value in found:
        declared = figures[indicator]
        difference = abs(declared - value)
        if (value and difference / value > CROSS_CHECK_TOLERANCE) or (not value and difference):
            flags.append(
                {
                    "indicator": indicator,
                    "source": source,
                    "declared": str(declared),
                    "found": str(value),
                    "difference_percent": str((difference / value * 100).quantize(Decimal("0.01")))
                    if value
                    else "",
                }
            )
    return sorted(flags, key=lambda f: (f["indicator"], f["source"]))


SUBMIT = permissions.own_enterprise(Capability.REPORT_GROWTH, lambda task: task.pilot.enterprise_id)
CANCEL = permissions.anyone_with(Capability.MANAGE_GROWTH_REPORTS)


@transaction.atomic
def task_submit(*, task: ReportingTask, figures: dict, operating_status: str, acting_user) -> ReportingTask:
    """The pilot reports: its figures go into the directory as 企业自报 (unverified) for the period
    (the half-year, or the year), are cross-checked, and the task is done. A task may be reported
    again while open or after (a correction replaces the figures)."""
    task = ReportingTask.objects.select_for_update().select_related("pilot__enterprise").get(pk=task.pk)
    SUBMIT.require(acting_user, task)
    if task.state == ReportingTask.State.CANCELLED:
        raise Conflict("task_cancelled", _("This reporting task was cancelled."))
    values = _figures(figures)
    status = (operating_status or "").strip()
    if len(status) > 2000:
        raise ZhuqiError(
            "too_long",
            Message(_("At most %(n)d characters."), {"n": 2000}),
            status=422,
            field="operating_status",
        )
    period_type = PeriodType.HALF if task.half == 1 else PeriodType.YEAR
    indicator_values_upsert(
        records=[
            IndicatorRecord(task.pilot.enterprise_id, key, period_type, task.year, 1, value, Source.SELF)
            for key, value in values.items()
            if key != ASSETS
        ],
        acting_user=None,  # the platform writes the pilot's own report, as 企业自报 and unverified
        batch_id=f"report-{task.pk}",
    )
    task.figures = {k: str(v) for k, v in values.items()}
    task.operating_status = status
    task.flags = cross_check(task.pilot.enterprise_id, task.year, task.half, values)
    task.state, task.submitted_at, task.submitted_by = (
        ReportingTask.State.SUBMITTED,
        timezone.now(),
        acting_user,
    )
    task.save()
    audit.record(
        actor=acting_user,
        verb="reporting_task_submit",
        obj=task,
        data={"year": task.year, "flags": len(task.flags)},
    )
    return task


@transaction.atomic
def task_cancel(*, task: ReportingTask, note: str, acting_user) -> ReportingTask:
    task = ReportingTask.objects.select_for_update().get(pk=task.pk)
    CANCEL.require(acting_user, task)
    if task.state != ReportingTask.State.OPEN:
        raise Conflict("invalid_transition", _("Only a task waiting for its report can be cancelled."))
    if not (note or "").strip():
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="note")
    task.state = ReportingTask.State.CANCELLED
    task.save(update_fields=["state"])
    audit.record(actor=acting_user, verb="reporting_task_cancel", obj=task, data={"note": note.strip()[:300]})
    return task


def overdue(today: date):
    return ReportingTask.objects.filter(state=ReportingTask.State.OPEN, due_on__lt=today)


# ---------------------------------------------------------------------------------------------
# Registration (四(五)3: 「试点企业自名单通报之日起1个月内,完成…平台的登陆注册工作」)


def registration_due(pilot: Pilot) -> date:
    """One month after the pilot was published (the same day of the next month, or its last day)."""
    since = pilot.since
    year, month = (since.year + 1, 1) if since.month == 12 else (since.year, since.month + 1)
    return date(year, month, min(since.day, monthrange(year, month)[1]))


def registered_q() -> Exists:
    """A pilot is registered when its enterprise has an active user who has signed in."""
    return Exists(
        User.objects.filter(enterprise_id=OuterRef("enterprise_id"), is_active=True, last_login__isnull=False)
    )


def unregistered(pilots):
    return (
        pilots.filter(state__in=Pilot.CURRENT_STATES)
        .annotate(registered=registered_q())
        .filter(registered=False)
    )


def remind(*, today: date) -> dict[str, int]:
    """Once per task and per pilot: reports due within REMIND_DAYS, and pilots still unregistered a
    month after publication (their responsible department and town are told; the enterprise has
    no account yet)."""
    done = {"reports": 0, "registration": 0}
    with transaction.atomic():
        due = list(
            ReportingTask.objects.select_for_update()
            .filter(
                state=ReportingTask.State.OPEN,
                reminded_on__isnull=True,
                due_on__lte=today + timedelta(days=REMIND_DAYS),
            )
            .select_related("pilot")
        )
        users: dict[int, list] = {}
        for user in User.objects.filter(
            enterprise_id__in={t.pilot.enterprise_id for t in due}, is_active=True
        ):
            users.setdefault(user.enterprise_id, []).append(user)
        pending = []
        for task in due:
            subject = str(
                Message(
                    _("Reminder: growth report of %(period)s due by %(due)s"),
                    {
                        "period": period_label(task.year, task.half),
                        "due": f"{task.due_on.year}年{task.due_on.month}月{task.due_on.day}日",
                    },
                )
            )
            pending.append(
                outbox.Pending(
                    f"reporting-task-{task.pk}-remind",
                    users.get(task.pilot.enterprise_id, []),
                    subject,
                    subject,
                    f"/pilots/reports/{task.pk}/",
                )
            )
            task.reminded_on = today
        ReportingTask.objects.bulk_update(due, ["reminded_on"])
        pilots = [
            p
            for p in unregistered(Pilot.objects.select_related("department", "enterprise"))
            if registration_due(p) <= today
        ]
        for pilot in pilots:
            people = list(
                User.objects.filter(
                    Q(department=pilot.department)
                    | Q(pk=pilot.department.head_id)
                    | Q(town_id=pilot.enterprise.town_id),
                    is_active=True,
                )
            )
            subject = str(
                Message(
                    _("Pilot %(name)s has not registered on the platform"), {"name": pilot.enterprise.name}
                )
            )
            pending.append(
                outbox.Pending(
                    f"pilot-{pilot.pk}-registration", people, subject, subject, "/pilots/registration/"
                )
            )
        outbox.enqueue_many(pending)  # repeated keys add nothing: each reminder goes once
        done["reports"], done["registration"] = len(due), len(pilots)
    return done


# ---------------------------------------------------------------------------------------------
# The warning kind report_overdue (raised by the warnings centre)


def overdue_findings(today: date):
    """A report past its due date: yellow, red after a month."""
    for task in overdue(today).select_related("pilot__enterprise", "pilot__department"):
        late = (today - task.due_on).days
        yield findings.Finding(
            kind="report_overdue",
            subject_type="programs.reportingtask",
            subject_id=task.pk,
            period=f"{task.year}H{task.half}",
            level="red" if late > 30 else "yellow",
            text=str(
                Message(
                    _("%(name)s has not reported %(period)s; due %(days)d days ago."),
                    {
                        "name": task.pilot.enterprise.name,
                        "period": period_label(task.year, task.half),
                        "days": late,
                    },
                )
            ),
            since=task.due_on,
            link=f"/pilots/reports/{task.pk}/",
            town_id=task.pilot.enterprise.town_id,
            department_id=task.pilot.department_id,
        )


def task_get(user, pk: int) -> ReportingTask:
    from zhuqi.programs.monitoring_selectors import tasks_visible_to

    found = (
        tasks_visible_to(user).select_related("pilot__enterprise", "pilot__programme").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound("task_not_found", _("No such reporting task."))
    return found


def registered(pilot: Pilot) -> bool:
    return User.objects.filter(
        enterprise_id=pilot.enterprise_id, is_active=True, last_login__isnull=False
    ).exists()


def report_fields() -> list[tuple[str, object]]:
    """The report form's fields: key and label (money in yuan)."""
    fields = [(key, indicators.BY_KEY[key].label) for key in REPORTED]
    return fields + [(ASSETS, _("Total assets"))]
