"""Monitoring pages. Thin: parse, call a selector or a service, render."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.appeals import kpis
from zhuqi.core import jobs, permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import Department
from zhuqi.monitoring import (
    actuals,
    dashboards,
    exports,
    lifecycle,
    measures,
    rules,
    scopes,
    selectors,
    status,
    targets,
    warnings,
)
from zhuqi.monitoring.models import Level, Method, TargetVersion, WarningState


def _require(request, capability=Capability.READ_MONITORING) -> None:
    if not permissions.has(request.user, capability):
        raise Http404


def _year(request) -> int:
    return parse_whole(request.GET.get("year"), 2000, 2100) or dashboards.year_of()


def _town(request):
    """The town asked for; a town officer sees its own town whatever it asks."""
    if request.user.town_id and not permissions.has(request.user, Capability.SEE_EVERYTHING):
        return request.user.town
    return selectors.town_by_code(request.GET.get("town", "")[:20])


@login_required
def cockpit(request):
    _require(request)
    town = _town(request)
    dash = dashboards.cockpit(request.user, town=town)
    return render(
        request,
        "monitoring/cockpit.html",
        {"dash": dash, "dash_json": dashboards.chart_json(dash), "towns": directory_selectors.towns()},
    )


def _scope(source) -> tuple:
    """(chain, programme) asked for by ?chain=<id> or ?programme=<code>; a chain wins."""
    chain = selectors.chain_by_id(source.get("chain", "")[:12])
    programme = None if chain else selectors.programme_by_code(source.get("programme", "")[:40])
    return chain, programme


@login_required
def target_list(request):
    _require(request)
    year = _year(request)
    chain, programme = _scope(request.GET)
    town = None if chain or programme else _town(request)
    if chain or programme:
        rows = selectors.scoped_rows(year, chain=chain, programme=programme)
    else:
        rows = dashboards.target_rows(year, town)
    scoped = bool(chain or programme)
    return render(
        request,
        "monitoring/targets.html",
        {
            "year": year,
            "town": town,
            "chain": chain,
            "programme": programme,
            "rows": rows,
            "towns": directory_selectors.towns(),
            "chains": selectors.chain_choices(),
            "programmes": selectors.programme_choices(),
            "may_set": targets.may_set(request.user, town, scoped=scoped),
            "town_sums": {r["measure"]: r for r in dashboards.town_sums(year)}
            if town is None and not scoped
            else {},
        },
    )


def _target(pk):
    try:
        return targets.target_get(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def target_detail(request, pk):
    _require(request)
    target = _target(pk)
    thresholds = rules.target_thresholds()
    progress = status.progress(target, thresholds=thresholds)
    towns = []
    if target.town_id is None and not scopes.is_scoped(target) and target.measure in measures.FLOW:
        # The towns' own targets of the same measure, each against its town's actuals: three queries.
        by_town = actuals.monthly_by_town(target.measure, target.year)
        for town_target in selectors.targets(year=target.year, town="all").filter(
            measure=target.measure, town__isnull=False
        ):
            towns.append(
                status.progress(
                    town_target, months_actual=by_town.get(town_target.town_id, {}), thresholds=thresholds
                )
            )
    return render(
        request,
        "monitoring/target_detail.html",
        {
            "target": target,
            "measure": measures.MEASURES.get(target.measure),
            "p": progress,
            "towns": towns,
            "town_total": sum((t.target.annual for t in towns), Decimal(0)),
            "versions": TargetVersion.objects.filter(target=target).select_related("changed_by")[:20],
            "may_set": targets.may_set(request.user, target.town, scoped=scopes.is_scoped(target)),
        },
    )


@login_required
def target_month_rows(request, pk, month):
    """The rows behind a month's actual: each enterprise in scope with its best value for that month."""
    _require(request)
    target = _target(pk)
    if not 1 <= month <= 12 or target.measure not in measures.FLOW:
        raise Http404
    # The enterprises behind the figure that the user may open (the whole city for the office).
    rows = exports.month_rows(target, month).filter(
        enterprise__in=directory_selectors.enterprises_visible_to(request.user)
    )
    page = list_page(request, rows, 50)
    return render(
        request,
        "monitoring/target_rows.html",
        {"target": target, "month": month, "page": page, "measure": measures.MEASURES[target.measure]},
    )


def _decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal((text or "").replace(",", "").strip()[:30])
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ZhuqiError("bad_number", _("Type a number."), status=422, field=field)
    return value


