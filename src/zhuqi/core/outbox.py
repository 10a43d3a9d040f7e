"""Queueing side effects in the outbox, inside the caller's transaction."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from zhuqi.core.models import OutboxMessage


@dataclass
class Pending:
    """One event to announce to some users (a batch run queues many in one INSERT)."""

    event_key: str
    recipients: list
    subject: str
    body: str
    link: str = ""
    channels: list[str] | None = None  # None: every configured channel (ZHUQI_NOTIFY_CHANNELS)


def enqueue(*, event_key: str, recipients, subject: str, body: str, link: str = "", channels=None) -> int:
    """One message per recipient and channel (those configured, or the given ones among them);
    a repeated event key adds nothing."""
    return enqueue_many([Pending(event_key, recipients, subject, body, link, channels)])


def enqueue_many(events: list[Pending]) -> int:
    now = timezone.now()
    rows = []
    for event in events:
        seen = set()
        for user in event.recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            for channel in settings.ZHUQI_NOTIFY_CHANNELS:
                if event.channels is not None and channel not in event.channels:
                    continue
                address = {"sms": user.mobile, "email": user.email}.get(channel, "")
                if channel in ("sms", "email") and not address:
                    continue
                rows.append(
                    OutboxMessage(
                        key=f"{event.event_key}:{user.pk}:{channel}"[:160],
                        channel=channel,
                        recipient=user,
                        address=address,
                        subject=event.subject[:200],
                        body=event.body,
                        link=event.link,
                        next_attempt_at=now,
                    )
                )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)
