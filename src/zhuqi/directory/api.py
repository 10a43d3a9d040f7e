"""Directory endpoints. Thin: parse, call a selector or a service, answer."""

from django.utils.translation import gettext_lazy as _
from ninja import Body, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhuqi.accounts.auth import token_or_session
from zhuqi.core import jobs, tabular
from zhuqi.core.errors import Forbidden, Message, NotFound, ZhuqiError
from zhuqi.core.http import Page, xlsx_response
from zhuqi.core.schemas import Id, JobOut, Key, SearchText
from zhuqi.core.scopes import Scope
from zhuqi.directory import importers, indicators, selectors, services
from zhuqi.directory import jobs as directory_jobs
from zhuqi.directory.models import ImportBatch, Source
from zhuqi.directory.schemas import (
    FEED_MAX_VALUES,
    CategoryOut,
    DepartmentOut,
    EnterpriseDetailOut,
    EnterpriseIn,
    EnterpriseOut,
    ImportBatchOut,
    IndicatorValueIn,
    IndicatorValueOut,
    TownOut,
    UpsertCounts,
)

router = Router(tags=["directory"])


class EnterpriseFilters(Schema):
    q: SearchText = ""
    town: Key = ""
    industry: Key = ""
    doubling_class: Key = ""
    tag: Key = ""


@router.get("/towns", response=list[TownOut], auth=token_or_session(Scope.REFERENCE_READ))
def town_list(request):
    return selectors.towns()


@router.get("/departments", response=list[DepartmentOut], auth=token_or_session(Scope.REFERENCE_READ))
def department_list(request):
    return selectors.departments()


@router.get("/categories", response=list[CategoryOut], auth=token_or_session(Scope.REFERENCE_READ))
def category_list(request):
    return selectors.categories()


@router.get("/enterprises", response=list[EnterpriseOut], auth=token_or_session(Scope.ENTERPRISES_READ))
@paginate(Page)
def enterprise_list(request, filters: Query[EnterpriseFilters]):
    return selectors.enterprise_search(request.user, **filters.dict())


@router.get(
    "/enterprises/{uscc}", response=EnterpriseDetailOut, auth=token_or_session(Scope.ENTERPRISES_READ)
)
def enterprise_detail(request, uscc: Key):
    return selectors.enterprise_get(request.user, uscc)


def _enterprise_data(payload: EnterpriseIn, uscc: Key | None = None) -> services.EnterpriseData:
    town = selectors.town_by_code(payload.town_code)
    return services.EnterpriseData(
        uscc=uscc or payload.uscc,
        name=payload.name,
        town=town,
        industry_code=payload.industry_code,
        ownership=payload.ownership,
        listing=payload.listing,
        size=payload.size,
        doubling_class=payload.doubling_class,
        address=payload.address,
        tags=payload.tags,
    )


@router.post("/enterprises", response={201: EnterpriseDetailOut, 200: EnterpriseDetailOut})
def enterprise_create_or_update(request, payload: EnterpriseIn):
    """Creates an enterprise, or updates the one with this code (upsert)."""
    enterprise, outcome = services.enterprise_upsert(data=_enterprise_data(payload), acting_user=request.user)
    return Status(
        201 if outcome == "created" else 200, selectors.enterprise_get(request.user, enterprise.uscc)
    )


@router.get(
    "/enterprises/{uscc}/indicators",
    response=list[IndicatorValueOut],
    auth=token_or_session(Scope.INDICATORS_READ),
)
def enterprise_indicators(request, uscc: Key, period_type: str = "", indicator: str = ""):
    enterprise = selectors.enterprise_get(request.user, uscc)
    qs = enterprise.indicator_values.order_by("indicator", "year", "period_type", "period_no", "source")
    if period_type:
        qs = qs.filter(period_type=period_type)
    if indicator:
        qs = qs.filter(indicator=indicator)
    return qs


FEED_BODY = Body(..., max_length=FEED_MAX_VALUES)


