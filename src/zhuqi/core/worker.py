"""The outbox worker: claims due messages, delivers each through its channel, retries with backoff.

Claiming uses SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers share the outbox; on
SQLite the IMMEDIATE transaction serialises them. A message is marked sent in the same transaction as
an in-app delivery; external channels are idempotent by key, so a crash between sending and marking
causes a retry that the channel recognises, never a second message.
"""

import logging
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from zhuqi.core.channels import CHANNELS
from zhuqi.core.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 10 * 2 ** (attempts - 1)))


def deliver_due(limit: int = 100) -> int:
    """Delivers up to `limit` due messages, one transaction each; returns how many were handled."""
    handled = 0
    while handled < limit:
        with transaction.atomic():
            qs = OutboxMessage.objects.filter(
                status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
            )
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True)
            message = qs.order_by("next_attempt_at", "id").first()
            if message is None:
                return handled
            handled += 1
            try:
                with transaction.atomic():
                    CHANNELS[message.channel](message)
            except Exception as exc:  # any channel failure is retried later, never lost
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxMessage.Status.FAILED
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
                message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                log.warning("delivery of %s failed: %s", message.key, exc)
                continue
            message.status = OutboxMessage.Status.SENT
            message.attempts += 1
            message.sent_at = timezone.now()
            message.save(update_fields=["status", "attempts", "sent_at"])
    return handled


def run(*, once: bool = False, idle_sleep: float = 1.0, sweep_every: float = 300.0, sweeps=()) -> int:
    """Delivers and sweeps until stopped; with once, a single pass, returning how many it delivered."""
    last_sweep = 0.0
    while True:
        if sweeps and time.monotonic() - last_sweep >= sweep_every:
            for sweep in sweeps:
                sweep()
            last_sweep = time.monotonic()
        handled = deliver_due()
        if once:
            return handled
        if not handled:
            time.sleep(idle_sleep)
