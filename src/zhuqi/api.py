"""The versioned REST API under /api/v1/: token auth for system clients, session auth for the browser.

Every refusal has one shape: {"code", "message" (中文), "message_en", ...} with a 4xx status.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhuqi.accounts.auth import session_only
from zhuqi.core.errors import ZhuqiError, error_body
from zhuqi.core.schemas import ErrorOut
from zhuqi.web.security import docs_access

ERROR_DESCRIPTIONS = {
    400: "Refused: the request cannot be carried out as it is (see code and message)",
    401: "Not signed in, or no valid API token",
    403: "Signed in, but not allowed to do this (or the browser's CSRF token is missing)",
    404: "Not found, or outside what the caller may see",
    409: "Conflicts with the current state (an impossible transition, a stale version, a budget)",
    413: "The file is too large (ZHUQI_ATTACHMENT_MAX_MB, or the import limits)",
    415: "The file's type is not accepted",
    422: "An input is missing, malformed or out of its bounds (field and details say which)",
}


def declared_errors(operation: dict, method: str) -> list[int]:
    """The refusals an operation can give: every operation needs authentication and may be refused;
    one that takes parameters or a body may find them invalid or name something that does not
    exist (or that the caller may not see); one that changes state may conflict with it."""
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    codes = [401, 403]
    if takes_input:
        codes += [400, 404, 422]
    if method != "get":
        codes += [400, 404, 409]
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        codes += [413, 415]
    return sorted(set(codes))


class ZhuqiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document, plus the error answers of every operation in the one error shape, so a
        client (and the schemathesis test) can rely on the status codes and bodies of refusals."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        for path_item in schema["paths"].values():
            for method, operation in path_item.items():
                responses = operation.setdefault("responses", {})
                for status in declared_errors(operation, method):
                    responses.setdefault(
                        status,
                        {
                            "description": ERROR_DESCRIPTIONS[status],
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                            },
                        },
                    )
        return schema


api = ZhuqiAPI(
    title="Zhuqi 助企 API",
    version="1",
    description="Enterprise service platform. Authenticate with `Authorization: Bearer <token>` "
    "(system clients; each endpoint names the token scope it needs) or a browser session.",
    urls_namespace="api-v1",
    # Tokens are refused unless the endpoint declares a scope (accounts.auth.token_or_session).
    auth=session_only,
    # The document and docs page answer signed-in users and tokens only (ZHUQI_PUBLIC_API_DOCS=1 opens them).
    docs_decorator=docs_access,
)


@api.exception_handler(ZhuqiError)
def zhuqi_error(request, exc: ZhuqiError):
    extra = {"field": exc.field} if exc.field else {}
    return api.create_response(request, error_body(exc.code, exc.message, **extra), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "problem": e.get("msg", "")}
        for e in exc.errors
    ]
    body = error_body("invalid_input", _("The request is not valid: see the details."), details=details)
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals (a body that is not JSON, a throttle) in the one error shape."""
    if exc.status_code == 400:
        message = _("The request body cannot be read: send JSON (or a form where a file is sent).")
        return api.create_response(request, error_body("bad_request", message), status=400)
    return api.create_response(request, error_body("refused", _("Refused.")), status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, error_body("unauthenticated", _("Sign in, or send a valid API token.")), status=401
    )


def _register_routers() -> None:
    from zhuqi.accounts.api import router as accounts_router
    from zhuqi.appeals.api import router as appeals_router
    from zhuqi.assessment.api import router as assessment_router
    from zhuqi.briefings.api import router as briefings_router
    from zhuqi.chains.api import router as chains_router
    from zhuqi.core.api import router as core_router
    from zhuqi.cultivation.api import router as cultivation_router
    from zhuqi.directory.api import router as directory_router
    from zhuqi.engagement.api import router as engagement_router
    from zhuqi.monitoring.api import router as monitoring_router
    from zhuqi.policies.api import router as policies_router
    from zhuqi.programs.api import router as programs_router
    from zhuqi.programs.monitoring_api import router as pilots_router
    from zhuqi.projects.api import router as projects_router
    from zhuqi.tiers.api import router as tiers_router
    from zhuqi.web.api import router as web_router

    api.add_router("/", accounts_router)
    api.add_router("/", directory_router)
    api.add_router("/", appeals_router)
    api.add_router("/", policies_router)
    api.add_router("/", programs_router)
    api.add_router("/", cultivation_router)
    api.add_router("/", projects_router)
    api.add_router("/", chains_router)
    api.add_router("/", assessment_router)
    api.add_router("/", briefings_router)
    api.add_router("/", pilots_router)
    api.add_router("/", tiers_router)
    api.add_router("/", core_router)
    api.add_router("/", monitoring_router)
    api.add_router("/", web_router)
    api.add_router("/", engagement_router)


_register_routers()
