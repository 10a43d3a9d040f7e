"""The figures under each role's work queues (issue 12, item 3): what a leader reads after what it must do.

city        the cockpit: targets against actuals (the main one month by month), appeal KPI trends by
            month, the programme's enterprises, open warnings by town — each number a link to its rows
town        the same for the town, with the town's own targets (and the city's beside them)
department  its appeal KPIs and its rank among the departments
Every figure is an aggregate of the database; the page's query count is fixed (a test holds it).
"""

from datetime import date

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuqi.appeals import kpis
from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.appeals.models import Appeal
from zhuqi.core import permissions
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise, Town
from zhuqi.monitoring import actuals, measures, rules, selectors, status
from zhuqi.monitoring.models import Target

MAIN_MEASURES = ("revenue", "tax_paid", "added_value", "main_revenue")
TREND_MONTHS = 12


def scope_of(user) -> str:
    if permissions.has(user, Capability.SEE_EVERYTHING) or (
        permissions.has(user, Capability.READ_MONITORING) and not user.town_id and not user.department_id
    ):
        return "city"
    if user.town_id:
        return "town"
    if user.department_id:
        return "department"
    return "none"


def year_of(today: date | None = None) -> int:
    return (today or timezone.localdate()).year


def target_rows(year: int, town: Town | None) -> list[status.Progress]:
    """Every target of the scope and year with its standing: four queries whatever their number
    (targets and months, actuals, thresholds) plus two per level target."""
    found = list(selectors.targets(year=year, town=town))
    got = selectors.actual_months(year, town)
    thresholds = rules.target_thresholds()
    order = {k: i for i, k in enumerate(measures.MEASURES)}
    found.sort(key=lambda t: order.get(t.measure, 999))
    return [status.progress(t, months_actual=got.get(t.measure, {}), thresholds=thresholds) for t in found]


def _kpi_trend(user, today: date) -> list[dict]:
    start = date(today.year - 1, today.month, 1)
    rows = kpis.compute(appeal_selectors.appeals_visible_to(user), "month", start=start, rollup=True)
    return sorted(
        (
            {
                "month": r["group"],
                "count": r["count"],
                "resolution": r["resolution_rate"],
                "satisfaction": r["satisfaction_rate"],
                "on_time": r["on_time_rate"],
            }
            for r in rows
        ),
        key=lambda r: r["month"],
    )


def _programme(town: Town | None) -> dict:
    """The doubling programme's enterprises in scope by class, one aggregate (programs.Pilot, when that
    module lands, is the finer reading)."""
    qs = Enterprise.objects.exclude(doubling_class="")
    if town is not None:
        qs = qs.filter(town=town)
    rows = qs.values("doubling_class").annotate(n=Count("pk")).order_by("doubling_class")
    labels = dict(Enterprise.DoublingClass.choices)
    return {
        "total": sum(r["n"] for r in rows),
        "classes": [
            {"code": r["doubling_class"], "label": labels.get(r["doubling_class"]), "n": r["n"]} for r in rows
        ],
    }


def _chart(progress: status.Progress | None) -> dict | None:
    if progress is None or not progress.months:
        return None
    return {
        "label": str(measures.MEASURES[progress.target.measure].label),
        "months": [gettext("Month %(m)s") % {"m": r["month"]} for r in progress.months],
        "target": [float(r["target_to_date"]) for r in progress.months],
        "actual": [
            float(r["actual_to_date"]) if r["actual_to_date"] is not None else None for r in progress.months
        ],
    }


def cockpit(user, *, town: Town | None = None, today: date | None = None) -> dict:
    """The cockpit of the city (town None) or of a town, for a user who may read it."""
    today = today or timezone.localdate()
    year = year_of(today)
    rows = target_rows(year, town)
    main = next((p for p in rows if p.target.measure in MAIN_MEASURES and p.months), None)
    by_town = selectors.by_town(user)
    if town is not None:
        by_town = [r for r in by_town if r["code"] == town.code]
    return {
        "scope": "town" if town else "city",
        "town": town,
        "year": year,
        "targets": rows,
        "colours": {c: sum(1 for p in rows if p.colour == c) for c in ("green", "yellow", "red")},
        "chart": _chart(main),
        "kpi_trend": _kpi_trend(user, today),
        "programme": _programme(town),
        "warnings_by_town": by_town,
        "warnings_by_kind": selectors.by_kind(user),
        "refreshed_at": actuals.refreshed_at(year),
        "town_sums": town_sums(year) if town is None else None,
    }


def town_sums(year: int) -> list[dict]:
    """For the city: each flow measure with a city target, the sum of the towns' targets beside it
    (towns report their own breakdown; the city sees the sum against its own). One aggregate."""
    rows = (
        Target.objects.filter(year=year, town__isnull=False)
        .values("measure")
        .annotate(total=Sum("annual"), towns=Count("pk"))
        .order_by()
    )
    return [{"measure": r["measure"], "total": r["total"], "towns": r["towns"]} for r in rows]


def department_view(user, today: date | None = None) -> dict:
    """A department's KPIs (appeals it has or had) and its rank among the departments by resolution
    rate (the KPI page's order), from one aggregate over the appeals."""
    today = today or timezone.localdate()
    department = user.department
    rows = kpis.compute(Appeal.objects.all(), "department", rollup=True)
    name = department.short_name or department.name
    rank = next((i for i, r in enumerate(rows, start=1) if r["group"] == name), None)
    own = next((r for r in rows if r["group"] == name), None)
    return {
        "scope": "department",
        "department": department,
        "kpi": own,
        "rank": rank,
        "departments": len(rows),
        "kpi_trend": _kpi_trend(user, today),
    }


def chart_json(dash: dict) -> dict:
    """What the cockpit's charts read (monitoring/cockpit.js), words in the page's language."""
    return {
        "chart": dash.get("chart"),
        "kpi_trend": dash.get("kpi_trend", []),
        "by_town": dash.get("warnings_by_town", []),
        "warnings_url": reverse("monitoring:warnings"),
        "words": {
            "yi": gettext("100 million yuan"),
            "target": gettext("Planned"),
            "actual": gettext("Actual"),
            "resolution": gettext("Resolution rate (办结率)"),
            "on_time": gettext("On-time rate (按时办结率)"),
            "satisfaction": gettext("Satisfaction rate (满意率)"),
            "red": gettext("Serious"),
            "yellow": gettext("Attention"),
            "blue": gettext("Coming soon"),
            "no_town": gettext("No town"),
        },
    }


def for_home(user) -> dict | None:
    """The figures of the home page under the queues, by the user's scope; None for those with none."""
    if not permissions.has(user, Capability.READ_MONITORING):
        return None
    scope = scope_of(user)
    if scope == "city":
        dash = cockpit(user)
    elif scope == "town":
        dash = cockpit(user, town=user.town)
    elif scope == "department":
        dash = department_view(user)
    else:
        return None
    return {"dash": dash, "dash_json": chart_json(dash)}
