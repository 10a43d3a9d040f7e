"""The audit trail proves itself: every event carries a SHA-256 hash chained to the one before.

`hash = sha256(prev_hash + canonical JSON of the event's fields)`, the fields being the position in
the chain (`seq`), the time, the actor, the verb, the object, the data and the token used. Editing,
deleting or inserting an event anywhere breaks every hash after it; `zhuqi audit verify` recomputes
the chain and names the first event that does not match.

Sealing happens when the transaction that wrote events commits (`transaction.on_commit`), in a
transaction of its own that locks the one chain-head row: appends are serialised there — two
transactions committing at once seal one after the other, so the chain never forks (and `seq` is
unique, so a fork could not even be stored). Sealing at commit, rather than locking the head where
`audit.record` is called, keeps the lock for milliseconds instead of the length of the business
transaction (an import of 10,000 rows would otherwise block every audited write of the site while
it runs) and cannot deadlock with the row locks services take after auditing. It hashes the event
as the database returns it, so what is verified is exactly what is stored. Events whose sealing was
lost (a process killed between commit and seal) are sealed by the next commit, by the worker's
sweep, or by `zhuqi audit verify` before it checks. Bulk writes seal in one pass.

Retention (等保 2.0 asks for at least six months): `ZHUQI_AUDIT_RETENTION_DAYS` (180 at least);
`zhuqi audit purge --before DATE` deletes the oldest events up to DATE, never younger than the
retention, and records the last deleted hash in the head row, so the chain verifies from there.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
BATCH = 2000


def _normalise(value):
    # PostgreSQL's jsonb gives back 1e20 as 100000000000000000000: hash integral floats as integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def canonical(event: AuditEvent) -> str:
    """The event's fields as one JSON text: sorted keys, no spaces, UTC time."""
    fields = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor": event.actor_name,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": _normalise(event.data),
        "via_token": event.via_token,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def head_for_update() -> AuditChainHead:
    # The row exists from the migration; it is missing only after the tables were flushed (tests),
    # and then two processes may both get here: insert-if-absent, so the second one waits for the
    # first instead of failing on the duplicate key.
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def seal() -> int:
    """Chains every committed event not chained yet, in batches; returns how many it chained."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = head_for_update()
            pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:BATCH])
            prev, seq = head.hash, head.seq
            for event in pending:
                seq += 1
                event.seq, event.prev_hash = seq, prev
                event.hash = prev = event_hash(prev, event)
            if len(pending) > 20:
                # One prepared UPDATE run for every event: bulk_update's CASE over each batch costs
                # the batch's size per row (a quarter of a second per 1,000 events on SQLite).
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {AuditEvent._meta.db_table} SET seq = %s, prev_hash = %s, hash = %s "
                        "WHERE id = %s",
                        [(e.seq, e.prev_hash, e.hash, e.pk) for e in pending],
                    )
            else:  # the usual case, one transaction's few events: plain updates cost less than CASE
                for event in pending:
                    AuditEvent.objects.filter(pk=event.pk).update(
                        seq=event.seq, prev_hash=event.prev_hash, hash=event.hash
                    )
            if pending:
                AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
            sealed += len(pending)
        if len(pending) < BATCH:
            return sealed


def seal_on_commit() -> None:
    """Registered by audit.record: chain the transaction's events once they are committed (once per
    transaction, however many events it writes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is seal for entry in connection.run_on_commit):
        return
    transaction.on_commit(seal, robust=True)


@dataclass
class Verdict:
    checked: int
    head_seq: int
    head_hash: str
    broken: AuditEvent | None = None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify() -> Verdict:
    """Recomputes the chain from its base; stops at the first event that does not match."""
    seal()
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    prev, expected, checked = head.base_hash, head.base_seq + 1, 0

    def broken(event, seq, reason):
        return Verdict(checked, head.seq, head.hash, event, seq, reason)

    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=BATCH):
        if event.seq != expected:
            return broken(event, expected, f"event {expected} is missing (deleted or taken out of the chain)")
        if event.prev_hash != prev:
            return broken(event, event.seq, "its link to the event before was changed")
        if event_hash(prev, event) != event.hash:
            return broken(event, event.seq, "its content was changed after it was written")
        prev, expected, checked = event.hash, expected + 1, checked + 1
    if expected - 1 != head.seq or prev != head.hash:
        return broken(
            None, expected, f"the events after {expected - 1} were deleted (the chain's head is {head.seq})"
        )
    return Verdict(checked, head.seq, head.hash)


def purge(*, before) -> int:
    """Deletes the oldest events, those written before `before` (an aware datetime), and moves the
    chain's base to the last one deleted. Refuses to delete anything younger than the retention."""
    keep_from = timezone.now() - timedelta(days=settings.ZHUQI_AUDIT_RETENTION_DAYS)
    if before > keep_from:
        raise ZhuqiError(
            "audit_retention",
            Message(
                _("Audit events are kept %(days)d days: nothing written after %(date)s may be deleted."),
                {"days": settings.ZHUQI_AUDIT_RETENTION_DAYS, "date": timezone.localtime(keep_from).date()},
            ),
            field="before",
            status=422,
        )
    seal()
    with transaction.atomic():
        head = head_for_update()
        # The chain is cut at a position: everything before the first event written on or after `before`.
        first_kept = (
            AuditEvent.objects.filter(seq__gt=head.base_seq, created_at__gte=before)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        end = first_kept if first_kept is not None else head.seq + 1
        last = AuditEvent.objects.filter(seq__gt=head.base_seq, seq__lt=end).order_by("-seq").first()
        if last is None:
            return 0
        deleted, _detail = AuditEvent.objects.filter(seq__lte=last.seq).delete()
        head.base_seq, head.base_hash = last.seq, last.hash
        head.save(update_fields=["base_seq", "base_hash"])
        from zhuqi.core import audit

        audit.record(
            actor=None,
            verb="audit_purge",
            obj=head,
            data={
                "deleted": deleted,
                "through_seq": last.seq,
                "base_hash": last.hash,
                "before": before.isoformat(),
            },
        )
    return deleted
