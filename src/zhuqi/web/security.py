"""Web hardening that Django and django-csp do not do by themselves (README, "Hardening").

- Every answer of the project's own (pages, API, downloads; static files are served before this by
  whitenoise and keep their cache headers) carries `Cache-Control: no-store`: nearly every page and
  API answer holds personal or enterprise data, and a shared or back-button cache must not keep it.
  It also carries a Permissions-Policy that turns off the device features the platform never uses.
- A sign-in ends after ZHUQI_SESSION_IDLE_MINUTES without a request, and after SESSION_COOKIE_AGE
  in any case. The last-seen time is written at most once a minute, so a busy page is not a write per
  request; since that write renews Django's own expiry, the absolute limit is checked here too.
- The OpenAPI document and the interactive docs answer only a signed-in user or a valid token,
  unless ZHUQI_PUBLIC_API_DOCS=1.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import error_body

STARTED, SEEN = "zq_signed_in_at", "zq_seen_at"
SEEN_WRITE_SECONDS = 60


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.ZHUQI_PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        return response


@receiver(user_logged_in)
def _mark_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = request.session[SEEN] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for ZHUQI_SESSION_IDLE_MINUTES or older than SESSION_COOKIE_AGE.
    The request then goes on as anonymous: a page redirects to sign-in, the API answers 401, and an
    htmx request gets HX-Redirect to the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            now = int(time.time())
            started, seen = session.get(STARTED), session.get(SEEN)
            if started is None or seen is None:  # signed in before this check existed
                session[STARTED] = session[SEEN] = now
            elif (
                now - seen > settings.ZHUQI_SESSION_IDLE_MINUTES * 60
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                if request.headers.get("HX-Request"):
                    # htmx would swap the sign-in page into a fragment: send the whole page there.
                    login = resolve_url(settings.LOGIN_URL)
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = f"{login}?{urlencode({'next': request.get_full_path()})}"
                    return response
            elif now - seen >= SEEN_WRITE_SECONDS:
                session[SEEN] = now
        return self.get_response(request)


def docs_access(view):
    """For NinjaAPI(docs_decorator=…): the API's description is for those who may use the API."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.ZHUQI_PUBLIC_API_DOCS or request.user.is_authenticated or _bearer_ok(request):
            return view(request, *args, **kwargs)
        body = error_body("not_authenticated", _("Sign in, or send an API token, to read the API documents."))
        return JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})

    return wrapper


def _bearer_ok(request) -> bool:
    from zhuqi.accounts.services import api_token_lookup

    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return scheme.lower() == "bearer" and api_token_lookup(token.strip()) is not None
