"""worker.deliver_backlog: what a build queued, delivered as the worker would, in-app ones in batches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from zhuqi.core import outbox, worker
from zhuqi.core.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def test_backlog_is_delivered_like_the_worker_does_it(settings):
    settings.ZHUQI_SMS_GATEWAY = "file"
    people = [UserFactory(mobile=f"1380000{i:04d}") for i in range(5)]
    for n in range(7):
        outbox.enqueue(event_key=f"event-{n}", recipients=people, subject=f"通知{n}", body="内容", link="/x/")
    # One in-app notice already delivered (a crash between delivery and marking): not written twice.
    first = OutboxMessage.objects.filter(channel="inapp").order_by("id").first()
    Notification.objects.create(key=first.key, user=first.recipient, subject=first.subject, body=first.body)
    # One not due yet (a retry backing off): left for the worker.
    later = OutboxMessage.objects.filter(channel="inapp").order_by("-id").first()
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    delivered = worker.deliver_backlog(batch=4)  # several batches

    assert delivered == OutboxMessage.objects.count() - 1 == 7 * 5 * 2 - 1
    assert set(OutboxMessage.objects.exclude(pk=later.pk).values_list("status", "attempts")) == {("sent", 1)}
    assert OutboxMessage.objects.get(pk=later.pk).status == "pending"
    assert Notification.objects.count() == 7 * 5 - 1
    for message in OutboxMessage.objects.filter(channel="inapp").exclude(pk=later.pk):
        note = Notification.objects.get(key=message.key)
        assert (note.user_id, note.subject, note.body) == (
            message.recipient_id,
            message.subject,
            message.body,
        )
    assert (settings.DATA_DIR / "sms.jsonl").read_text(encoding="utf-8").count("\n") == 7 * 5
    assert worker.deliver_backlog() == 0


def test_a_channel_that_queues_in_app_messages_is_delivered_through_it_first(settings, monkeypatch):
    """A row of another channel delivered in the worker's transaction (an appeal's fan-out row names
    its audience, not a recipient, and queues their messages) goes through its channel, never written
    as a notice of nobody, and the messages it queues are delivered in the same backlog."""
    people = [UserFactory() for _ in range(3)]

    def relay(message):
        outbox.enqueue(event_key=message.key, recipients=people, subject=message.subject, body=message.body)

    monkeypatch.setitem(worker.CHANNELS, "relay", relay)
    monkeypatch.setattr(worker, "TRANSACTIONAL", worker.TRANSACTIONAL | {"relay"})
    OutboxMessage.objects.create(
        key="event-1:relay", channel="relay", subject="通知", body="内容", next_attempt_at=timezone.now()
    )

    assert worker.deliver_backlog() == 1 + 3
    assert OutboxMessage.objects.get(channel="relay").status == "sent"
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(p.pk for p in people)
