"""Monitoring endpoints (session users; no token scope: no system client needs them). Thin: parse,
call a selector or a service, answer."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.http import Page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import Comment, Id, JobOut, Year, amount, column, text
from zhuqi.directory.models import Department, Town
from zhuqi.monitoring import dashboards, measures, rules, selectors, status, targets, warnings
from zhuqi.monitoring.models import KindRule, Level, Method, Target, Warning

router = Router(tags=["monitoring"])
TargetAmount = amount(18, 2, ge=Decimal("-9999999999999999.99"))


def _require(request, capability=Capability.READ_MONITORING):
    if not permissions.has(request.user, capability):
        raise Forbidden("forbidden", permissions.FORBIDDEN)


def _town(code: str) -> Town | None:
    if not code:
        return None
    town = selectors.town_by_code(code)
    if town is None:
        raise ZhuqiError("unknown_town", _("Unknown town."), status=404, field="town")
    return town


def _scope(chain: int | None, programme: str) -> tuple:
    """(chain, programme) asked for; 404 when one is given that does not exist."""
    found_chain = found_programme = None
    if chain is not None:
        found_chain = selectors.chain_by_id(str(chain))
        if found_chain is None:
            raise ZhuqiError("unknown_chain", _("Unknown industry chain."), status=404, field="chain")
    if programme:
        found_programme = selectors.programme_by_code(programme)
        if found_programme is None:
            raise ZhuqiError("unknown_programme", _("Unknown programme."), status=404, field="programme")
    return found_chain, found_programme


class MonthOut(Schema):
    month: int
    target: Decimal
    actual: Decimal | None
    target_to_date: Decimal
    actual_to_date: Decimal | None
    colour: str | None = None


class TargetOut(Schema):
    id: int
    measure: str
    measure_label: str
    kind: str
    year: int
    town: str | None
    chain: int | None = None
    chain_name: str | None = None
    programme: str | None = None
    annual: Decimal
    method: str
    version: int
    source: str
    note: str
    measurable: bool
    through: int | None
    target_to_date: Decimal | None
    actual_to_date: Decimal | None
    gap: Decimal | None
    colour: str
    months: list[MonthOut]


def _target_out(p: status.Progress) -> dict:
    t = p.target
    measure = measures.MEASURES.get(t.measure)
    return {
        "id": t.pk,
        "measure": t.measure,
        "measure_label": str(measure.label) if measure else t.measure,
        "kind": measure.kind if measure else "none",
        "year": t.year,
        "town": t.town.code if t.town_id else None,
        "chain": t.chain_id,
        "chain_name": t.chain.name if t.chain_id else None,
        "programme": t.programme.code if t.programme_id else None,
        "annual": t.annual,
        "method": t.method,
        "version": t.version,
        "source": t.source,
        "note": t.note,
        "measurable": p.measurable,
        "through": p.through,
        "target_to_date": p.target_to_date,
        "actual_to_date": p.actual_to_date,
        "gap": p.gap,
        "colour": p.colour,
        "months": [{**m, "colour": m.get("colour")} for m in p.months],
    }


class TargetFilters(Schema):
    year: Year | None = None
    town: column(Town, "code") = Field(
        "", description="a town's code; empty for the city, `all` for every scope"
    )
    chain: Id | None = Field(None, description="an industry chain's id: its targets")
    programme: text(40) = Field("", description="a programme's code: its targets")


@router.get("/monitoring/targets", response=list[TargetOut])
def target_list(request, filters: Query[TargetFilters]):
    """The targets of a year (the city's by default) with where each stands."""
    _require(request)
    year = filters.year or dashboards.year_of()
    chain, programme = _scope(filters.chain, filters.programme)
    if chain is not None or programme is not None:
        return [_target_out(p) for p in selectors.scoped_rows(year, chain=chain, programme=programme)]
    if filters.town == "all":
        found = selectors.targets(year=year, town="all")
        thresholds = rules.target_thresholds()
        return [_target_out(status.progress(t, thresholds=thresholds)) for t in found]
    return [_target_out(p) for p in dashboards.target_rows(year, _town(filters.town))]


@router.get("/monitoring/targets/{target_id}", response=TargetOut)
def target_get(request, target_id: Id):
    _require(request)
    return _target_out(status.progress(targets.target_get(target_id)))


class TargetIn(Schema):
    measure: column(Target, "measure", min_length=1)
    year: Year
    town: column(Town, "code") = Field("", description="empty for the city")
    chain: Id | None = Field(None, description="an industry chain's id (the office only)")
    programme: text(40) = Field("", description="a programme's code (the office only)")
    annual: TargetAmount
    method: Literal["seasonal", "even", "quarters", "months"] = Method.SEASONAL
    quarters: list[TargetAmount] | None = Field(None, max_length=4, description="four, with method quarters")
    months: list[TargetAmount] | None = Field(None, max_length=12, description="twelve, with method months")
    note: column(Target, "note") = ""


@router.put("/monitoring/targets", response=TargetOut)
def target_set(request, payload: TargetIn):
    """Sets the target of (measure, year, scope): a new version, broken down to months, audited."""
    _require(request)
    chain, programme = _scope(payload.chain, payload.programme)
    target = targets.target_set(
        acting_user=request.user,
        measure=payload.measure,
        year=payload.year,
        town=_town(payload.town),
        chain=chain,
        programme=programme,
        annual=payload.annual,
        method=payload.method,
        quarters=payload.quarters,
        months=payload.months,
        note=payload.note,
    )
    return _target_out(status.progress(targets.target_get(target.pk)))


class CentreWarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject_type: str
    subject_id: int
    period: str
    level: str
    text: str
    since: date
    link: str
    town: str | None
    department: str | None
    state: str
    note: str
    raised_at: datetime
    acted_at: datetime | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_kind_label(w) -> str:
        return str(dict(selectors.kind_choices()).get(w.kind, w.kind))

    @staticmethod
    def resolve_town(w) -> str | None:
        return w.town.code if w.town_id else None

    @staticmethod
    def resolve_department(w) -> str | None:
        return w.department.code if w.department_id else None


class WarningFilters(Schema):
    kind: column(Warning, "kind") = ""
    level: Literal["", "blue", "yellow", "red"] = ""
    state: Literal["", "open", "all", "new", "acknowledged", "handled", "resolved"] = ""
    town: column(Town, "code") = ""
    department: column(Department, "code") = ""


@router.get("/monitoring/warnings", response=list[CentreWarningOut])
@paginate(Page)
def warning_list(request, filters: Query[WarningFilters]):
    """Warnings in the caller's scope, filtered (state: open by default), newest first, paged in SQL."""
    _require(request)
    return selectors.warning_list(request.user, **filters.dict())


@router.get("/monitoring/warnings/{warning_id}", response=CentreWarningOut)
def warning_get(request, warning_id: Id):
    _require(request)
    return selectors.warning_get(request.user, warning_id)


class WarningActionIn(Schema):
    note: Comment = ""


@router.post("/monitoring/warnings/{warning_id}/{action}", response=CentreWarningOut)
def warning_act(request, warning_id: Id, action: Literal["acknowledge", "handle"], payload: WarningActionIn):
    """Acknowledges a warning, or marks it handled with a note (required)."""
    _require(request)
    found = selectors.warning_get(request.user, warning_id)
    warnings.warning_act(warning=found, action=action, acting_user=request.user, note=payload.note)
    return selectors.warning_get(request.user, warning_id)


@router.post("/monitoring/exports/warnings", response={202: JobOut}, tags=["jobs"])
def warning_export(request, filters: Query[WarningFilters]):
    """Queues the .xlsx of the warnings list with these filters (a job: poll it, then download)."""
    _require(request)
    return Status(202, jobs.enqueue(kind="export.warnings", owner=request.user, parameters=filters.dict()))


class KpiExportFilters(Schema):
    by: Literal["department", "town", "category", "month", "all"] = "department"


@router.post("/monitoring/exports/appeal-kpis", response={202: JobOut}, tags=["jobs"])
def kpi_export(request, filters: Query[KpiExportFilters]):
    """Queues the .xlsx of the KPI table with this grouping (a job: poll it, then download)."""
    return Status(202, jobs.enqueue(kind="export.appeal_kpis", owner=request.user, parameters=filters.dict()))


class KindRuleOut(Schema):
    kind: str
    label: str
    enabled: bool
    thresholds: dict
    notify_office: bool
    notify_department: bool
    notify_town: bool
    notify_from: str


def _rule_out(row: KindRule, labels: dict) -> dict:
    return {
        "kind": row.kind,
        "label": str(labels.get(row.kind, row.kind)),
        "enabled": row.enabled,
        "thresholds": row.thresholds,
        "notify_office": row.notify_office,
        "notify_department": row.notify_department,
        "notify_town": row.notify_town,
        "notify_from": row.notify_from,
    }


@router.get("/monitoring/warning-kinds", response=list[KindRuleOut])
def kind_list(request):
    """Every registered kind of warning with its rule (thresholds, who is told)."""
    _require(request)
    labels = dict(selectors.kind_choices())
    found = rules.rules_for(list(labels))
    return [_rule_out(found[k], labels) for k in sorted(found)]


ThresholdValue = bool | Decimal | text(40) | list[text(40)]


class KindRuleIn(Schema):
    enabled: bool = True
    thresholds: dict[text(40, min_length=1), ThresholdValue] = Field(default_factory=dict, max_length=20)
    notify_office: bool = True
    notify_department: bool = True
    notify_town: bool = True
    notify_from: Literal["blue", "yellow", "red"] = Level.YELLOW


@router.put("/monitoring/warning-kinds/{kind}", response=KindRuleOut)
def kind_update(request, kind: column(KindRule, "kind", min_length=1), payload: KindRuleIn):
    _require(request)
    row = rules.rule_update(acting_user=request.user, kind=kind, **payload.dict())
    return _rule_out(row, dict(selectors.kind_choices()))


class CockpitOut(Schema):
    scope: str
    year: int
    town: str | None
    colours: dict[str, int]
    targets: list[TargetOut]
    kpi_trend: list[dict]
    warnings_by_town: list[dict]
    warnings_by_kind: list[dict]
    programme: dict
    refreshed_at: datetime | None


@router.get("/monitoring/cockpit", response=CockpitOut)
def cockpit(request, town: column(Town, "code") = ""):
    """The figures of the city's cockpit (or a town's): targets, KPI trend, programme, warnings by town."""
    _require(request)
    chosen = _town(town)
    if request.user.town_id and not permissions.has(request.user, Capability.SEE_EVERYTHING):
        chosen = request.user.town
    dash = dashboards.cockpit(request.user, town=chosen)
    return {
        "scope": dash["scope"],
        "year": dash["year"],
        "town": chosen.code if chosen else None,
        "colours": dash["colours"],
        "targets": [_target_out(p) for p in dash["targets"]],
        "kpi_trend": dash["kpi_trend"],
        "warnings_by_town": dash["warnings_by_town"],
        "warnings_by_kind": [{**k, "label": str(k["label"])} for k in dash["warnings_by_kind"]],
        "programme": {
            "total": dash["programme"]["total"],
            "classes": [{**c, "label": str(c["label"])} for c in dash["programme"]["classes"]],
        },
        "refreshed_at": dash["refreshed_at"],
    }
