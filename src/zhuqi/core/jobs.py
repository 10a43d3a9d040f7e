"""Background jobs: long work (exports, large imports, matching and offer runs) done by `zhuqi worker`.

A request enqueues a job and answers at once (202 with the job); the worker's jobs lane claims it
(SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, as the outbox; the IMMEDIATE transaction on SQLite),
runs it as its owner — so it sees exactly what the owner may see — with progress, keeps the file it
produces under $ZHUQI_DATA_DIR/jobs for ZHUQI_JOB_KEEP_HOURS and notifies the owner in-app. A job
whose worker died (no heartbeat for STALE) is queued again; the sweep deletes expired files.

An app registers each kind of job with `register` (in its `jobs.py`, imported by its AppConfig).
"""

import contextlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, formats, outbox
from zhuqi.core.errors import Message, NotFound, ZhuqiError, bilingual
from zhuqi.core.models import Job

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)
PROGRESS_EVERY = 0.5  # seconds between progress writes


class Interrupted(Exception):  # noqa: N818 - the worker is stopping: the job goes back to the queue
    pass


@dataclass
class Outcome:
    """What a job produced: counts for its page, and optionally a file (bytes) to download."""

    result: dict
    content: bytes | None = None
    filename: str = ""


@dataclass
class Kind:
    label: object  # lazy text: what the job is, for its page and the notification
    run: Callable  # run(job, progress) -> Outcome; progress(done, total) may raise Interrupted
    check: Callable  # check(owner, parameters) -> parameters, raising ZhuqiError when not allowed
    # Where what the job made lives, when it is more than a file (a briefing, an import): (text, url(job)).
    link: tuple[object, Callable] | None = None


KINDS: dict[str, Kind] = {}
stopping = threading.Event()  # set by the worker when it is asked to stop


def register(kind: str, *, label, run: Callable, check: Callable, link=None) -> None:
    KINDS[kind] = Kind(label, run, check, link)


def text_filters(*names: str) -> Callable:
    """The check of a list export's parameters: the list's filters, each a short text without NUL
    (anything else is dropped), so the job re-runs the same scoped list the page showed."""

    def check(owner, parameters: dict) -> dict:
        filters = {}
        for name in names:
            value = parameters.get(name) or ""
            if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
                raise ZhuqiError("invalid_filter", _("A filter is not valid."), status=422, field=name)
            filters[name] = value
        return filters

    return check


def _dir() -> Path:
    return Path(settings.DATA_DIR) / "jobs"


def file_of(job: Job) -> Path | None:
    return _dir() / job.result_path if job.result_path else None


# --- Requests -----------------------------------------------------------------------------------


@transaction.atomic
def enqueue(*, kind: str, owner, parameters: dict | None = None) -> Job:
    """Queues a job for `owner` after its kind checked the owner may do it and the parameters."""
    if kind not in KINDS:
        raise ZhuqiError(
            "unknown_job_kind", Message(_("Unknown kind of job: %(kind)s."), {"kind": kind[:40]})
        )
    parameters = KINDS[kind].check(owner, dict(parameters or {}))
    job = Job.objects.create(kind=kind, owner=owner, parameters=parameters)
    audit.record(actor=owner, verb="job_enqueue", obj=job, data={"kind": kind, "parameters": parameters})
    return job


def job_of(user, job_id: int) -> Job:
    """The user's own job; anybody else's answers 404, as every object outside a scope."""
    valid = user.is_authenticated and 0 < job_id < 2**63
    job = Job.objects.filter(pk=job_id, owner_id=user.pk).first() if valid else None
    if job is None:
        raise NotFound("job_not_found", _("No such job."))
    return job


def jobs_of(user):
    return Job.objects.filter(owner_id=user.pk)


def download(user, job_id: int) -> tuple[Path, str]:
    job = job_of(user, job_id)
    path = file_of(job)
    if job.state != Job.State.DONE or (path is None and not job.finished_at):
        raise ZhuqiError("job_not_done", _("The job has not finished yet."), status=409)
    if path is None or not path.exists():
        raise ZhuqiError(
            "job_file_expired",
            _("The file was kept for its set time and has been deleted: run the job again."),
            status=410,
        )
    return path, download_name(job)


def download_name(job: Job) -> str:
    """The file's name as its owner reads it: what the job is and the day it ran, in the page's
    language (预警清单导出 2026年12月6日.xlsx), not the worker's technical name (warnings.xlsx)."""
    what = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", str(label(job))).strip() or job.kind
    extension = Path(job.result_name).suffix
    return f"{what} {formats.day(job.created_at)}{extension}"


def result_link(job: Job) -> tuple[object, str] | None:
    kind = KINDS.get(job.kind)
    if kind is None or kind.link is None or job.state != Job.State.DONE:
        return None
    text, url = kind.link
    return text, url(job)


RESULT_LABELS = {
    "rows": _("Rows"),
    "values": _("Indicator values"),
    "enterprises": _("Enterprises"),
    "clauses": _("Clauses"),
    "eligible": _("Eligible pairs"),
    "unknown": _("Pairs with missing facts"),
    "newly_eligible": _("Newly eligible pairs"),
    "created": _("Created"),
    "updated": _("Updated"),
    "unchanged": _("Unchanged"),
    "already_offered": _("Already offered"),
    "unverified": _("Waiting for verified data"),
    "over_budget": _("Over budget"),
    "skipped_rows": _("Rows skipped"),
}


def results(job: Job) -> list[tuple[object, object]]:
    """The job's counts as (label, value), for its page; identifiers are never shown."""
    return [(RESULT_LABELS[k], v) for k, v in job.result.items() if k in RESULT_LABELS and isinstance(v, int)]


