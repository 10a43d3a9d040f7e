import pytest
from django.urls import reverse

from zhuqi.appeals import services
from zhuqi.core import worker
from zhuqi.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(loop, settings):
    settings.ZHUQI_NOTIFY_CHANNELS = ["inapp"]
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="用电增容",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    worker.deliver_due()
    return appeal


def test_handler_reads_its_notifications_in_the_api_and_marks_them_read(client, loop, delivered):
    client.force_login(loop.users["city_handler"])
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1 and delivered.number in listed["items"][0]["subject"]
    assert listed["items"][0]["link"] == f"/appeals/{delivered.number}/"
    assert client.post("/api/v1/notifications/read", {}, content_type="application/json").json() == {
        "marked": 1
    }
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 0


def test_nobody_reads_or_marks_another_users_notifications(client, loop, delivered):
    theirs = Notification.objects.get(user=loop.users["city_handler"])
    client.force_login(loop.users["enterprise_b"])
    assert client.get("/api/v1/notifications").json()["count"] == 0
    marked = client.post("/api/v1/notifications/read", {"ids": [theirs.pk]}, content_type="application/json")
    assert marked.json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notification_page_and_unread_badge(client, loop, delivered):
    client.force_login(loop.users["city_handler"])
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-unread="1"' in home
    page = client.get(reverse("web:notifications")).content.decode()
    assert delivered.number in page and "全部标为已读" in page
    client.post(reverse("web:notifications_read"))
    assert 'data-unread="0"' in client.get(reverse("web:notifications")).content.decode()


def test_warning_list_is_paginated(client, loop):
    from datetime import timedelta

    from django.utils import timezone

    from zhuqi.appeals.models import Appeal

    for i in range(30):
        services.appeal_submit(
            enterprise=loop.a,
            title=f"诉求{i}",
            description="d",
            category=loop.cats.other,
            acting_user=loop.users["enterprise_a"],
        )
    Appeal.objects.update(dispatch_due=timezone.now() - timedelta(days=10))
    client.force_login(loop.users["coordinator"])
    api = client.get("/api/v1/appeal-warnings").json()
    assert api["count"] == 30 and len(api["items"]) == 25
    page = client.get(reverse("appeals:warnings")).content.decode()
    assert "第 1 / 2 页" in page
    # The colour is said in words, never as the English name of the colour.
    assert 'data-warning="red"' in page and "严重超期" in page and ">red<" not in page