@login_required
def target_set(request):
    """The form that sets a target (GET prefilled from ?measure=&year=&town=, POST saves it)."""
    _require(request)
    source = request.POST if request.method == "POST" else request.GET
    chain, programme = _scope(source)
    scoped = bool(chain or programme)
    if scoped:
        town = None
    else:
        town = (
            _town(request) if request.method == "GET" else selectors.town_by_code(source.get("town", "")[:20])
        )
    year = parse_whole(source.get("year"), 2000, 2100) or dashboards.year_of()
    measure = source.get("measure", "revenue")[:32]
    if not targets.may_set(request.user, town, scoped=scoped):
        raise Http404
    if scoped:
        existing = selectors.scoped_targets(year=year, chain=chain, programme=programme)
    else:
        existing = selectors.targets(year=year, town=town)
    existing = existing.filter(measure=measure).first()
    # The saved target prefills the form shown (GET); a POST is read as sent, so a field left out is
    # refused rather than taken from the old version (a posted form without `annual` answered 500).
    prefill = existing if request.method == "GET" else None
    form = {
        "measure": measure,
        "year": year,
        "town": town.code if town else "",
        "chain": chain.pk if chain else "",
        "programme": programme.code if programme else "",
        "annual": source.get("annual", prefill.annual if prefill else ""),
        "method": source.get("method", prefill.method if prefill else Method.SEASONAL),
        "note": source.get("note", prefill.note if prefill else ""),
        "quarters": [source.get(f"q{q}", "") for q in range(1, 5)],
        "months": [source.get(f"m{m}", "") for m in range(1, 13)],
    }
    error = None
    if request.method == "POST":
        try:
            method = form["method"]
            quarters = (
                [_decimal(v, f"q{i}") for i, v in enumerate(form["quarters"], 1)]
                if method == Method.QUARTERS
                else None
            )
            months = (
                [_decimal(v, f"m{i}") for i, v in enumerate(form["months"], 1)]
                if method == Method.MONTHS
                else None
            )
            target = targets.target_set(
                acting_user=request.user,
                measure=measure,
                year=year,
                town=town,
                chain=chain,
                programme=programme,
                annual=_decimal(form["annual"], "annual"),
                method=method,
                quarters=quarters,
                months=months,
                note=form["note"][:500],
            )
        except ZhuqiError as exc:
            error = exc
        else:
            messages.success(request, _("Target saved."))
            return redirect("monitoring:target_detail", target.pk)
    return render(
        request,
        "monitoring/target_form.html",
        {
            "form": form,
            "error": error,
            "town": town,
            "chain": chain,
            "programme": programme,
            "existing": existing,
            "measures": [(k, m.label) for k, m in measures.MEASURES.items()],
            "methods": Method.choices,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def actuals_refresh(request):
    job = jobs.enqueue(
        kind="monitoring.refresh", owner=request.user, parameters={"year": str(_year(request))}
    )
    return redirect("web:job_detail", job.pk)


def _warning_filters(request) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in selectors.WARNING_FILTERS}


@login_required
def warning_list(request):
    _require(request)
    filters = _warning_filters(request)
    page = list_page(request, selectors.warning_list(request.user, **filters), 25)
    return render(
        request,
        "monitoring/warnings.html",
        {
            "page": page,
            "filters": filters,
            "kinds": selectors.kind_choices(),
            "labels": dict(selectors.kind_choices()),
            "levels": Level.choices,
            "states": WarningState.choices,
            "towns": directory_selectors.towns(),
            "departments": Department.objects.all(),
        },
    )


@login_required
@require_POST
def warning_export(request):
    _require(request)
    job = jobs.enqueue(kind="export.warnings", owner=request.user, parameters=_warning_filters(request))
    return redirect("web:job_detail", job.pk)


def _warning(request, pk):
    try:
        return selectors.warning_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def warning_detail(request, pk, failed=None):
    _require(request)
    warning = _warning(request, pk)
    return render(
        request,
        "monitoring/warning_detail.html",
        {
            "w": warning,
            "label": dict(selectors.kind_choices()).get(warning.kind, warning.kind),
            "steps": lifecycle.steps_for(request.user, warning),
            "failed": failed,
        },
        status=422 if failed else 200,
    )


@login_required
@require_POST
def warning_action(request, pk, action):
    _require(request)
    warning = _warning(request, pk)
    try:
        warnings.warning_act(
            warning=warning,
            action=action,
            acting_user=request.user,
            note=request.POST.get("note", "")[:10_000],
        )
    except ZhuqiError as exc:
        if exc.status == 403 or action not in lifecycle.USER_STEPS:
            raise Http404 from exc
        return warning_detail(request, pk, failed={"action": action, "message": str(exc.message)})
    messages.success(request, _("Done."))
    return redirect("monitoring:warning_detail", pk)


@login_required
def kind_rules(request):
    _require(request)
    editable = permissions.has(request.user, Capability.CONFIGURE_WARNINGS)
    labels = dict(selectors.kind_choices())
    rows = rules.rules_for(list(labels))
    error = None
    if request.method == "POST":
        if not editable:
            raise Http404
        try:
            rules.rule_update(
                acting_user=request.user,
                kind=request.POST.get("kind", "")[:40],
                enabled=request.POST.get("enabled") == "1",
                notify_office=request.POST.get("notify_office") == "1",
                notify_department=request.POST.get("notify_department") == "1",
                notify_town=request.POST.get("notify_town") == "1",
                notify_from=request.POST.get("notify_from", "")[:8],
                thresholds={k[2:]: v[:40] for k, v in request.POST.items() if k.startswith("t_")},
            )
        except ZhuqiError as exc:
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:kind_rules")
    return render(
        request,
        "monitoring/kind_rules.html",
        {
            "rows": [(rows[k], labels[k]) for k in sorted(rows)],
            "editable": editable,
            "levels": Level.choices,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def kpi_export(request):
    """The KPI table of the page (its grouping) as .xlsx: a job (an aggregate over every appeal), its
    page shows the progress and offers the file."""
    if not permissions.has(request.user, Capability.OVERSEE_APPEALS):
        raise Http404
    by = request.POST.get("by", "department")[:20]
    if by not in kpis.GROUPS:
        by = "department"
    job = jobs.enqueue(kind="export.appeal_kpis", owner=request.user, parameters={"by": by})
    return redirect("web:job_detail", job.pk)


@login_required
@require_POST
def coordination_export(request):
    """The coordination meeting list as .xlsx: a job (every escalated appeal ever, at a province's
    scale thousands), its page shows the progress and offers the file."""
    if not permissions.has(request.user, Capability.OVERSEE_APPEALS):
        raise Http404
    job = jobs.enqueue(kind="export.coordination", owner=request.user)
    return redirect("web:job_detail", job.pk)
