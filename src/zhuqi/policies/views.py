"""Policy pages. Thin: parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import attachments as stored_files
from zhuqi.core import jobs, permissions
from zhuqi.core.audit import trail
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.http import xlsx_response
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.policies import disbursement, grants, lifecycle, matching, packs, selectors, services
from zhuqi.policies.disbursement import export_batch
from zhuqi.policies.explain import describe, parameters_shown, shown_kept, standing
from zhuqi.policies.forms import ApplicationForm, ClauseForm, PackImportForm
from zhuqi.policies.models import ApplicationState, Clause, MatchRun, OfferState, PolicyPack


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _years() -> range:
    """The years to choose from: this year back to 2017, the doubling programme's first."""
    return range(timezone.localdate().year, 2016, -1)


def _or_404(read):
    try:
        return read()
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _form_status(request) -> int:
    """A form page answers 422 to a POST that reached it (the POST was refused: a success redirects)
    and 200 to a GET."""
    return 422 if request.method == "POST" else 200


@login_required
def catalogue(request):
    year = _year(request)
    staff = permissions.has(request.user, Capability.READ_POLICY_FIGURES)
    policies = selectors.policies().prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.filter(retired=False).select_related("department"))
    )
    return render(
        request,
        "policies/catalogue.html",
        {
            "year": year,
            "years": _years(),
            "policies": policies,
            "stats": selectors.clause_stats(request.user, year) if staff else {},
            "staff": staff,
            "runs": MatchRun.objects.all()[:5] if staff else [],
            "pack_rows": PolicyPack.objects.all() if packs.may_download(request.user) else [],
        },
    )


@login_required
def clause_detail(request, code):
    clause = _or_404(lambda: selectors.clause_get(code))
    year = _year(request)
    form = None
    if permissions.has(request.user, Capability.CONFIGURE_POLICIES):
        form = ClauseForm(request.POST or None, clause=clause)
        if request.method == "POST" and form.is_valid():
            try:
                clause = packs.clause_update(clause=clause, changes=form.changes(), acting_user=request.user)
            except ZhuqiError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Clause %(code)s saved.") % {"code": clause.code})
                return redirect("policies:clause_detail", clause.code)
    elif request.method == "POST":
        raise Http404
    pack, rule = packs.clause_rule(clause)
    standing = None
    if permissions.has(request.user, Capability.APPLY_FOR_POLICIES):
        standing = describe(
            matching.explain_one(request.user.enterprise_id, clause, year), pack.labels(rule), pack.parameters
        )
    return render(
        request,
        "policies/clause_detail.html",
        {
            "clause": clause,
            "rule": rule,
            "year": year,
            "parameters": parameters_shown(packs.parameter_rows(pack, rule, matching.period_of(rule, year))),
            "standing": standing,
            "form": form,
            "in_force": services.in_force_in(clause, year),
        },
        status=_form_status(request),
    )


@login_required
def my_policies(request):
    year = _year(request)
    uscc = request.GET.get("enterprise", "")
    try:
        enterprise = selectors.standing_enterprise(request.user, uscc)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ZhuqiError as exc:
        return render(
            request, "policies/mine.html", {"year": year, "problem": exc.message, "enterprise": None}
        )
    groups = {"eligible": [], "undecided": [], "not_eligible": []}
    for clause, described in standing(enterprise.pk, year):
        groups[described["status"]].append((clause, described))
    estimated = sum((d["amount"] for _c, d in groups["eligible"] if d["amount"]), start=0)
    # The latest application to each clause this year: shown instead of a second 申报.
    applied = {}
    for application in selectors.application_list(request.user, year=year).filter(enterprise=enterprise):
        applied.setdefault(application.clause_id, application)
    return render(
        request,
        "policies/mine.html",
        {
            "year": year,
            "years": _years(),
            "enterprise": enterprise,
            "groups": groups,
            "estimated": estimated,
            "can_apply": permissions.has(request.user, Capability.APPLY_FOR_POLICIES),
            "applied": applied,
            "open_states": lifecycle.LIVE_APPLICATION_STATES,
            "offers": selectors.offer_list(request.user).filter(enterprise=enterprise)[:20],
        },
    )