def label(job: Job):
    kind = KINDS.get(job.kind)
    return kind.label if kind else job.kind


# --- The worker's side --------------------------------------------------------------------------


def _claim() -> Job | None:
    with transaction.atomic():
        qs = Job.objects.filter(state=Job.State.QUEUED)
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        job = qs.order_by("created_at", "id").first()
        if job is None:
            return None
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=now, heartbeat_at=now)
    job.refresh_from_db()
    return job


class Progress:
    """progress(done, total): writes the figures at most every PROGRESS_EVERY seconds (and the
    heartbeat with them); raises Interrupted when the worker is stopping.

    A run that holds one transaction open for its whole length (a match, a tier assessment: they
    replace a year's results at once) would keep its progress and heartbeat invisible until it
    commits — the job page would stand at 0 and the sweep would think the worker dead. On PostgreSQL
    the figures then go through a connection of their own, committed at once. (SQLite has one writer:
    a second connection would wait for the run's lock, so there they stay in the run's transaction.)"""

    def __init__(self, job: Job):
        self.job, self.last = job, 0.0
        self._side = None  # the connection of its own: None until needed, False once it could not be used

    def __call__(self, done: int, total: int | None = None) -> None:
        if stopping.is_set():
            raise Interrupted
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and (total is None or done < total):
            return
        self.last = now
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if not self._written_beside(fields):
            Job.objects.filter(pk=self.job.pk).update(**fields)

    def _written_beside(self, fields: dict) -> bool:
        """Writes `fields` through the connection of its own when the run is inside a transaction on
        PostgreSQL; False when it did not (another database, no transaction, or a job row that only
        the run's transaction sees, as in a test)."""
        if connection.vendor != "postgresql" or not connection.in_atomic_block or self._side is False:
            return False
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                # Should the run's own transaction hold the job's row (a caller that changed it before
                # running), the second connection would wait for it for ever: it gives up instead.
                cursor.execute("SET lock_timeout = '1s'")
        columns = ", ".join(
            f"{connection.ops.quote_name(Job._meta.get_field(f).column)} = %s" for f in fields
        )
        try:
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(Job._meta.db_table)} SET {columns} WHERE id = %s",
                    [*fields.values(), self.job.pk],
                )
                return cursor.rowcount == 1
        except OperationalError:  # the row is locked by the run itself: write through it from now on
            self.close()
            self._side = False
            return False

    def close(self) -> None:
        if self._side:
            self._side.close()
            self._side = None


def run_next() -> int:
    """Runs the oldest queued job, if any; returns 1 when it ran one (done, failed or put back)."""
    job = _claim()
    if job is None:
        return 0
    kind = KINDS.get(job.kind)
    progress = Progress(job)
    try:
        if kind is None:
            raise ZhuqiError(
                "unknown_job_kind", Message(_("Unknown kind of job: %(kind)s."), {"kind": job.kind})
            )
        outcome = kind.run(job, progress)
    except Interrupted:
        Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, started_at=None, heartbeat_at=None)
        return 1
    except ZhuqiError as exc:
        _finish_failed(job, exc.message)
        return 1
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job, Message(_("The job failed: %(error)s."), {"error": type(exc).__name__}))
        return 1
    finally:
        progress.close()
    _finish_done(job, outcome)
    return 1


def run_pending(limit: int = 100) -> int:
    """Runs queued jobs one after the other (`zhuqi worker --once`, tests); returns how many."""
    ran = 0
    while ran < limit and run_next():
        ran += 1
    return ran


def _notify(job: Job, subject) -> None:
    outbox.enqueue(
        event_key=f"job:{job.pk}:{job.state}",
        recipients=[job.owner],
        subject=str(subject),
        body="",
        link=reverse("web:job_detail", args=[job.pk]),
        channels=["inapp"],
    )


def _finish_done(job: Job, outcome: Outcome) -> None:
    now = timezone.now()
    job.state, job.finished_at, job.result = Job.State.DONE, now, outcome.result
    job.refresh_from_db(fields=["total"])  # progress wrote it to the row, not to this instance
    job.total = job.total or 1
    job.done = job.total
    if outcome.content is not None:
        folder = _dir() / str(job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / outcome.filename).write_bytes(outcome.content)
        job.result_path, job.result_name = f"{job.pk}/{outcome.filename}", outcome.filename
        job.expires_at = now + timedelta(hours=settings.ZHUQI_JOB_KEEP_HOURS)
    with transaction.atomic():
        job.save()
        _notify(job, Message(_("Ready: %(what)s"), {"what": label(job)}))


def _finish_failed(job: Job, message) -> None:
    job.state, job.finished_at = Job.State.FAILED, timezone.now()
    texts = bilingual(message)
    job.message, job.message_en = texts["message"][:500], texts["message_en"][:500]
    with transaction.atomic():
        job.save(update_fields=["state", "finished_at", "message", "message_en"])
        _notify(job, Message(_("Failed: %(what)s"), {"what": label(job)}))


def sweep(now=None) -> dict[str, int]:
    """Periodic: deletes result files past their time; queues again jobs whose worker died."""
    now = now or timezone.now()
    expired = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(result_path=""):
        shutil.rmtree(_dir() / str(job.pk), ignore_errors=True)
        Job.objects.filter(pk=job.pk).update(result_path="")
        expired += 1
    requeued = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - STALE).update(
        state=Job.State.QUEUED, started_at=None, heartbeat_at=None
    )
    return {"expired_files": expired, "requeued": requeued}


def lower_priority() -> None:
    """Called by the worker's jobs thread: on Linux niceness is per thread, so a long export yields
    the CPU to the web server's requests."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def message_text(job: Job) -> str:
    """The failure message in the active language."""
    return job.message_en if translation.get_language() == "en" else job.message
