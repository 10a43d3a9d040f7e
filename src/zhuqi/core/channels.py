"""Delivery channels. Each delivers one outbox message and must be idempotent by the message key, so
that a retry after a crash sends nothing twice to the same recipient for the same event.

  inapp   writes a Notification row (unique key), in the worker's transaction
  fanout  queues one message per recipient of the row's audience (core.outbox), in the worker's
          transaction
  email   Django's e-mail backend, with the key as Message-ID
  sms     an SmsGateway chosen by ZHUQI_SMS_GATEWAY: "file" (default: one JSON line per message in
          $ZHUQI_DATA_DIR/sms.jsonl, skipping keys already sent, looked up in an index beside it),
          "console", or an http(s) URL
          that receives a JSON POST with an Idempotency-Key header
"""

import json
import sqlite3
import threading
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage

from zhuqi.core.models import Notification, OutboxMessage
from zhuqi.core.outbox import fan_out


class DeliveryError(Exception):
    pass


def deliver_inapp(message: OutboxMessage) -> None:
    Notification.objects.get_or_create(
        key=message.key,
        defaults={
            "user_id": message.recipient_id,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
        },
    )


def deliver_email(message: OutboxMessage) -> None:
    EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.address],
        headers={"Message-ID": f"<{message.key.replace(':', '.')}@zhuqi>"},
    ).send()


class FileSmsGateway:
    """Appends one JSON line per SMS to the log; a key already sent is skipped (idempotent).

    Keys are looked up in an index beside the log (`sms.jsonl.keys`, SQLite with the key as primary
    key), so a message costs the same at the 300,000th line as at the first, instead of a reread of
    the whole log. The index also records how many bytes of the log it covers: the log line is
    written before the index row, and a process killed between the two leaves a tail the index does
    not cover, which the next send reads and indexes before deciding. The index's write lock
    (BEGIN IMMEDIATE) serialises the append across threads and worker processes.
    """

    def __init__(self, path: Path):
        self.path = path
        self.bytes_read = 0  # of the log, for the test that the cost per message does not grow
        self._db = sqlite3.connect(f"{path}.keys", timeout=60, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS covered (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER)"
        )
        self._db.execute("INSERT OR IGNORE INTO covered VALUES (1, 0)")
        self._lock = threading.Lock()

    def _index_tail(self, covered: int) -> tuple[int, bool]:
        """Indexes the keys of the log past `covered` (lines no index row records); returns the size
        now covered and whether the log ends with a complete line."""
        with self.path.open("rb") as f:
            f.seek(covered)
            tail = f.read()
        self.bytes_read += len(tail)
        for line in tail.splitlines():
            try:
                key = json.loads(line)["key"]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: its message was not acknowledged
            self._db.execute("INSERT OR IGNORE INTO sent VALUES (?)", (key,))
        return covered + len(tail), not tail or tail.endswith(b"\n")

    def send(self, *, key: str, mobile: str, text: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (covered,) = self._db.execute("SELECT size FROM covered").fetchone()
                size = self.path.stat().st_size if self.path.exists() else 0
                complete = True
                if size != covered:  # lines written by a send that was killed before indexing them
                    covered, complete = self._index_tail(covered if size > covered else 0)
                if self._db.execute("SELECT 1 FROM sent WHERE key = ?", (key,)).fetchone() is None:
                    line = json.dumps({"key": key, "mobile": mobile, "text": text}, ensure_ascii=False)
                    with self.path.open("ab") as f:
                        if not complete:
                            f.write(b"\n")  # after a line cut short by a crash, start a fresh one
                        f.write(line.encode() + b"\n")
                        f.flush()
                        covered = f.tell()
                    self._db.execute("INSERT INTO sent VALUES (?)", (key,))
                self._db.execute("UPDATE covered SET size = ?", (covered,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise


class ConsoleSmsGateway:
    def send(self, *, key: str, mobile: str, text: str) -> None:
        print(f"SMS to {mobile} [{key}]: {text}")  # noqa: T201 - the console gateway prints by design


class HttpSmsGateway:
    def __init__(self, url: str, timeout: float = 10):
        self.url, self.timeout = url, timeout

    def send(self, *, key: str, mobile: str, text: str) -> None:
        request = urllib.request.Request(
            self.url,
            method="POST",
            data=json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                if response.status >= 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except OSError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}") from exc


_file_gateways: dict[Path, FileSmsGateway] = {}


def sms_gateway():
    setting = settings.ZHUQI_SMS_GATEWAY
    if setting.startswith(("http://", "https://")):
        return HttpSmsGateway(setting)
    if setting == "console":
        return ConsoleSmsGateway()
    path = Path(settings.DATA_DIR) / "sms.jsonl"
    if path not in _file_gateways:  # one index connection per log and process
        _file_gateways[path] = FileSmsGateway(path)
    return _file_gateways[path]


def deliver_sms(message: OutboxMessage) -> None:
    sms_gateway().send(key=message.key, mobile=message.address, text=f"【助企】{message.subject}")


CHANNELS = {"inapp": deliver_inapp, "email": deliver_email, "sms": deliver_sms, "fanout": fan_out}
