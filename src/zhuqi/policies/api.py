"""Policy endpoints. Thin: parse, call a selector or a service, answer."""

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhuqi.accounts.auth import token_or_session
from zhuqi.core import attachments as stored_files
from zhuqi.core import jobs, permissions
from zhuqi.core.http import Page, xlsx_response
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import AttachmentOut, Id, JobOut, Key, SearchText, Year, idempotency_header
from zhuqi.core.scopes import Scope
from zhuqi.directory.selectors import enterprise_get
from zhuqi.policies import disbursement, explain, grants, matching, packs, selectors, services
from zhuqi.policies.disbursement import export_batch
from zhuqi.policies.models import Application
from zhuqi.policies.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApproveIn,
    BatchOut,
    ClauseDetailOut,
    ClauseEditIn,
    ClauseOut,
    ClauseStatsOut,
    ConfirmIn,
    OfferOut,
    PackIn,
    PackOut,
    PeriodIn,
    PolicyOut,
    ReasonIn,
    StandingOut,
)

router = Router(tags=["policies"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="default: this year")

    @property
    def value(self) -> int:
        return self.year or timezone.localdate().year


@router.get("/policies", response=list[PolicyOut], auth=token_or_session(Scope.POLICIES_READ))
def policy_list(request):
    return list(selectors.policies())


@router.get("/policy-clauses", response=list[ClauseOut], auth=token_or_session(Scope.POLICIES_READ))
def clause_list(request):
    return list(selectors.clauses())


def clause_detail_out(clause, year: int):
    """The clause with its rule: condition, formula, inputs and parameters in force for `year`."""
    pack, rule = packs.clause_rule(clause)
    clause.condition = rule.condition_text
    clause.amount_formula = rule.amount_text
    clause.inputs = [
        {"name": f.name, "label": f.label, "unit": f.unit, "type": f.type} for f in rule.inputs.values()
    ]
    clause.parameters = packs.parameter_rows(pack, rule, matching.period_of(rule, year))
    return clause


@router.get("/policy-clauses/{code}", response=ClauseDetailOut, auth=token_or_session(Scope.POLICIES_READ))
def clause_detail(request, code: Key, q: Query[YearQuery]):
    return clause_detail_out(selectors.clause_get(code), q.value)


@router.put("/policy-clauses/{code}", response=ClauseDetailOut)
def clause_edit(request, code: Key, payload: ClauseEditIn):
    """Edits a clause (coordinating office): the pack is checked as a whole, a bad expression answers
    422 with the clause, field, line and column."""
    changes = {k: v for k, v in payload.dict(exclude={"clear_budget"}).items() if v is not None}
    if payload.clear_budget:
        changes["budget"] = None
    clause = packs.clause_update(clause=selectors.clause_get(code), changes=changes, acting_user=request.user)
    return clause_detail_out(clause, timezone.localdate().year)


@router.post("/policy-packs", response={201: PackOut})
def pack_import(request, payload: PackIn):
    return Status(201, packs.pack_import(text=payload.yaml, acting_user=request.user))


@router.get("/policy-packs/{code}", response={200: None})
def pack_export(request, code: Key):
    row = packs.pack_for_download(code, request.user)
    response = HttpResponse(row.document, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.code}.yaml"'
    return response


@router.post("/policy-matches/run", response={202: JobOut}, tags=["jobs"])
def match_run(request, payload: PeriodIn):
    """Queues a matching run for the period (the worker runs it); answers the job at once."""
    parameters = {"period": payload.period.isoformat()}
    return Status(202, jobs.enqueue(kind="policies.match", owner=request.user, parameters=parameters))


@router.get("/policy-standing", response=list[StandingOut])
def standing(request, q: Query[YearQuery], enterprise: Key = ""):
    """Where one enterprise stands against every clause in force in `year` (我的政策): eligible with the
    estimated amount, undecided with the missing facts, or not eligible with the failing conditions."""
    found = selectors.standing_enterprise(request.user, enterprise)
    return [{"clause": clause} | described for clause, described in explain.standing(found.pk, q.value)]


@router.get("/policy-clause-stats", response=list[ClauseStatsOut])
def clause_stats(request, q: Query[YearQuery]):
    """Per clause: enterprises eligible and undecided, the potential total, applications, offers."""
    stats = selectors.clause_stats(request.user, q.value)
    return [{"code": c.code, "title": c.title} | stats.get(c.pk, {}) for c in selectors.clauses()]


@router.post("/policy-applications", response={201: ApplicationOut, 200: ApplicationOut})
def application_submit(
    request, payload: ApplicationIn, idempotency_key: str | None = idempotency_header(Application)
):
    enterprise = (
        request.user.enterprise
        if permissions.has(request.user, Capability.APPLY_FOR_POLICIES)
        else enterprise_get(request.user, payload.enterprise_uscc or "")
    )
    application, created = services.application_submit(
        enterprise=enterprise,
        clause=selectors.clause_get(payload.clause_code),
        year=payload.year,
        inputs=payload.inputs,
        project=payload.project,
        acting_user=request.user,
        idempotency_key=idempotency_key,
    )
    return Status(201 if created else 200, application)


class ApplicationFilters(Schema):
    state: Key = ""
    clause: Key = ""
    year: Year | None = None
    q: SearchText = ""


@router.get("/policy-applications", response=list[ApplicationOut])
@paginate(Page)
def application_list(request, filters: Query[ApplicationFilters]):
    return selectors.application_list(request.user, **filters.dict())


@router.get("/policy-applications/{number}", response=ApplicationOut)
def application_detail(request, number: Key):
    return selectors.application_get(request.user, number)


@router.get("/policy-applications/{number}/attachments", response=list[AttachmentOut])
def application_attachments(request, number: Key):
    application = selectors.application_get(request.user, number)
    return stored_files.for_object("application", application.pk)


@router.post("/policy-applications/{number}/attachments", response={201: AttachmentOut})
def application_attach(request, number: Key, file: File[UploadedFile]):
    """Adds a supporting file (pdf, ofd, images, office documents, zip; up to ZHUQI_ATTACHMENT_MAX_MB)."""
    application = selectors.application_get(request.user, number)
    return Status(
        201, services.application_attach(application=application, upload=file, acting_user=request.user)
    )


@router.get("/policy-applications/{number}/attachments/{attachment_id}", response={200: None})
def application_attachment_download(request, number: Key, attachment_id: Id):
    found = selectors.application_attachment_get(request.user, number, attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


@router.post("/policy-applications/{number}/approve", response=ApplicationOut)
def application_approve(request, number: Key, payload: ApproveIn):
    application = selectors.application_get(request.user, number)
    return services.application_approve(
        application=application, amount=payload.amount, comment=payload.comment, acting_user=request.user
    )


@router.post("/policy-applications/{number}/reject", response=ApplicationOut)
def application_reject(request, number: Key, payload: ReasonIn):
    application = selectors.application_get(request.user, number)
    return services.application_reject(
        application=application, reason=payload.reason, acting_user=request.user
    )


@router.post("/policy-applications/{number}/withdraw", response=ApplicationOut)
def application_withdraw(request, number: Key):
    application = selectors.application_get(request.user, number)
    return services.application_withdraw(application=application, acting_user=request.user)


@router.post("/grant-offers/run", response={202: JobOut}, tags=["jobs"])
def offers_run(request, payload: PeriodIn):
    """Queues a 免申即享 offer run for the period (the worker runs it); answers the job at once."""
    parameters = {"period": payload.period.isoformat()}
    return Status(202, jobs.enqueue(kind="policies.offers", owner=request.user, parameters=parameters))


class OfferFilters(Schema):
    state: Key = ""
    year: Year | None = None
    q: SearchText = ""


@router.get("/grant-offers", response=list[OfferOut])
@paginate(Page)
def offer_list(request, filters: Query[OfferFilters]):
    return selectors.offer_list(request.user, **filters.dict())


@router.get("/grant-offers/{number}", response=OfferOut)
def offer_detail(request, number: Key):
    return selectors.offer_get(request.user, number)


@router.post("/grant-offers/{number}/confirm", response=OfferOut)
def offer_confirm(request, number: Key, payload: ConfirmIn):
    offer = selectors.offer_get(request.user, number)
    return grants.offer_confirm(offer=offer, acting_user=request.user, **payload.dict())


@router.post("/grant-offers/{number}/cancel", response=OfferOut)
def offer_cancel(request, number: Key, payload: ReasonIn):
    offer = selectors.offer_get(request.user, number)
    return grants.offer_cancel(offer=offer, reason=payload.reason, acting_user=request.user)


@router.post("/disbursements", response={201: BatchOut})
def batch_create(request):
    batch = disbursement.batch_create(acting_user=request.user)
    return Status(201, selectors.batch_get(request.user, batch.number))


@router.get("/disbursements", response=list[BatchOut])
@paginate(Page)
def batch_list(request):
    return selectors.batches_visible_to(request.user)


@router.get("/disbursements/{number}.xlsx", response={200: None})
def batch_export(request, number: Key):
    batch = selectors.batch_get(request.user, number)
    return xlsx_response(export_batch(batch), f"{batch.number}.xlsx")


@router.post("/disbursements/{number}/paid", response=BatchOut)
def batch_paid(request, number: Key):
    batch = disbursement.batch_mark_paid(
        batch=selectors.batch_get(request.user, number), acting_user=request.user
    )
    return selectors.batch_get(request.user, batch.number)