@login_required
def application_new(request, code):
    clause = _or_404(lambda: selectors.clause_get(code))
    if not permissions.has(request.user, Capability.APPLY_FOR_POLICIES):
        raise Http404
    year = _year(request)
    fields = services.application_fields(clause, request.user.enterprise_id, year)
    form = ApplicationForm(request.POST or None, request.FILES or None, fields=fields, clause=clause)
    if request.method == "POST" and form.is_valid():
        try:
            application, _created = services.application_submit(
                enterprise=request.user.enterprise,
                clause=clause,
                year=year,
                inputs=form.inputs(),
                project=form.cleaned_data.get("project", ""),
                acting_user=request.user,
                idempotency_key=request.POST.get("idempotency_key") or None,
                attachments=[form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else [],
            )
        except ZhuqiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Application %(number)s submitted.") % {"number": application.number})
            return redirect("policies:application_detail", application.number)
    return render(
        request,
        "policies/application_form.html",
        {"clause": clause, "year": year, "form": form},
        status=_form_status(request),
    )


@login_required
def application_list(request):
    filters = {k: request.GET.get(k, "") for k in ("state", "clause", "q")}
    qs = selectors.application_list(request.user, **filters)
    page = list_page(request, qs, 25)
    return render(
        request,
        "policies/application_list.html",
        {"page": page, "filters": filters, "states": ApplicationState.choices},
    )


@login_required
def application_detail(request, number):
    application = _or_404(lambda: selectors.application_get(request.user, number))
    clause = application.clause
    pack, rule = packs.clause_rule(clause)
    explanation = matching.explain_one(
        application.enterprise_id, clause, application.year, application.inputs
    )
    may = set(lifecycle.offered(lifecycle.APPLICATION_STEPS, request.user, application))
    labels = pack.labels(rule)
    return render(
        request,
        "policies/application_detail.html",
        {
            "application": application,
            "would_refuse": services.approval_would_refuse(application) if "approve" in may else [],
            "standing": describe(explanation, pack.labels(rule), pack.parameters),
            "labels": pack.labels(rule),
            "may": may,
            "trail": trail(application),
            "attachments": stored_files.for_object("application", application.pk),
            "inputs": [
                (labels[k].label if k in labels else k, shown_kept(v, labels.get(k)))
                for k, v in application.inputs.items()
            ],
        },
    )


@login_required
def application_attachment(request, number, pk):
    found = _or_404(lambda: selectors.application_attachment_get(request.user, number, pk))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


@require_POST
@login_required
def application_attach(request, number):
    application = _or_404(lambda: selectors.application_get(request.user, number))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ZhuqiError("file_missing", _("Choose a file."), status=422, field="file")
        services.application_attach(application=application, upload=upload, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    return redirect("policies:application_detail", number)


@require_POST
@login_required
def application_action(request, number, action):
    application = _or_404(lambda: selectors.application_get(request.user, number))
    try:
        if action == "approve":
            services.application_approve(
                application=application,
                amount=request.POST.get("amount", ""),
                comment=request.POST.get("comment", ""),
                acting_user=request.user,
            )
        elif action == "reject":
            services.application_reject(
                application=application, reason=request.POST.get("reason", ""), acting_user=request.user
            )
        elif action == "withdraw":
            services.application_withdraw(application=application, acting_user=request.user)
        else:
            raise Http404
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Application %(number)s updated.") % {"number": number})
    return redirect("policies:application_detail", number)


@login_required
def offer_list(request):
    filters = {k: request.GET.get(k, "") for k in ("state", "q")}
    page = list_page(request, selectors.offer_list(request.user, **filters), 25)
    return render(
        request,
        "policies/offer_list.html",
        {
            "page": page,
            "filters": filters,
            "states": OfferState.choices,
            "batches": selectors.batches_visible_to(request.user)[:20],
            "waiting": selectors.offer_list(request.user, state=OfferState.CONFIRMED).count(),
        },
    )


def _facts_shown(offer) -> list[tuple[str, str]]:
    """The facts an offer was computed from, as labels and values people read."""
    pack, rule = packs.clause_rule(offer.clause)
    labels = pack.labels(rule)
    return [
        (labels[name].label if name in labels else name, shown_kept(value, labels.get(name)))
        for name, value in (offer.facts or {}).items()
    ]


@login_required
def offer_detail(request, number):
    offer = _or_404(lambda: selectors.offer_get(request.user, number))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                grants.offer_cancel(
                    offer=offer, reason=request.POST.get("reason", ""), acting_user=request.user
                )
            else:
                grants.offer_confirm(
                    offer=offer,
                    bank_name=request.POST.get("bank_name", ""),
                    account_name=request.POST.get("account_name", ""),
                    account_number=request.POST.get("account_number", ""),
                    acting_user=request.user,
                )
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Grant %(number)s updated.") % {"number": number})
            return redirect("policies:offer_detail", number)
    return render(
        request,
        "policies/offer_detail.html",
        {
            "offer": offer,
            "facts": _facts_shown(offer),
            "may": set(lifecycle.offered(lifecycle.OFFER_STEPS, request.user, offer)),
            "trail": trail(offer),
            "post": request.POST,
        },
        status=_form_status(request),
    )


@require_POST
@login_required
def batch_create(request):
    try:
        batch = disbursement.batch_create(acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Disbursement batch %(number)s made.") % {"number": batch.number})
    return redirect("policies:offer_list")


@login_required
def batch_export(request, number):
    batch = _or_404(lambda: selectors.batch_get(request.user, number))
    return xlsx_response(export_batch(batch), f"{batch.number}.xlsx")


@require_POST
@login_required
def batch_paid(request, number):
    batch = _or_404(lambda: selectors.batch_get(request.user, number))
    try:
        disbursement.batch_mark_paid(batch=batch, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Batch %(number)s recorded as paid.") % {"number": number})
    return redirect("policies:offer_list")


@require_POST
@login_required
def run(request, what):
    """The coordinating office queues matching or the 免申即享 offers for a period; the job's page
    shows its progress."""
    kinds = {"match": "policies.match", "offers": "policies.offers"}
    if what not in kinds:
        raise Http404
    try:
        job = jobs.enqueue(
            kind=kinds[what], owner=request.user, parameters={"period": request.POST.get("period", "")}
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        return redirect("web:job_detail", job.pk)
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    return redirect(back if back and safe else "policies:catalogue")


@login_required
def pack_import(request):
    if not permissions.has(request.user, Capability.CONFIGURE_POLICIES):
        raise Http404
    form = PackImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = packs.pack_import(text=form.pack_text(), acting_user=request.user)
        except ZhuqiError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Policy pack %(code)s, version %(version)d, stored.")
                % {"code": row.code, "version": row.version},
            )
            return redirect("policies:catalogue")
    return render(request, "policies/pack_import.html", {"form": form}, status=_form_status(request))


@login_required
def pack_export(request, code):
    if not packs.may_download(request.user):
        raise Http404
    row = _or_404(lambda: packs.pack_get(code))
    response = HttpResponse(row.document, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.code}.yaml"'
    return response
