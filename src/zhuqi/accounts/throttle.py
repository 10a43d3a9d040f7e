"""Sign-in throttling across addresses, with backoff, and the administrator's alert.

django-axes counts failures per user and address (`AXES_LOCKOUT_PARAMETERS`, 5 → 15 minutes): a
person who mistypes is stopped without locking the account for everyone else. It has one failure
limit for every parameter combination, so it cannot also say "and 10 per user from any address"
(with `["username", ["username", "ip_address"]]` the per-user count would lock at 5, and anyone
who knows a user name could lock that user out everywhere with 5 guesses); and its cool-off may be
a callable of the request, but it is one duration for every combination and also the age at which
failures are forgotten, so a growing pause there would grow the per-address lock too. This module adds the
per-user limit: once `ZHUQI_LOGIN_USER_FAILURE_LIMIT` passwords were guessed wrong for a user name
from any addresses within a day, each further wrong guess pauses sign-in for that user for twice as
long as the one before (1, 2, 4 … minutes, at most `ZHUQI_LOGIN_BACKOFF_MAX_MINUTES`), from every
address. A distributed guesser gets the limit and then a handful of guesses a day; the owner is
paused for minutes, not locked out for hours. A successful sign-in clears the count.

Only guesses whose password was actually checked count (`PeopleBackend` marks them): attempts
refused by a lock change nothing. Both kinds of lock notify the administrators once, through the
outbox (the event key names the lock).
"""

from datetime import timedelta

from axes.exceptions import AxesBackendPermissionDenied
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhuqi.accounts.models import Role, SignInBackoff, User
from zhuqi.core import audit, outbox

WINDOW = timedelta(hours=24)


def refuse_while_paused(request, username: str | None) -> None:
    """Called by the password backend before it checks a password."""
    if request is None or not username:
        return
    paused = SignInBackoff.objects.filter(username=username, locked_until__gt=timezone.now()).exists()
    if paused:
        request.axes_locked_out = True  # the axes middleware answers with the lockout page (429)
        raise AxesBackendPermissionDenied("sign-in paused for this user")
    request.zhuqi_password_checked = True


def _pause(failures: int) -> timedelta:
    over = failures - settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT
    minutes = min(2 ** min(over, 20), settings.ZHUQI_LOGIN_BACKOFF_MAX_MINUTES)
    return timedelta(minutes=minutes)


@receiver(user_login_failed, dispatch_uid="zhuqi-signin-backoff")
def count_failure(sender, credentials, request=None, **kwargs):
    if request is None or not getattr(request, "zhuqi_password_checked", False):
        return
    username = (credentials or {}).get("username") or ""
    if not username:
        return
    now = timezone.now()
    with transaction.atomic():
        row, _created = SignInBackoff.objects.select_for_update().get_or_create(
            username=username[:150], defaults={"window_started_at": now}
        )
        idle = row.last_failure_at is None or now - row.last_failure_at > WINDOW
        if idle and (row.locked_until is None or row.locked_until <= now):
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT:
            row.locked_until = now + _pause(row.failures)
        row.save()
        if row.failures == settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT:
            _alert(
                key=f"signin-user-lock:{row.username}:{row.window_started_at.timestamp():.0f}",
                username=row.username,
                body=lambda: (
                    _(
                        "%(n)d wrong passwords for the user %(user)s from several addresses: sign-in for this "
                        "user is paused, longer after each further wrong password. The last came from %(ip)s."
                    )
                    % {
                        "n": row.failures,
                        "user": row.username,
                        "ip": getattr(request, "axes_ip_address", "?"),
                    }
                ),
                data={
                    "failures": row.failures,
                    "scope": "user",
                    "ip": getattr(request, "axes_ip_address", None),
                },
            )


@receiver(user_logged_in, dispatch_uid="zhuqi-signin-backoff-reset")
def clear_on_success(sender, request, user, **kwargs):
    SignInBackoff.objects.filter(username=user.get_username()).delete()


@receiver(user_locked_out, dispatch_uid="zhuqi-signin-lock-alert")
def alert_address_lock(sender, request, username, ip_address, **kwargs):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("pk").first()
    if attempt is None:
        return
    _alert(
        key=f"signin-lock:{attempt.pk}",
        username=username,
        body=lambda: (
            _("The user %(user)s is locked out from %(ip)s after repeated wrong passwords.")
            % {"user": username, "ip": ip_address}
        ),
        data={"failures": attempt.failures_since_start, "scope": "address", "ip": ip_address},
    )


def _alert(*, key: str, username: str, body, data: dict) -> None:
    """Once per lock (the key names it): the administrators are notified and the audit trail notes it."""
    from zhuqi.core.models import OutboxMessage

    with transaction.atomic():
        if OutboxMessage.objects.filter(key__startswith=f"{key}:").exists():
            return
        admins = list(User.objects.filter(role=Role.ADMIN, is_active=True))
        with translation.override(settings.LANGUAGE_CODE):
            subject, text = _("Sign-in locked: %(user)s") % {"user": username}, body()
        outbox.enqueue(event_key=key, recipients=admins, subject=subject, body=text)
        target = User.objects.filter(username=username).first()
        if target is not None:
            audit.record(actor=None, verb="signin_locked", obj=target, data={"alert": key, **data})
