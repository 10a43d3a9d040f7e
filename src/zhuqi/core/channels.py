"""Delivery channels. Each delivers one outbox message and must be idempotent by the message key, so
that a retry after a crash sends nothing twice to the same recipient for the same event.

  inapp   writes a Notification row (unique key), in the worker's transaction
  email   Django's e-mail backend, with the key as Message-ID
  sms     an SmsGateway chosen by ZHUQI_SMS_GATEWAY: "file" (default: one JSON line per message in
          $ZHUQI_DATA_DIR/sms.jsonl, skipping keys already written), "console", or an http(s) URL
          that receives a JSON POST with an Idempotency-Key header
"""

import json
import threading
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage

from zhuqi.core.models import Notification, OutboxMessage


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
    """Appends one JSON line per SMS; keys already in the file are skipped (idempotent)."""

    _lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = path

    def _sent_keys(self) -> set[str]:
        if not self.path.exists():
            return set()
        keys = set()
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    keys.add(json.loads(line)["key"])
                except (ValueError, KeyError):
                    continue  # a line cut short by a crash: its message was not acknowledged
        return keys

    def send(self, *, key: str, mobile: str, text: str) -> None:
        with self._lock:
            if key in self._sent_keys():
                return
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"key": key, "mobile": mobile, "text": text}, ensure_ascii=False) + "\n")
                f.flush()


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


def sms_gateway():
    setting = settings.ZHUQI_SMS_GATEWAY
    if setting.startswith(("http://", "https://")):
        return HttpSmsGateway(setting)
    if setting == "console":
        return ConsoleSmsGateway()
    return FileSmsGateway(Path(settings.DATA_DIR) / "sms.jsonl")


def deliver_sms(message: OutboxMessage) -> None:
    sms_gateway().send(key=message.key, mobile=message.address, text=f"【助企】{message.subject}")


CHANNELS = {"inapp": deliver_inapp, "email": deliver_email, "sms": deliver_sms}
