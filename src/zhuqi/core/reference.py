"""Reference data read on every request (the service categories, the routing table), cached per
process and always current.

Every change to a table registered with `watch` moves one counter in the database
(core.ReferenceVersion), in the transaction of the change; each process keeps its copies with the
counter they were read at and reads them again when the counter moved. So an edit in one worker
reaches every other at its next request, never later. The counter is read once per request (and,
outside a request, by every `get`): one single-row lookup instead of the queries it saves, and none
at all on an API request, whose token lookup carries it (`counter`, `pin`).

Changes made without Django's model signals (QuerySet.update, bulk_create, raw SQL) do not move the
counter: call `changed()` after them.
"""

import secrets
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, pre_delete, pre_save

from zhuqi.core.models import ReferenceVersion

_local = threading.local()  # the counter as read in this thread's current request
_lock = threading.Lock()
_copies: dict[str, tuple[int, object]] = {}  # name: (counter when read, value)
_loaders: dict[str, Callable[[], object]] = {}


def version() -> int:
    pinned = getattr(_local, "version", None)
    if pinned is not None:
        return pinned
    found = ReferenceVersion.objects.values_list("version", flat=True).first() or 0
    if getattr(_local, "in_request", False):
        _local.version = found
    return found


def counter() -> Subquery:
    """The counter as a subquery, for a query every request of a kind makes anyway to carry it
    (`pin`): the API's token lookup does, so an API request reads it without a statement of its own."""
    return Subquery(ReferenceVersion.objects.values("version")[:1])


def pin(value: int | None) -> None:
    """Takes the counter as another query of this request read it (`counter()`)."""
    if getattr(_local, "in_request", False):
        _local.version = value or 0


def cached(name: str):
    """Registers a loader of reference data under `name`; `get(name)` returns its current value."""

    def register(loader):
        _loaders[name] = loader
        return loader

    return register


def get(name: str):
    """The value of the loader registered as `name`, as of the current counter. Treat it as read-only:
    the same objects serve every request of the process."""
    current = version()
    with _lock:
        copy = _copies.get(name)
    if copy is not None and copy[0] == current:
        return copy[1]
    value = _loaders[name]()
    with _lock:
        _copies[name] = (current, value)
    return value


def changed(**_ignored) -> None:
    """Moves the counter in the current transaction, and drops this process's copies. The new value
    is drawn at random, not counted up: a copy read inside a transaction that is then rolled back
    carries a value the database never keeps, so it can never pass for current."""
    new = secrets.randbits(62)
    with transaction.atomic():
        if not ReferenceVersion.objects.filter(pk=1).update(version=new):
            ReferenceVersion.objects.update_or_create(pk=1, defaults={"version": new})
    _local.version = None
    with _lock:
        _copies.clear()


def watch(*models) -> None:
    """Move the counter on every save and delete of these models (and changes of their many-to-many
    relations). Before the change, not after: every transaction that changes reference data then
    locks the counter's row first, so two of them queue on it instead of each locking a row the
    other needs next (an office editing departments A then B beside one editing B: a deadlock when
    the counter moved after each change)."""
    for model in models:
        uid = f"zhuqi-reference-{model._meta.label}"
        pre_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        pre_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(changed, sender=through, dispatch_uid=f"{uid}-{field.name}", weak=False)
            pre_save.connect(changed, sender=through, dispatch_uid=f"{uid}-{field.name}-save", weak=False)
            pre_delete.connect(changed, sender=through, dispatch_uid=f"{uid}-{field.name}-delete", weak=False)


def _request_started(**_ignored) -> None:
    _local.in_request, _local.version = True, None


def _request_finished(**_ignored) -> None:
    _local.in_request, _local.version = False, None


request_started.connect(_request_started, dispatch_uid="zhuqi-reference-request-started")
request_finished.connect(_request_finished, dispatch_uid="zhuqi-reference-request-finished")
