"""Red, yellow or green: how far a key project is from its plan, in dates and in amounts.

- Dates: the stage a project is working towards is the one after its current stage. Once that
  stage's planned date has passed without the stage being reached, the project is late by the days
  since (on the planned day itself it is not late). Late by more than `ZHUQI_PROJECT_YELLOW_DAYS` (0)
  days is yellow, by more than `ZHUQI_PROJECT_RED_DAYS` (30) red. Reaching the stage ends the delay:
  the next stage's planned date is then the one that counts. A stage reached late in the past does
  not colour the project now (the milestone table shows it).
- Amounts: investment reported to date against investment planned to date, both summed over every
  month up to the last one whose report is due (a month's report is due by day
  `ZHUQI_PROJECT_REPORT_DAY` (10) of the next month; a month not reported counts as nothing
  invested). A shortfall of at least `ZHUQI_PROJECT_AMOUNT_YELLOW` (10%) of the planned is yellow,
  at least `ZHUQI_PROJECT_AMOUNT_RED` (30%) red; nothing planned to date is green.
- The project's colour is the worse of the two. A project in production (投产) or stopped (终止) has
  no colour.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.projects.lifecycle import Stage, next_stage

GREEN, YELLOW, RED = "green", "yellow", "red"
ORDER = {None: -1, GREEN: 0, YELLOW: 1, RED: 2}
LABELS = {GREEN: _("On plan"), YELLOW: _("Behind plan"), RED: _("Seriously behind plan")}


@dataclass(frozen=True)
class Status:
    level: str | None  # green, yellow, red; None: in production or stopped
    late_days: int  # days the stage worked towards is past its planned date (0: not late)
    target_stage: str | None
    target_planned_on: date | None
    planned_to_date: Decimal
    actual_to_date: Decimal
    shortfall: Decimal | None  # fraction of the planned amount not invested; None: nothing planned
    cutoff: tuple[int, int]  # (year, month): amounts are compared up to this month
    date_level: str | None = None
    amount_level: str | None = None

    @property
    def label(self):
        return LABELS.get(self.level, "")


def thresholds() -> dict:
    return {
        "yellow_days": settings.ZHUQI_PROJECT_YELLOW_DAYS,
        "red_days": settings.ZHUQI_PROJECT_RED_DAYS,
        "amount_yellow": Decimal(str(settings.ZHUQI_PROJECT_AMOUNT_YELLOW)),
        "amount_red": Decimal(str(settings.ZHUQI_PROJECT_AMOUNT_RED)),
        "report_day": settings.ZHUQI_PROJECT_REPORT_DAY,
    }


def cutoff_month(today: date, report_day: int | None = None) -> tuple[int, int]:
    """The last month whose report is due on `today`: the previous month once its report day has
    passed (after day 10 of this month), else the month before it."""
    report_day = settings.ZHUQI_PROJECT_REPORT_DAY if report_day is None else report_day
    back = 1 if today.day > report_day else 2
    index = today.year * 12 + (today.month - 1) - back
    return index // 12, index % 12 + 1


def date_level(late_days: int, t: dict) -> str:
    if late_days > t["red_days"]:
        return RED
    if late_days > t["yellow_days"]:
        return YELLOW
    return GREEN


def amount_level(shortfall: Decimal | None, t: dict) -> str:
    if shortfall is None:
        return GREEN
    if shortfall >= t["amount_red"]:
        return RED
    if shortfall >= t["amount_yellow"]:
        return YELLOW
    return GREEN


def compute(
    *,
    stage: str,
    stopped: bool,
    planned_dates: dict[str, date | None],
    planned_to_date: Decimal,
    actual_to_date: Decimal,
    today: date,
    cutoff: tuple[int, int],
    t: dict | None = None,
) -> Status:
    """The status from the figures (pure: the bulk reader below and the tests call it)."""
    t = t or thresholds()
    target = None if stopped else next_stage(stage)
    planned_on = planned_dates.get(target) if target else None
    late = (today - planned_on).days if planned_on and today > planned_on else 0
    shortfall = None
    if planned_to_date > 0:
        shortfall = max(Decimal(0), (planned_to_date - actual_to_date) / planned_to_date)
    if stopped or stage == Stage.PRODUCING:
        return Status(None, 0, None, None, planned_to_date, actual_to_date, shortfall, cutoff)
    dl, al = date_level(late, t), amount_level(shortfall, t)
    level = dl if ORDER[dl] >= ORDER[al] else al
    return Status(level, late, target, planned_on, planned_to_date, actual_to_date, shortfall, cutoff, dl, al)


def statuses(projects, today: date) -> dict[int, Status]:
    """The status of each project of a queryset or list, in two queries whatever their number: the
    planned dates of the stages, and the amounts summed to the cutoff in the database."""
    from zhuqi.projects.models import Milestone, MonthFigure

    projects = list(projects)
    ids = [p.pk for p in projects]
    t = thresholds()
    cutoff = cutoff_month(today, t["report_day"])
    dates: dict[int, dict] = {}
    for project_id, stage, planned_on in Milestone.objects.filter(project_id__in=ids).values_list(
        "project_id", "stage", "planned_on"
    ):
        dates.setdefault(project_id, {})[stage] = planned_on
    year, month = cutoff
    sums = {
        row["project_id"]: row
        for row in MonthFigure.objects.filter(project_id__in=ids)
        .filter(Q(year__lt=year) | Q(year=year, month__lte=month))
        .values("project_id")
        .annotate(planned=Sum("planned"), actual=Sum("actual"))
    }
    found = {}
    for p in projects:
        row = sums.get(p.pk, {})
        found[p.pk] = compute(
            stage=p.stage,
            stopped=bool(p.stopped_on),
            planned_dates=dates.get(p.pk, {}),
            planned_to_date=row.get("planned") or Decimal(0),
            actual_to_date=row.get("actual") or Decimal(0),
            today=today,
            cutoff=cutoff,
            t=t,
        )
    return found


def status_of(project, today: date) -> Status:
    return statuses([project], today)[project.pk]
