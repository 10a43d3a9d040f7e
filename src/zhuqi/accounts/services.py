"""Writes to accounts: users and API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import ApiToken, Role, User, hash_token
from zhuqi.core import audit, prepared, reference, validators
from zhuqi.core import scopes as scope_registry
from zhuqi.core.errors import Conflict, Message, NotFound, ZhuqiError

MEMBERSHIP = {
    Role.ENTERPRISE: ("enterprise", _("An enterprise user must belong to an enterprise.")),
    Role.HANDLER: ("department", _("A department handler must belong to a department.")),
    Role.TOWN_OFFICER: ("town", _("A town officer must belong to a town.")),
}


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    enterprise=None,
    department=None,
    town=None,
    mobile: str = "",
    acting_user=None,
    check_password: bool = True,
    hashed: str = "",
) -> User:
    """`hashed`: the password's hash when the caller already has one, so that many users given the
    same password (the demo city's) are hashed once, not once each (Argon2 takes half a second)."""
    if role not in Role.values:
        raise ZhuqiError("unknown_role", Message(_("Unknown role: %(role)s."), {"role": role}), field="role")
    if User.objects.filter(username=username).exists():
        raise ZhuqiError(
            "username_taken", Message(_("The user name %(name)s is taken."), {"name": username}), status=409
        )
    if problem := validators.phone_problem(mobile):
        raise ZhuqiError("bad_phone", problem, status=422, field="mobile")
    needed = MEMBERSHIP.get(role)
    given = {"enterprise": enterprise, "department": department, "town": town}
    if needed and given[needed[0]] is None:
        raise ZhuqiError("membership_missing", needed[1], field=needed[0])
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ZhuqiError("weak_password", " ".join(exc.messages), field="password") from exc
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        mobile=mobile,
        enterprise=enterprise,
        department=department,
        town=town,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if hashed:
        identify_hasher(hashed)  # a hash of a configured hasher, or ValueError
        user.password = hashed
    else:
        user.set_password(password)
    user.save()
    audit.record(actor=acting_user, verb="user_create", obj=user, data={"role": role})
    return user


def _token_days(days: int | None) -> int:
    days = settings.ZHUQI_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.ZHUQI_TOKEN_MAX_DAYS:
        raise ZhuqiError(
            "token_days_out_of_range",
            Message(
                _("A token lives from 1 to %(max)d days, not %(days)s."),
                {"max": settings.ZHUQI_TOKEN_MAX_DAYS, "days": days},
            ),
            field="days",
            status=422,
        )
    return days


def _token_scopes(scopes) -> list[str]:
    try:
        parsed = scope_registry.parse(" ".join(str(s) for s in scopes))
    except ValueError as exc:
        raise ZhuqiError(
            "unknown_scope",
            Message(_("Unknown scope: %(names)s."), {"names": str(exc)}),
            field="scopes",
            status=422,
        ) from exc
    if not parsed:
        raise ZhuqiError("scopes_missing", _("A token needs at least one scope."), field="scopes", status=422)
    if len(scope_registry.feeds(parsed)) > 1:
        raise ZhuqiError(
            "one_feed_per_token",
            _("A token writes indicators for one feed only: give the tax and statistics feeds a token each."),
            field="scopes",
            status=422,
        )
    return [s.value for s in parsed]


def _issue(*, user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    # Hex, not urlsafe base64: a prefix starting with "-" could not be passed to `zhuqi token revoke`
    # (argparse reads it as an option); that made a CLI test fail about once in 64 runs.
    raw = "zq_" + secrets.token_hex(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[3:11],
        key_hash=hash_token(raw),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, raw


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scopes, days: int | None = None, acting_user=None
) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is never stored and cannot be shown again.

    Only system clients (the hotline, data feeds) get tokens: a person signs in, and a token in an
    enterprise's hands would be a password that never locks out."""
    if user.role != Role.SYSTEM:
        raise ZhuqiError(
            "tokens_for_system_clients_only",
            _("API tokens are issued to system clients only, never to people."),
            field="user",
            status=422,
        )
    if not name.strip() or len(name) > 100:
        raise ZhuqiError(
            "token_name_invalid", _("Name the token (1 to 100 characters)."), field="name", status=422
        )
    token, raw = _issue(user=user, name=name.strip(), scopes=_token_scopes(scopes), days=_token_days(days))
    audit.record(
        actor=acting_user,
        verb="api_token_create",
        obj=token,
        data={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": str(token.expires_at),
        },
    )
    return token, raw


def _active_token(prefix: str) -> ApiToken:
    token = (
        ApiToken.objects.select_for_update()
        .filter(prefix=prefix, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        raise NotFound(
            "token_not_found", Message(_("No active API token starts with %(prefix)s."), {"prefix": prefix})
        )
    return token


@transaction.atomic
def api_token_rotate(*, prefix: str, days: int | None = None, acting_user=None) -> tuple[ApiToken, str]:
    """Issues a successor with the same user, name and scopes; the old token keeps working for
    `ZHUQI_TOKEN_ROTATION_GRACE_HOURS` (or until it expires, if sooner) so the client can switch."""
    old = _active_token(prefix)
    if old.rotated_at is not None:
        raise Conflict(
            "token_already_rotated",
            Message(_("The token %(prefix)s was already rotated; rotate its successor."), {"prefix": prefix}),
        )
    new, raw = _issue(user=old.user, name=old.name, scopes=_token_scopes(old.scopes), days=_token_days(days))
    now = timezone.now()
    old.rotated_at = now
    old.expires_at = min(old.expires_at, now + timedelta(hours=settings.ZHUQI_TOKEN_ROTATION_GRACE_HOURS))
    old.save(update_fields=["rotated_at", "expires_at"])
    audit.record(
        actor=acting_user,
        verb="api_token_rotate",
        obj=new,
        data={"prefix": new.prefix, "replaces": old.prefix, "old_expires_at": str(old.expires_at)},
    )
    return new, raw


@transaction.atomic
def api_token_revoke(*, prefix: str, acting_user=None) -> ApiToken:
    token = _active_token(prefix)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=acting_user, verb="api_token_revoke", obj=token, data={"prefix": token.prefix})
    return token


# One row by its unique hash, unordered, the rest checked in Python; compiled once (core.prepared):
# this runs on every API request.
_TOKEN_BY_HASH = prepared.PreparedQuery(
    lambda key_hash: (
        ApiToken.objects.select_related("user")
        .annotate(reference_version=reference.counter())
        .filter(key_hash=key_hash)
        .order_by()[:1]
    ),
    str,
)


def api_token_lookup(raw: str) -> ApiToken | None:
    """The active token (with its active system user) behind a raw bearer token, or None."""
    if not raw.startswith("zq_") or len(raw) > 80:
        return None
    found = _TOKEN_BY_HASH.first(hash_token(raw))
    if found is None or not found.is_active_at(timezone.now()):
        return None
    if not found.user.is_active or found.user.role != Role.SYSTEM:
        return None
    return found
