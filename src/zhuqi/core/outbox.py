"""Queueing side effects in the outbox, inside the caller's transaction."""

from django.conf import settings
from django.utils import timezone

from zhuqi.core.models import OutboxMessage


def enqueue(*, event_key: str, recipients, subject: str, body: str, link: str = "") -> int:
    """One message per recipient and configured channel; a repeated event key adds nothing."""
    now = timezone.now()
    rows = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        for channel in settings.ZHUQI_NOTIFY_CHANNELS:
            address = {"sms": user.mobile, "email": user.email}.get(channel, "")
            if channel in ("sms", "email") and not address:
                continue
            rows.append(
                OutboxMessage(
                    key=f"{event_key}:{user.pk}:{channel}"[:160],
                    channel=channel,
                    recipient=user,
                    address=address,
                    subject=subject[:200],
                    body=body,
                    link=link,
                    next_attempt_at=now,
                )
            )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
