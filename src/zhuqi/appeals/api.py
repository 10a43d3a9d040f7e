"""Appeal endpoints. Thin: parse, call a selector or a service, answer."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhuqi.appeals import deadlines, kpis, selectors, services
from zhuqi.appeals.schemas import ActionIn, AppealDetailOut, AppealIn, AppealOut, KpiOut, WarningOut
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.directory.api import Page
from zhuqi.directory.models import ServiceCategory
from zhuqi.directory.selectors import enterprise_get

router = Router(tags=["appeals"])


class AppealFilters(Schema):
    state: str = ""
    department: str = ""
    town: str = ""
    category: str = ""
    q: str = ""
    enterprise: str = ""


@router.post("/appeals", response={201: AppealDetailOut, 200: AppealDetailOut})
def appeal_submit(
    request, payload: AppealIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    """Submits an appeal. Retrying with the same Idempotency-Key returns the first one (200)."""
    enterprise = enterprise_get(request.user, payload.enterprise_uscc)
    category = ServiceCategory.objects.filter(code=payload.category_code).first()
    if category is None:
        raise ZhuqiError(
            "unknown_category",
            Message(_("Unknown category: %(code)s."), {"code": payload.category_code}),
            status=422,
            field="category_code",
        )
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


@router.get("/appeals", response=list[AppealOut])
@paginate(Page)
def appeal_list(request, filters: Query[AppealFilters]):
    return selectors.appeal_list(request.user, **filters.dict())


@router.get("/appeals/{number}", response=AppealDetailOut)
def appeal_detail(request, number: str):
    return selectors.appeal_get(request.user, number)


@router.post("/appeals/{number}/{action}", response=AppealDetailOut)
def appeal_action(request, number: str, action: str, payload: ActionIn):
    """One endpoint per action: dispatch, accept, return, transfer, progress, reply, rate, escalate,
    decide, withdraw, merge, instruct, follow-up. An impossible transition answers 409."""
    appeal = selectors.appeal_get(request.user, number)
    services.perform(action, appeal=appeal, acting_user=request.user, **payload.dict())
    return selectors.appeal_get(request.user, number)


@router.get("/appeal-warnings", response=list[WarningOut])
@paginate(Page)
def appeal_warnings(request):
    return [
        WarningOut(
            number=a.number,
            title=a.title,
            enterprise_name=a.enterprise.name,
            department_code=a.department.code if a.department_id else None,
            state=a.state,
            level=level,
            due=deadlines.active_due(a),
        )
        for a, level in selectors.warning_list(request.user)
    ]


@router.get("/appeal-kpis", response=list[KpiOut])
def appeal_kpis(request, by: str = "all", start: date | None = None, end: date | None = None):
    if by not in kpis.GROUPS:
        raise ZhuqiError(
            "bad_group",
            Message(_("Group by one of: %(groups)s."), {"groups": ", ".join(kpis.GROUPS)}),
            status=422,
        )
    return kpis.compute(selectors.appeals_visible_to(request.user), by, start=start, end=end)
