"""API authentication: scoped bearer tokens for system clients, the session for people.

Every endpoint says which scope a token needs with `auth=token_or_session(Scope.X)`; the API's
default (`auth=session_only`) refuses tokens, so an endpoint is closed to machines until it says
otherwise. Session requests keep the role and capability checks of the services.

Use of a token is recorded three ways, chosen so that a busy feed's reads never become writes:
- every request: one line on the `zhuqi.tokens` logger (prefix, user, method, path, address);
- writes: the audit event carries the token's prefix (`AuditEvent.via_token`), in the same
  transaction as the change;
- the token row: `last_used_at`, `last_used_from` and `use_count`, flushed at most once a minute per
  process and token (a worker killed between flushes loses at most a minute of counts, never a log
  line). A row per request would make every GET a write: on SQLite that takes the one write lock
  the whole site shares; on PostgreSQL it makes the token's row a hot spot.
"""

import logging
import threading
import time

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, django_auth

from zhuqi.accounts.models import ApiToken
from zhuqi.accounts.services import api_token_lookup
from zhuqi.core import reference
from zhuqi.core.client_ip import client_ip
from zhuqi.core.errors import Forbidden, Message
from zhuqi.core.scopes import Scope

log = logging.getLogger("zhuqi.tokens")
FLUSH_SECONDS = 60
ANY_SCOPE = "any"  # endpoints about the token itself (/me): any active token


class _UsageCounter:
    """Per-process counts of token uses, written to the token row at most once a minute."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[int, int] = {}
        self.flushed_at: dict[int, float] = {}

    def count(self, token: ApiToken, address: str | None) -> None:
        now = time.monotonic()
        with self.lock:
            self.pending[token.pk] = self.pending.get(token.pk, 0) + 1
            due = now - self.flushed_at.get(token.pk, -FLUSH_SECONDS) >= FLUSH_SECONDS
            if not due:
                return
            uses = self.pending.pop(token.pk)
            self.flushed_at[token.pk] = now
        ApiToken.objects.filter(pk=token.pk).update(
            last_used_at=timezone.now(), last_used_from=address or None, use_count=F("use_count") + uses
        )

    def reset(self) -> None:
        with self.lock:
            self.pending.clear()
            self.flushed_at.clear()


usage = _UsageCounter()


class TokenAuth(HttpBearer):
    def __init__(self, *scopes: Scope | str):
        """A token passes holding any one of `scopes`; with none, every token is refused."""
        super().__init__()
        self.scopes = tuple(str(s) for s in scopes)

    def authenticate(self, request, token):
        found = api_token_lookup(token)
        if found is None:
            return None  # 401 unless a session signs the request in
        reference.pin(found.reference_version)  # read with the token: the request needs no query for it
        address = client_ip(request)
        log.info(
            "token %s user=%s %s %s from %s",
            found.prefix,
            found.user.username,
            request.method,
            request.path,
            address,
        )
        usage.count(found, address)
        if not self.scopes:
            raise Forbidden("token_not_allowed", _("This endpoint is for signed-in people, not API tokens."))
        if ANY_SCOPE not in self.scopes and not set(self.scopes) & set(found.scopes):
            raise Forbidden(
                "token_scope_missing",
                Message(
                    _("This API token lacks the scope %(scope)s."),
                    {"scope": " | ".join(self.scopes)},
                ),
            )
        user = found.user
        user.api_token = found  # the services and the audit read the token from the acting user
        request.user = user
        return user


def token_or_session(*scopes: Scope | str) -> list:
    """Auth of an endpoint open to signed-in people and to tokens holding one of `scopes`."""
    assert scopes, "name the scope a token needs, or leave the API's default (session only)"
    return [TokenAuth(*scopes), django_auth]


# The API's default: a token is refused (403) on an endpoint that declares no scope.
session_only = [TokenAuth(), django_auth]
