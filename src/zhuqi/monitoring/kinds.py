"""The warnings the monitoring app finds itself, registered with `core/findings.py` like everyone's:

appeal_deadline  every open appeal the appeals' own SQL colours blue, yellow or red (督办 colours:
                 `appeals.selectors.with_levels`, not recomputed here); once per appeal and deadline
                 (the period is the deadline's day, so a reopened appeal's new deadline is a new
                 warning); the level follows the colour.
figure_fall      revenue or tax of the year so far (the months reported this year, best values) below
                 the same months of last year by more than the rule's `yellow` / `red` per cent, for
                 the programme's enterprises (a current pilot, a doubling class) and those tagged as the rule says
                 (倍增试点, 规上企业 by default); once per enterprise and year; the town and the
                 enterprise's liaison leaders own it.
target_missed    a target of this year behind its cumulative breakdown at the latest month with data
                 (yellow or red by the targets' thresholds); once per target and month — a month still
                 missed next month is a new warning, the old one resolves itself.
"""

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.appeals.models import Appeal
from zhuqi.core import findings, formats, workdays
from zhuqi.core.findings import Finding
from zhuqi.directory.models import Enterprise, LiaisonAssignment, PeriodType
from zhuqi.monitoring import actuals, measures, rules, scopes, status
from zhuqi.monitoring.models import Target

LEVEL_WORDS = {"blue": _("near the deadline"), "yellow": _("overdue"), "red": _("long overdue")}


def _moment(today: date) -> datetime:
    """Now, or the day's noon for a sweep of another day (tests, a replay)."""
    if today != timezone.localdate():
        return datetime.combine(today, time(12), tzinfo=workdays.SHANGHAI)
    return timezone.now()


def deadline_clock(kept: dict | None, today: date) -> tuple[bool, dict]:
    """The deadlines' clock for the sweep (findings.Kind.clock): the colour limits of this pass, and
    whether an open appeal's deadline lies between them and those kept from the last pass."""
    limits = appeal_selectors.level_limits(_moment(today))
    keep = {name: moment.isoformat() for name, moment in limits.items()}
    if not kept or set(kept) != set(limits):
        return True, keep
    before = {name: datetime.fromisoformat(value) for name, value in kept.items()}
    return appeal_selectors.levels_moved(before, limits), keep


def appeal_deadlines(today: date):
    now = _moment(today)
    rows = appeal_selectors.with_levels(Appeal.objects.all(), now).values_list(
        "pk", "number", "title", "level", "active_due", "department_id", "enterprise__town_id"
    )
    # What every finding shares, worked out once (tens of thousands of open appeals at province scale):
    # the sentence, the level words, each day's words and the link's pattern.
    sentence = gettext("Appeal %(number)s “%(title)s” is %(words)s: due %(due)s.")
    words = {level: str(w) for level, w in LEVEL_WORDS.items()}
    marker = "N0N0N0"
    pattern = reverse("appeals:appeal_detail", args=[marker])
    days: dict[date, str] = {}
    for pk, number, title, level, due, department_id, town_id in rows.iterator(chunk_size=2000):
        due_day = timezone.localtime(due, workdays.SHANGHAI).date()
        if due_day not in days:
            days[due_day] = formats.day(due_day)
        plain = number.isascii() and number.replace("-", "").isalnum()  # reverse() would not escape it
        yield Finding(
            kind="appeal_deadline",
            subject_type="appeals.appeal",
            subject_id=pk,
            period=due_day.isoformat(),
            level=level,
            text=sentence
            % {"number": number, "title": title[:80], "words": words[level], "due": days[due_day]},
            since=min(due_day, today),
            link=pattern.replace(marker, number)
            if plain
            else reverse("appeals:appeal_detail", args=[number]),
            town_id=town_id,
            department_id=department_id,
        )


def _programme_enterprises(rule):
    tags = [t for t in rule.thresholds.get("tags", []) if isinstance(t, str)]
    condition = Q(tags__name__in=tags) if tags else Q(pk__in=[])
    if rule.thresholds.get("doubling_classes", True):
        condition |= ~Q(doubling_class="")
    if rule.thresholds.get("pilots", True) and apps.is_installed("zhuqi.programs"):
        # The programme's pilots (programs.Pilot, current: active or on probation) — what "pilot" means.
        from zhuqi.programs.models import Pilot

        condition |= Q(pk__in=Pilot.objects.filter(state__in=["active", "probation"]).values("enterprise_id"))
    return Enterprise.objects.filter(condition).values("pk")