@router.post(
    "/indicators",
    response=UpsertCounts,
    auth=token_or_session(Scope.INDICATORS_WRITE_TAX, Scope.INDICATORS_WRITE_STATS),
)
def indicator_values_post(request, payload: list[IndicatorValueIn] = FEED_BODY):
    """Data feeds (tax bureau, statistics bureau) upsert values; unchanged values are left alone."""
    codes = {p.uscc.strip().upper() for p in payload}
    ids = dict(
        selectors.enterprises_visible_to(request.user).filter(uscc__in=codes).values_list("uscc", "id")
    )
    token = getattr(request.user, "api_token", None)
    records = []
    for i, item in enumerate(payload):
        source = _indicator_source(i, item.source, token)
        code = item.uscc.strip().upper()
        if code not in ids:
            raise ZhuqiError(
                "unknown_enterprise",
                Message(_("Item %(i)d: no enterprise with the code %(code)s."), {"i": i, "code": code}),
                status=422,
            )
        if item.indicator not in indicators.BY_KEY:
            raise ZhuqiError(
                "unknown_indicator",
                Message(_("Item %(i)d: unknown indicator %(name)s."), {"i": i, "name": item.indicator}),
                status=422,
            )
        records.append(
            services.IndicatorRecord(
                ids[code],
                item.indicator,
                item.period_type,
                item.year,
                item.period_no,
                item.value,
                source,
                item.verified,
            )
        )
    return services.indicator_values_upsert(records=records, acting_user=request.user)


def _indicator_source(i: int, claimed: str | None, token) -> str:
    """A token writes as its feed, never as the source its body claims; a person names the source."""
    if token is not None:
        if token.feed is None:
            raise Forbidden(
                "feed_token_required",
                _("A system client records indicator values only with a tax or statistics feed token."),
            )
        if claimed and claimed != token.feed:
            raise Forbidden(
                "source_not_yours",
                Message(
                    _("Item %(i)d: this token writes as %(source)s only."),
                    {"i": i, "source": Source(token.feed).label},
                ),
            )
        return token.feed
    if not claimed:
        raise ZhuqiError(
            "source_missing", Message(_("Item %(i)d: name the source."), {"i": i}), field="source", status=422
        )
    return claimed


@router.post(
    "/exports/enterprises",
    response={202: JobOut},
    tags=["jobs"],
    auth=token_or_session(Scope.ENTERPRISES_READ),
)
def export_enterprises(request, filters: Query[EnterpriseFilters]):
    """Queues the visible enterprises' export (.xlsx, the import layout); answers the job at once."""
    return Status(202, jobs.enqueue(kind="export.enterprises", owner=request.user, parameters=filters.dict()))


@router.post(
    "/exports/indicators", response={202: JobOut}, tags=["jobs"], auth=token_or_session(Scope.INDICATORS_READ)
)
def export_indicators(request):
    """Queues the export of the visible enterprises' indicator values; answers the job at once."""
    return Status(202, jobs.enqueue(kind="export.indicators", owner=request.user))


def _batch(request, batch_id: Id) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=batch_id, uploaded_by=request.user).first()
    if batch is None:
        raise NotFound("import_not_found", _("No such import."))
    return batch


@router.post("/imports", response={201: ImportBatchOut})
def import_upload(request, kind: Form[Key], file: File[UploadedFile]):
    """Checks a file and returns its row report; nothing is imported until it is applied."""
    tabular.check_size(file.size)  # before the file is read into memory
    batch = importers.import_check(
        kind=kind, filename=file.name, content=file.read(), acting_user=request.user
    )
    return Status(201, batch)


@router.get(
    "/imports/templates/{kind}.xlsx",
    summary="The template of an import kind (enterprises, indicators, appeals): columns and one example row",
)
def import_template(request, kind: str):
    content = importers.template(kind=kind, acting_user=request.user)
    return xlsx_response(content, f"zhuqi-{kind}-template.xlsx")


@router.get("/imports/{batch_id}", response=ImportBatchOut)
def import_detail(request, batch_id: Id):
    return _batch(request, batch_id)


@router.post("/imports/{batch_id}/apply", response={200: ImportBatchOut, 202: JobOut})
def import_apply(request, batch_id: Id, valid_only: bool = False):
    """Applies a checked import; one of more than ZHUQI_IMPORT_JOB_ROWS rows is applied by the worker
    (202 with the job)."""
    batch = _batch(request, batch_id)
    if directory_jobs.needs_job(batch):
        parameters = {"batch": batch.pk, "valid_only": valid_only}
        return Status(202, jobs.enqueue(kind="import.apply", owner=request.user, parameters=parameters))
    return importers.import_apply(batch=batch, acting_user=request.user, valid_only=valid_only)


@router.post("/imports/{batch_id}/discard", response=ImportBatchOut)
def import_discard(request, batch_id: Id):
    return importers.import_discard(batch=_batch(request, batch_id), acting_user=request.user)
