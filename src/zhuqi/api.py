"""The versioned REST API under /api/v1/: token auth for system clients, session auth for the browser.

Every refusal has one shape: {"code", "message" (中文), "message_en", ...} with a 4xx status.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from zhuqi.accounts.auth import session_only
from zhuqi.core.errors import ZhuqiError, error_body
from zhuqi.web.security import docs_access

api = NinjaAPI(
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


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, error_body("unauthenticated", _("Sign in, or send a valid API token.")), status=401
    )


def _register_routers() -> None:
    from zhuqi.accounts.api import router as accounts_router
    from zhuqi.appeals.api import router as appeals_router
    from zhuqi.core.api import router as core_router
    from zhuqi.directory.api import router as directory_router
    from zhuqi.policies.api import router as policies_router
    from zhuqi.web.api import router as web_router

    api.add_router("/", accounts_router)
    api.add_router("/", directory_router)
    api.add_router("/", appeals_router)
    api.add_router("/", policies_router)
    api.add_router("/", core_router)
    api.add_router("/", web_router)


_register_routers()
