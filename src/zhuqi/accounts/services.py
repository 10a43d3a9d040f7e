"""Writes to accounts: users and API tokens."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import ApiToken, Role, User, hash_token
from zhuqi.core import audit
from zhuqi.core.errors import Message, NotFound, ZhuqiError

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
) -> User:
    if role not in Role.values:
        raise ZhuqiError("unknown_role", Message(_("Unknown role: %(role)s."), {"role": role}), field="role")
    if User.objects.filter(username=username).exists():
        raise ZhuqiError(
            "username_taken", Message(_("The user name %(name)s is taken."), {"name": username}), status=409
        )
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
    user.set_password(password)
    user.save()
    audit.record(actor=acting_user, verb="user_create", obj=user, data={"role": role})
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, acting_user=None) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is never stored and cannot be shown again."""
    # Hex, not urlsafe base64: a prefix starting with "-" could not be passed to `zhuqi token revoke`
    # (argparse reads it as an option); that made a CLI test fail about once in 64 runs.
    raw = "zq_" + secrets.token_hex(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[3:11], key_hash=hash_token(raw))
    audit.record(actor=acting_user, verb="api_token_create", obj=token, data={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, prefix: str, acting_user=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(
            "token_not_found", Message(_("No active API token starts with %(prefix)s."), {"prefix": prefix})
        )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=acting_user, verb="api_token_revoke", obj=token)
    return token


def api_token_user(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy feed should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
