"""The lists of a round (applications, checks, cross-check flags, scores, ranking, notice list) and the
pilots, each as columns and rows that the page shows and the Excel export writes alike (the page's
filters apply to both). A cell's kind says how a page formats it: text, money, score, day, year,
percent; the spreadsheet keeps numbers as numbers."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuqi.core import formats, permissions, tabular
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory import indicators
from zhuqi.programs import eligibility, selectors
from zhuqi.programs.models import Application, CrossCheck, EnterpriseClass, GrowthDriver, Score
from zhuqi.programs.services import POSITIVE_FACTORS


@dataclass
class Column:
    label: object
    kind: str = "text"


@dataclass
class Listing:
    title: object
    columns: list[Column]
    rows: object  # an iterable of (link number or None, [values])
    filters: dict = field(default_factory=dict)


def _drivers(codes) -> str:
    return "、".join(str(GrowthDriver(c).label) for c in codes if c in GrowthDriver.values)


def _class(code) -> str:
    return str(EnterpriseClass(code).label) if code in EnterpriseClass.values else ""


def _filter(qs, filters: dict):
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("enterprise_class"):
        qs = qs.filter(enterprise_class=filters["enterprise_class"])
    if filters.get("driver"):
        qs = qs.filter(drivers__icontains=f'"{filters["driver"]}"')
    if filters.get("q"):
        qs = qs.filter(Q(enterprise__name__icontains=filters["q"]) | Q(number__istartswith=filters["q"]))
    return qs


def applications(qs, filters: dict) -> Listing:
    qs = _filter(qs, filters).select_related("enterprise__town").order_by("number")
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Town")),
        Column(_("Class")),
        Column(_("Growth drivers")),
        Column(_("Doubling within (years)")),
        Column(_("State")),
        Column(_("Formal check")),
        Column(_("Submitted at"), "day"),
    ]
    rows = (
        (
            a.number,
            [
                a.number,
                a.enterprise.name,
                a.enterprise.town.name,
                _class(a.enterprise_class),
                _drivers(a.drivers),
                a.commitment_years,
                a.get_state_display(),
                a.get_check_result_display(),
                a.submitted_at,
            ],
        )
        for a in qs
    )
    return Listing(pgettext_lazy("programme round", "Applications"), columns, rows, filters)


def registration(qs, filters: dict) -> Listing:
    """The registration list (报名名单): every application of the round, withdrawn and refused included,
    with who put it forward."""
    qs = _filter(qs, filters).select_related(
        "enterprise__town", "recommended_by_town", "recommended_by_department"
    )
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Unified social credit code")),
        Column(_("Town")),
        Column(_("Class")),
        Column(_("Growth drivers")),
        Column(_("Doubling within (years)")),
        Column(_("Put forward by")),
        Column(_("Submitted at"), "day"),
        Column(_("State")),
    ]

    def put_forward_by(a) -> str:
        if a.recommended_by_department_id:
            return a.recommended_by_department.name
        if a.recommended_by_town_id:
            return a.recommended_by_town.name
        return str(_("The enterprise itself"))

    rows = (
        (
            a.number,
            [
                a.number,
                a.enterprise.name,
                a.enterprise.uscc,
                a.enterprise.town.name,
                _class(a.enterprise_class),
                _drivers(a.drivers),
                a.commitment_years,
                put_forward_by(a),
                a.submitted_at,
                a.get_state_display(),
            ],
        )
        for a in qs.order_by("number")
    )
    return Listing(_("Registration list"), columns, rows, filters)


def checks(qs, filters: dict) -> Listing:
    qs = _filter(qs.exclude(check_result=Application.CheckResult.PENDING), filters).select_related(
        "enterprise"
    )
    titles = {c.code: c.title for c in eligibility.pack().clauses}
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Formal check")),
        Column(_("Conditions not met")),
        Column(_("State")),
    ]

    def unmet(a):
        return "；".join(
            titles.get(f["clause"], f["clause"])
            for f in a.check_findings or ()
            if f["met"] is not True and f["clause"] != eligibility.RELAX
        )

    rows = (
        (
            a.number,
            [a.number, a.enterprise.name, a.get_check_result_display(), unmet(a), a.get_state_display()],
        )
        for a in qs.order_by("number")
    )
    return Listing(_("Formal check"), columns, rows, filters)


def cross_checks(round_, filters: dict) -> Listing:
    qs = CrossCheck.objects.filter(application__round=round_).select_related("application__enterprise")
    if filters.get("settlement"):
        qs = qs.filter(settlement=filters["settlement"])
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Indicator")),
        Column(_("Year"), "year"),
        Column(_("Bureau")),
        Column(_("Declared value"), "money"),
        Column(_("Bureau's value"), "money"),
        Column(_("Difference (%)"), "percent"),
        Column(_("Settlement")),
        Column(_("Note")),
    ]
    rows = (
        (
            f.application.number,
            [
                f.application.number,
                f.application.enterprise.name,
                str(indicators.BY_KEY[f.indicator].label)
                if f.indicator in indicators.BY_KEY
                else f.indicator,
                f.year,
                f.get_source_display(),
                f.declared,
                f.found,
                f.difference_percent,
                f.get_settlement_display(),
                f.note,
            ],
        )
        for f in qs.order_by("application__number", "indicator", "year", "source")
    )
    return Listing(_("Cross-check"), columns, rows, filters)


def scores(round_, filters: dict, expert=None) -> Listing:
    qs = Score.objects.filter(group__round=round_).select_related(
        "application__enterprise", "expert", "group"
    )
    if expert is not None:
        qs = qs.filter(expert=expert)
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Review group")),
        Column(_("Expert")),
        Column(_("Score"), "score"),
        Column(_("Submitted at"), "day"),
    ]
    rows = (
        (
            s.application.number,
            [
                s.application.number,
                s.application.enterprise.name,
                s.group.name,
                s.expert.name,
                s.total,
                s.submitted_at,
            ],
        )
        for s in qs.order_by("application__number", "group_id", "expert__name")
    )
    return Listing(_("Scores"), columns, rows, filters)


def _factors(codes) -> str:
    return "、".join(str(POSITIVE_FACTORS[c]) for c in codes if c in POSITIVE_FACTORS)


RANKED_STATES = (
    Application.State.IN_REVIEW,
    Application.State.PROPOSED,
    Application.State.SELECTED,
    Application.State.NOT_SELECTED,
)


def ranking(qs, filters: dict) -> Listing:
    qs = _filter(qs.filter(state__in=RANKED_STATES, checked_at__isnull=False), filters).select_related(
        "enterprise", "department"
    )
    columns = [
        Column(_("Growth driver")),
        Column(_("Rank")),
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Class")),
        Column(_("Desk review score"), "score"),
        Column(_("Site check score"), "score"),
        Column(_("Combined score"), "score"),
        Column(_("Spread between experts"), "score"),
        Column(_("Positive factors")),
        Column(_("Proposal")),
        Column(_("Responsible department")),
    ]
    items = sorted(
        qs,
        key=lambda a: (
            list(GrowthDriver.values).index(a.primary_driver)
            if a.primary_driver in GrowthDriver.values
            else 99,
            a.rank is None,
            a.rank or 0,
            -(a.score or 0),
            a.number,
        ),
    )
    rows = (
        (
            a.number,
            [
                str(GrowthDriver(a.primary_driver).label) if a.primary_driver in GrowthDriver.values else "",
                a.rank,
                a.number,
                a.enterprise.name,
                _class(a.enterprise_class),
                a.desk_score,
                a.site_score,
                a.score,
                a.spread,
                _factors(a.positive_factors),
                a.get_outcome_display() if a.outcome else "",
                a.department.name if a.department_id else "",
            ],
        )
        for a in items
    )
    return Listing(_("Ranking"), columns, rows, filters)


def notice(qs, filters: dict) -> Listing:
    qs = (
        _filter(qs.filter(state__in=[Application.State.PROPOSED, Application.State.SELECTED]), filters)
        .exclude(outcome=Application.Outcome.NONE)
        .select_related("enterprise__town", "department")
        .annotate(objection_count=Count("objections"))
    )
    columns = [
        Column(_("Number")),
        Column(_("Enterprise")),
        Column(_("Town")),
        Column(_("Class")),
        Column(_("Proposal")),
        Column(_("Responsible department")),
        Column(_("Doubling within (years)")),
        Column(_("Objections")),
    ]
    order = {Application.Outcome.HONORARY: 0, Application.Outcome.PILOT: 1, Application.Outcome.RESERVE: 2}
    rows = (
        (
            a.number,
            [
                a.number,
                a.enterprise.name,
                a.enterprise.town.name,
                _class(a.enterprise_class),
                a.get_outcome_display(),
                a.department.name if a.department_id else "",
                a.commitment_years,
                a.objection_count,
            ],
        )
        for a in sorted(qs, key=lambda a: (order.get(a.outcome, 9), a.enterprise_class, a.number))
    )
    return Listing(_("Notice list"), columns, rows, filters)


def pilots(qs, filters: dict) -> Listing:
    qs = qs.select_related("programme", "enterprise__town", "department", "application")
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("enterprise_class"):
        qs = qs.filter(enterprise_class=filters["enterprise_class"])
    if filters.get("q"):
        qs = qs.filter(enterprise__name__icontains=filters["q"])
    columns = [
        Column(_("Programme")),
        Column(_("Enterprise")),
        Column(_("Town")),
        Column(_("Class")),
        Column(_("Responsible department")),
        Column(_("Doubling within (years)")),
        Column(_("First year"), "year"),
        Column(_("Honorary pilot")),
        Column(_("State")),
    ]
    rows = (
        (
            p.application.number if p.application_id else None,
            [
                p.programme.name,
                p.enterprise.name,
                p.enterprise.town.name,
                _class(p.enterprise_class),
                p.department.name,
                p.commitment_years,
                p.start_year,
                str(_("yes")) if p.honorary else str(_("no")),
                p.get_state_display(),
            ],
        )
        for p in qs.order_by("programme_id", "enterprise__name")
    )
    return Listing(_("Pilot enterprises"), columns, rows, filters)


ROUND_LISTS = ("registration", "applications", "checks", "cross_checks", "scores", "ranking", "notice")


def may_read(user, kind: str) -> bool:
    """Whether `user` may read a round's list `kind` (cross-check flags: the office; scores: the office
    and experts, each its own)."""
    if kind == "cross_checks":
        return permissions.has(user, Capability.RUN_PROGRAMMES)
    if kind == "scores":
        return permissions.has(user, Capability.RUN_PROGRAMMES) or selectors.expert_of(user) is not None
    return kind in ROUND_LISTS


def for_round(user, round_, kind: str, filters: dict) -> Listing:
    """The round's list `kind` as `user` may read it (the page and its export job alike); a list the
    user may not read raises NotFound."""
    if not may_read(user, kind):
        raise NotFound("list_not_found", _("No such list."))
    visible = selectors.applications_visible_to(user).filter(round=round_)
    if kind == "cross_checks":
        return cross_checks(round_, filters)
    if kind == "scores":
        office = permissions.has(user, Capability.RUN_PROGRAMMES)
        return scores(round_, filters, expert=None if office else selectors.expert_of(user))
    return {
        "registration": registration,
        "applications": applications,
        "checks": checks,
        "ranking": ranking,
        "notice": notice,
    }[kind](visible, filters)


def xlsx(listing: Listing, progress=None) -> bytes:
    """The listing as a spreadsheet, numbers kept as numbers; progress(done) every 500 rows."""

    def body():
        for n, (_number, values) in enumerate(listing.rows, start=1):
            if progress and n % 500 == 0:
                progress(n)
            yield [spreadsheet(v, c.kind) for v, c in zip(values, listing.columns, strict=True)]

    return tabular.write_xlsx(str(listing.title)[:30], [str(c.label) for c in listing.columns], body())


def shown(value, kind: str) -> str:
    """A cell as a page shows it."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return formats.money(value)
    if kind == "day":
        return formats.day(value)
    if kind == "year":
        return formats.year(value)
    if kind == "percent":
        return f"{formats.amount(value)}%"
    if kind == "score":
        return formats.amount(value)
    return str(value)


def spreadsheet(value, kind: str):
    if kind == "day" and value is not None:
        return formats.day(value)
    return "" if value is None else value
