"""Directory pages. Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import audit, jobs, permissions, tabular
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import xlsx_response
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.directory import figures, importers, indicators, industries, selectors, services
from zhuqi.directory import jobs as directory_jobs
from zhuqi.directory.forms import EnterpriseForm, ImportForm
from zhuqi.directory.models import Enterprise, ImportBatch, Tag

FILTERS = ("q", "town", "industry", "doubling_class", "tag")


def _get_enterprise(request, uscc):
    try:
        return selectors.enterprise_get(request.user, uscc)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _require_editor(request):
    if not permissions.has(request.user, Capability.EDIT_DIRECTORY):
        raise Http404


@login_required
def enterprise_list(request):
    filters = {k: request.GET.get(k, "") for k in FILTERS}
    qs = selectors.enterprise_search(request.user, **filters)
    page = list_page(request, qs.prefetch_related("tags"), 25)
    context = {
        "page": page,
        "filters": filters,
        "towns": selectors.towns(),
        "sections": [(code, f"{code} {name}") for code, (name, _r) in industries.SECTIONS.items()]
        + [(f"C{d}", f"C{d} {n}") for d, n in industries.DIVISIONS.items() if 13 <= d <= 43],
        "classes": Enterprise.DoublingClass.choices,
        "tags": Tag.objects.all(),
    }
    template = (
        "directory/_enterprise_rows.html"
        if request.headers.get("HX-Request")
        else "directory/enterprise_list.html"
    )
    return render(request, template, context)


@login_required
def enterprise_options(request):
    """<option>s for a picker of enterprises in scope (htmx fills a <datalist>): name or code, at
    least 2 characters, at most 10 rows. htmx sends the input under its own name: the pickers are
    named q, enterprise_uscc (appeals) and enterprise (visits)."""
    q = request.GET.get("q") or request.GET.get("enterprise_uscc") or request.GET.get("enterprise") or ""
    return render(
        request,
        "directory/_enterprise_options.html",
        {"options": selectors.enterprise_options(request.user, q)},
    )


@login_required
def enterprise_detail(request, uscc):
    enterprise = _get_enterprise(request, uscc)
    series = figures.enterprise_series(enterprise.pk)
    chart_keys = ["revenue", "main_revenue", "tax_paid", "total_profit", "rd_expense", "exports"]
    return render(
        request,
        "directory/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "series": series,
            "latest": series[-1] if series else None,
            "chart_series": [
                {"key": k, "name": str(indicators.BY_KEY[k].label), "data": [row.get(k) for row in series]}
                for k in chart_keys
            ],
            "years": [row["year"] for row in series],
            "indicator_rows": [(i, [row.get(i.key) for row in series]) for i in indicators.INDICATORS],
            "can_edit": permissions.has(request.user, Capability.EDIT_DIRECTORY),
        },
    )


@login_required
def enterprise_edit(request, uscc=None):
    _require_editor(request)
    existing = _get_enterprise(request, uscc) if uscc else None
    if request.method == "POST":
        form = EnterpriseForm(request.POST, existing=existing)
        if form.is_valid():
            try:
                enterprise, _outcome = services.enterprise_upsert(
                    data=form.to_data(), acting_user=request.user
                )
            except ZhuqiError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("directory:enterprise_detail", enterprise.uscc)
        status = 422
    else:
        form = EnterpriseForm(
            initial=EnterpriseForm.initial_from(existing) if existing else None, existing=existing
        )
        status = 200
    return render(
        request, "directory/enterprise_form.html", {"form": form, "existing": existing}, status=status
    )


@login_required
@require_POST
def enterprise_export(request, what="enterprises"):
    """Queues the export of the listed enterprises (or their indicator values) and opens its job."""
    if what == "indicators":
        job = jobs.enqueue(kind="export.indicators", owner=request.user)
    else:
        filters = {k: request.GET.get(k, "") for k in FILTERS}
        job = jobs.enqueue(kind="export.enterprises", owner=request.user, parameters=filters)
    return redirect("web:job_detail", job.pk)


def _require_importer(request) -> list[tuple[str, str]]:
    kinds = importers.kinds_for(request.user)
    if not kinds:
        raise Http404
    return kinds


@login_required
def import_upload(request):
    kinds = _require_importer(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                tabular.check_size(upload.size)  # before the file is read into memory
                batch = importers.import_check(
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    content=upload.read(),
                    acting_user=request.user,
                )
            except ZhuqiError as exc:
                form.add_error("file", str(exc.message))
            else:
                return redirect("directory:import_detail", batch.pk)
        status = 422
    else:
        form, status = ImportForm(kinds=kinds, initial={"kind": request.GET.get("kind")}), 200
    recent = ImportBatch.objects.filter(uploaded_by=request.user).defer("content")[:10]
    return render(
        request,
        "directory/import_upload.html",
        {"form": form, "recent": recent, "kinds": kinds},
        status=status,
    )


@login_required
def import_template(request, kind):
    """The .xlsx template of an import kind the user may import: columns and one example row."""
    _require_importer(request)
    try:
        content = importers.template(kind=kind, acting_user=request.user)
    except ZhuqiError as exc:
        raise Http404 from exc
    return xlsx_response(content, f"zhuqi-{kind}-template.xlsx")


def _batch(request, pk) -> ImportBatch:
    _require_importer(request)
    batch = ImportBatch.objects.filter(pk=pk, uploaded_by=request.user).defer("content").first()
    if batch is None:
        raise Http404
    return batch


@login_required
def import_detail(request, pk):
    batch = _batch(request, pk)
    spec = importers.KINDS.get(batch.kind)
    return render(
        request,
        "directory/import_detail.html",
        {"batch": batch, "trail": audit.trail(batch), "whole_only": spec is not None and spec.whole_only},
    )


@login_required
@require_POST
def import_decide(request, pk):
    batch = _batch(request, pk)
    action = request.POST.get("action")
    try:
        if action in ("apply_all", "apply_valid") and directory_jobs.needs_job(batch):
            parameters = {"batch": batch.pk, "valid_only": action == "apply_valid"}
            job = jobs.enqueue(kind="import.apply", owner=request.user, parameters=parameters)
            return redirect("web:job_detail", job.pk)
        if action == "apply_all":
            batch = importers.import_apply(batch=batch, acting_user=request.user)
        elif action == "apply_valid":
            batch = importers.import_apply(batch=batch, acting_user=request.user, valid_only=True)
        elif action == "discard":
            batch = importers.import_discard(batch=batch, acting_user=request.user)
        else:
            raise ZhuqiError("bad_action", _("Unknown action."))
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(status)s.") % {"status": batch.get_status_display()})
    return redirect("directory:import_detail", batch.pk)
