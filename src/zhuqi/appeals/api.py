"""Appeal endpoints. Thin: parse, call a selector or a service, answer."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhuqi.accounts.auth import token_or_session
from zhuqi.appeals import deadlines, kpis, selectors, services
from zhuqi.appeals.models import Appeal, DeadlineRule
from zhuqi.appeals.schemas import (
    ActionIn,
    AppealDetailOut,
    AppealIn,
    AppealOut,
    AppealSubmittedOut,
    AttachmentOut,
    KpiOut,
    WarningOut,
)
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.http import Page
from zhuqi.core.schemas import Id, Key, Period, SearchText, column, idempotency_header
from zhuqi.core.scopes import Scope
from zhuqi.directory.models import ServiceCategory
from zhuqi.directory.selectors import category_by_code, enterprise_get

router = Router(tags=["appeals"])


class AppealFilters(Schema):
    state: Key = ""
    department: Key = ""
    town: Key = ""
    category: Key = ""
    q: SearchText = ""
    enterprise: Key = ""


@router.post(
    "/appeals",
    response={201: AppealSubmittedOut, 200: AppealSubmittedOut},
    auth=token_or_session(Scope.APPEALS_SUBMIT),
)
def appeal_submit(request, payload: AppealIn, idempotency_key: str | None = idempotency_header(Appeal)):
    """Submits an appeal. Retrying with the same Idempotency-Key returns the first one (200)."""
    enterprise = enterprise_get(request.user, payload.enterprise_uscc)
    category = category_by_code(payload.category_code)
    result = services.appeal_submit(
        enterprise=enterprise,
        title=payload.title,
        description=payload.description,
        category=category,
        acting_user=request.user,
        urgency=payload.urgency,
        channel=payload.channel,
        within_policy=payload.within_policy,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        idempotency_key=idempotency_key,
    )
    appeal = result.appeal
    appeal.possible_duplicates = [a.number for a in result.possible_duplicates]
    return Status(201 if result.created else 200, appeal)


@router.get("/appeals", response=list[AppealOut], auth=token_or_session(Scope.APPEALS_READ))
@paginate(Page)
def appeal_list(request, filters: Query[AppealFilters]):
    return selectors.appeal_list(request.user, **filters.dict())


@router.get("/appeals/{number}", response=AppealDetailOut, auth=token_or_session(Scope.APPEALS_READ))
def appeal_detail(request, number: Key):
    return selectors.appeal_get(request.user, number)


# Before /appeals/{number}/{action}: the first matching route wins.
@router.get(
    "/appeals/{number}/attachments", response=list[AttachmentOut], auth=token_or_session(Scope.APPEALS_READ)
)
def appeal_attachments(request, number: Key):
    return selectors.appeal_attachments(request.user, number)


@router.post(
    "/appeals/{number}/attachments",
    response={201: AttachmentOut},
    auth=token_or_session(Scope.APPEALS_SUBMIT),
)
def appeal_attach(request, number: Key, file: File[UploadedFile]):
    """Adds a file (pdf, ofd, images, office documents, zip; up to ZHUQI_ATTACHMENT_MAX_MB)."""
    appeal = selectors.appeal_get(request.user, number)
    return Status(201, services.appeal_attach(appeal=appeal, acting_user=request.user, upload=file))


@router.get(
    "/appeals/{number}/attachments/{attachment_id}",
    response={200: None},
    auth=token_or_session(Scope.APPEALS_READ),
)
def appeal_attachment_download(request, number: Key, attachment_id: Id):
    found = selectors.appeal_attachment_get(request.user, number, attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


@router.post("/appeals/{number}/{action}", response=AppealDetailOut)
def appeal_action(request, number: Key, action: Key, payload: ActionIn):
    """One endpoint per action: dispatch, accept, return, transfer, progress, reply, rate, escalate,
    decide, withdraw, merge, instruct, follow-up. An impossible transition answers 409."""
    appeal = selectors.appeal_get(request.user, number)
    services.perform(action, appeal=appeal, acting_user=request.user, **payload.dict())
    return selectors.appeal_get(request.user, number)


@router.get("/appeal-warnings", response=list[WarningOut])
@paginate(Page)
def appeal_warnings(request):
    return selectors.warning_list(request.user)


@router.get("/appeal-kpis", response=list[KpiOut])
def appeal_kpis(request, by: Key = "all", start: Period | None = None, end: Period | None = None):
    if by not in kpis.GROUPS:
        raise ZhuqiError(
            "bad_group",
            Message(_("Group by one of: %(groups)s."), {"groups": ", ".join(kpis.GROUPS)}),
            status=422,
        )
    return kpis.compute(selectors.appeals_visible_to(request.user), by, start=start, end=end, rollup=True)


class DeadlineRuleIn(Schema):
    category_code: column(ServiceCategory, "code") | None = None
    urgency: column(DeadlineRule, "urgency")
    dispatch_days: column(DeadlineRule, "dispatch_days")
    progress_days: column(DeadlineRule, "progress_days")
    resolve_days: column(DeadlineRule, "resolve_days")


class DeadlineRuleOut(Schema):
    id: int
    category_code: str | None = Field(None, alias="category.code")
    urgency: str
    dispatch_days: int
    progress_days: int
    resolve_days: int


@router.get("/deadline-rules", response=list[DeadlineRuleOut], tags=["settings"])
def deadline_rules(request):
    """Every rule; a category without one uses its parent's, the general rule, or the defaults."""
    return DeadlineRule.objects.select_related("category").order_by("category__code", "urgency")


@router.put("/deadline-rules", response=DeadlineRuleOut, tags=["settings"])
def deadline_rule_set(request, payload: DeadlineRuleIn):
    category = None
    if payload.category_code:
        category = category_by_code(payload.category_code)
    return deadlines.deadline_rule_set(
        category=category, acting_user=request.user, **payload.dict(exclude={"category_code"})
    )


@router.delete("/deadline-rules/{rule_id}", response={204: None}, tags=["settings"])
def deadline_rule_remove(request, rule_id: Id):
    rule = DeadlineRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("deadline_rule_not_found", _("No such deadline rule."))
    deadlines.deadline_rule_remove(rule=rule, acting_user=request.user)
    return Status(204, None)
