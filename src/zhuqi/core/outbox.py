"""Queueing side effects in the outbox, inside the caller's transaction.

An event is queued either with its recipients (`enqueue`: one row per recipient and channel), or as
one "fanout" row naming its audience (`enqueue_fanout`): the worker then works out who that is and
queues the same rows, under the same keys, in the transaction that marks the fan-out row sent. The
second keeps a hot path (appeal submission) to one small INSERT; the recipients are those of the
moment the worker runs, seconds later.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from zhuqi.core import prepared
from zhuqi.core.models import OutboxMessage

FANOUT = "fanout"  # the channel of a row that names an audience instead of a recipient
AUDIENCES: dict[str, Callable[..., list]] = {}


def audience(name: str):
    """Registers a function returning the users of an audience from the row's JSON arguments."""

    def register(function):
        AUDIENCES[name] = function
        return function

    return register


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


def enqueue_fanout(
    *, event_key: str, audience: str, args: dict, subject: str, body: str, link: str = ""
) -> None:
    """One row for an event whose recipients the worker works out: AUDIENCES[audience](**args)."""
    if audience not in AUDIENCES:
        raise KeyError(f"unknown audience {audience!r}")  # a programming error, found by the tests
    now = timezone.now()
    row = OutboxMessage(
        key=f"{event_key}:{FANOUT}"[:160],
        channel=FANOUT,
        audience={"name": audience, "args": args},
        subject=subject[:200],
        body=body,
        link=link,
        next_attempt_at=now,
    )
    prepared.insert([row], ignore_conflicts=True)  # compiled once: every submission writes one


def fan_out(message: OutboxMessage) -> None:
    """Delivers a fan-out row: queues one message per recipient and channel, under the keys that
    `enqueue` would have given them (a retry adds nothing)."""
    recipients = AUDIENCES[message.audience["name"]](**message.audience["args"])
    enqueue(
        event_key=message.key.removesuffix(f":{FANOUT}"),
        recipients=recipients,
        subject=message.subject,
        body=message.body,
        link=message.link,
    )