def figure_falls(today: date):
    rule = rules.rule("figure_fall")
    yellow = rules.threshold("figure_fall", "yellow", rule)
    red = rules.threshold("figure_fall", "red", rule)
    year = today.year
    latest = (
        actuals.Actual.objects.filter(indicator="revenue", year=year, month__gte=1).order_by("-month").first()
    )
    if latest is None:
        return
    through = latest.month
    sums = (
        actuals.best_values([year, year - 1])
        .filter(
            period_type=PeriodType.MONTH,
            period_no__lte=through,
            indicator__in=["revenue", "tax_paid"],
            enterprise__in=_programme_enterprises(rule),
        )
        .values("enterprise_id", "indicator", "year")
        .annotate(total=Sum("value"), months=Count("id"))
    )
    table: dict[int, dict] = {}
    for r in sums:
        if r["months"] == through:  # only a full comparison: every month of both years reported
            table.setdefault(r["enterprise_id"], {})[(r["indicator"], r["year"])] = r["total"]
    falling: dict[int, list] = {}
    for enterprise_id, cells in table.items():
        for indicator in ("revenue", "tax_paid"):
            now, before = cells.get((indicator, year)), cells.get((indicator, year - 1))
            if now is None or not before or before <= 0:
                continue
            fall = (1 - now / before) * 100
            if fall > yellow:
                falling.setdefault(enterprise_id, []).append((indicator, fall))
    if not falling:
        return
    enterprises = Enterprise.objects.in_bulk(list(falling))
    leaders: dict[int, list[int]] = {}
    for enterprise_id, leader_id in LiaisonAssignment.objects.filter(
        enterprise_id__in=list(falling)
    ).values_list("enterprise_id", "leader_id"):
        leaders.setdefault(enterprise_id, []).append(leader_id)
    for enterprise_id, falls in falling.items():
        enterprise = enterprises[enterprise_id]
        worst = max(f for _i, f in falls)
        parts = "；".join(
            gettext("%(indicator)s down %(fall)s%%")
            % {"indicator": measures.MEASURES[i].label, "fall": f"{f:.1f}"}
            for i, f in falls
        )
        yield Finding(
            kind="figure_fall",
            subject_type="directory.enterprise",
            subject_id=enterprise_id,
            period=str(year),
            level="red" if worst > red else "yellow",
            text=gettext("%(name)s, January to %(month)s against last year: %(parts)s.")
            % {"name": enterprise.name, "month": gettext("month %(m)s") % {"m": through}, "parts": parts},
            since=date(year, through, 1),
            link=reverse("directory:enterprise_detail", args=[enterprise.uscc]),
            town_id=enterprise.town_id,
            user_ids=tuple(leaders.get(enterprise_id, ())),
        )


def targets_missed(today: date):
    year = today.year
    targets = list(
        Target.objects.filter(year=year, measure__in=measures.FLOW)
        .select_related("town", "chain", "programme")
        .prefetch_related("months")
    )
    if not targets:
        return
    thresholds = rules.target_thresholds()
    for target in targets:
        got = (
            scopes.monthly(target).get(target.measure, {})
            if scopes.is_scoped(target)
            else actuals.monthly(target.measure, year, target.town_id)
        )
        p = status.progress(target, months_actual=got, thresholds=thresholds)
        if p.colour not in ("yellow", "red") or not p.through:
            continue
        scope = target.town or target.chain or target.programme or gettext("the city")
        scope = getattr(scope, "name", scope)
        yield Finding(
            kind="target_missed",
            subject_type="monitoring.target",
            subject_id=target.pk,
            period=f"{year}-{p.through:02d}",
            level=p.colour,
            text=gettext(
                "%(scope)s %(measure)s to month %(month)s: %(actual)s of %(target)s planned (%(ratio)s)."
            )
            % {
                "scope": scope,
                "measure": measures.MEASURES[target.measure].label,
                "month": p.through,
                "actual": formats.money(p.actual_to_date),
                "target": formats.money(p.target_to_date),
                "ratio": f"{p.ratio * 100:.1f}%" if p.ratio is not None else "—",
            },
            since=_month_end(year, p.through),
            link=reverse("monitoring:target_detail", args=[target.pk]),
            town_id=target.town_id,
        )


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


# The appeals (deadlines, titles, departments), their enterprises' towns and the calendar, and the clock:
# the sweep skips the kind while none of them changed and no deadline crossed a colour's limit.
findings.register(
    "appeal_deadline",
    label=_("Appeal deadline (督办)"),
    provider=appeal_deadlines,
    reads=("appeals.Appeal", "directory.Enterprise", "core.CalendarDay"),
    clock=deadline_clock,
)
# Values, programme enterprises (tags, doubling class, pilots), liaisons and the rollup's latest month:
# the sweep skips the kind while none of them changed (warnings._stamp).
findings.register(
    "figure_fall",
    label=_("Revenue or tax falling"),
    provider=figure_falls,
    reads=("directory", "programs", "monitoring.Actual"),
)
findings.register("target_missed", label=_("Target month missed"), provider=targets_missed)
