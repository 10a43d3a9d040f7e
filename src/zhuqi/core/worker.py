"""The outbox worker: claims due messages, delivers each through its channel, retries with backoff.

Claiming uses SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers share the outbox; on
SQLite the IMMEDIATE transaction serialises them. An in-app message is delivered and marked sent in
one transaction. An external message (SMS, e-mail) is claimed for a lease in a short transaction and
sent outside any transaction, so a slow gateway holds no lock; external channels are idempotent by
key, so a crash between sending and marking (or an expired lease) causes a retry that the channel
recognises, never a second message.

`run` gives every channel its own lane (a thread), so in-app messages never wait behind a slow SMS
gateway, and the background jobs (`core/jobs.py`) a lane of their own.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from zhuqi.core import jobs
from zhuqi.core.channels import CHANNELS
from zhuqi.core.models import Notification, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Delivered in the transaction that marks the message sent (a fan-out queues its rows in it).
TRANSACTIONAL = {"inapp", "fanout"}
LANES: dict[str, tuple[str, ...]] = {"inapp": ("fanout", "inapp"), "sms": ("sms",), "email": ("email",)}


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 10 * 2 ** (attempts - 1)))


def _next_due(channels):
    qs = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
    )
    if channels:
        qs = qs.filter(channel__in=channels)
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True)
    return qs.order_by("next_attempt_at", "id").first()


def _attempt(message: OutboxMessage) -> None:
    try:
        if message.channel in TRANSACTIONAL:
            with transaction.atomic():
                CHANNELS[message.channel](message)
        else:
            CHANNELS[message.channel](message)
    except Exception as exc:  # any channel failure is retried later, never lost
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
        message.next_attempt_at = timezone.now() + backoff(message.attempts)
        message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        log.warning("delivery of %s failed: %s", message.key, exc)
        return
    message.status = OutboxMessage.Status.SENT
    message.attempts += 1
    message.sent_at = timezone.now()
    message.save(update_fields=["status", "attempts", "sent_at"])


def deliver_one(channels=None) -> bool:
    """Delivers the next due message of these channels (all when None); False when none is due."""
    with transaction.atomic():
        message = _next_due(channels)
        if message is None:
            return False
        if message.channel in TRANSACTIONAL:
            _attempt(message)
            return True
        # Claimed: other workers skip it; if this worker dies mid-send, it is retried after the lease.
        message.next_attempt_at = timezone.now() + timedelta(seconds=settings.ZHUQI_SEND_LEASE_SECONDS)
        message.save(update_fields=["next_attempt_at"])
    _attempt(message)
    return True


def deliver_due(limit: int = 100, channels=None) -> int:
    """Delivers up to `limit` due messages, one transaction each; returns how many were handled."""
    handled = 0
    while handled < limit and deliver_one(channels):
        handled += 1
    return handled


def deliver_backlog(batch: int = 1000) -> int:
    """Delivers every message due now and returns how many: first those of every other channel one
    by one, as deliver_due does (a channel may queue in-app messages as it delivers: they are sent
    below); then the in-app ones a batch at a time, their Notification rows in one statement (the
    unique key skips any already there, as deliver_inapp's get_or_create does) and marked sent in
    one more.

    For a process that owns the outbox while no worker runs — `zhuqi demo-data` delivering the
    history it has just built (some 2,000 notices: one by one, a claim, a delivery and a mark each,
    they were a seventh of the build). The worker claims one message at a time so that several
    workers share the outbox."""
    handled = 0
    others = tuple(set(CHANNELS) - {"inapp"})
    while done := deliver_due(limit=batch, channels=others):
        handled += done
    while True:
        with transaction.atomic():
            due = list(
                OutboxMessage.objects.filter(
                    status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now(), channel="inapp"
                ).order_by("next_attempt_at", "id")[:batch]
            )
            Notification.objects.bulk_create(
                [
                    Notification(
                        key=m.key, user_id=m.recipient_id, subject=m.subject, body=m.body, link=m.link
                    )
                    for m in due
                ],
                ignore_conflicts=True,
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in due]).update(
                status=OutboxMessage.Status.SENT, attempts=F("attempts") + 1, sent_at=timezone.now()
            )
        handled += len(due)
        if len(due) < batch:
            break
    return handled


def _lane(name: str, step: Callable[[], int], idle_sleep: float, stop: threading.Event, counts: dict) -> None:
    """Repeats `step` until stopped, sleeping `idle_sleep` whenever it found nothing to do."""
    if name == "jobs":
        jobs.lower_priority()
    try:
        while not stop.is_set():
            try:
                handled = step()
            except Exception:  # the database restarting, say: log it and try again after a pause
                log.exception("worker lane %s failed", name)
                handled = 0
            counts[name] = counts.get(name, 0) + handled
            if not handled:
                stop.wait(idle_sleep)
    finally:
        connection.close()  # each thread has its own connection


def lanes() -> dict[str, Callable[[], int]]:
    steps = {
        name: (lambda channels=channels: deliver_due(channels=channels)) for name, channels in LANES.items()
    }
    steps["jobs"] = jobs.run_next
    return steps


def run(
    *,
    once: bool = False,
    idle_sleep: float | None = None,
    sweep_every: float = 300.0,
    sweeps=(),
    stop: threading.Event | None = None,
) -> int:
    """Delivers, runs jobs and sweeps until `stop` is set; with once, a single pass of each (at most
    100 messages in all), returning how many messages and jobs it handled."""
    if once:
        for sweep in sweeps:
            sweep()
        ran = jobs.run_pending()
        return ran + deliver_due()
    idle_sleep = settings.ZHUQI_WORKER_IDLE_SECONDS if idle_sleep is None else idle_sleep
    stop = stop or threading.Event()
    counts: dict[str, int] = {}
    jobs.stopping.clear()
    threads = [
        threading.Thread(target=_lane, args=(name, step, idle_sleep, stop, counts), name=f"worker-{name}")
        for name, step in lanes().items()
    ]
    for thread in threads:
        thread.start()
    try:
        while not stop.is_set():
            for sweep in sweeps:
                try:
                    sweep()
                except Exception:
                    log.exception("sweep %s failed", getattr(sweep, "__name__", sweep))
            stop.wait(sweep_every)
    finally:
        stop.set()
        jobs.stopping.set()  # a running job goes back to the queue at its next progress step
        for thread in threads:
            thread.join()
        jobs.stopping.clear()
        connection.close()
    return sum(counts.values())
