"""Long lists are counted by the database's estimate past ZHUQI_COUNT_ESTIMATE_ABOVE (issue 16, item 3):
pages say "about" and offer the exact count, the API says `count_estimated`; shorter lists, and every
list on SQLite, are counted exactly; a page that reaches the end knows the exact count.

Most tests give the estimate directly (`estimate`, the one function that asks the planner), so that
they run on both databases; the planner's own estimate is tested on PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from zhuqi.core import pagination
from zhuqi.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's (SQLite counts exactly)"
)


@pytest.fixture
def sixty(world):
    """The coordinator's 60 notifications, 通知59 the newest (pairs share a moment: the id breaks the tie)."""
    user = world.users["coordinator"]
    Notification.objects.bulk_create(
        Notification(key=f"n{i}", user=user, subject=f"通知{i:02d}", body="b") for i in range(60)
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in Notification.objects.filter(user=user):  # auto_now_add gave them all "now"
        moment = start + timedelta(hours=int(n.subject[2:]) // 2)
        Notification.objects.filter(pk=n.pk).update(created_at=moment)
    return user


@pytest.fixture
def estimate(monkeypatch, settings):
    """Makes the planner answer `n` rows for any list, with the threshold at 10 rows."""
    settings.ZHUQI_COUNT_ESTIMATE_ABOVE = 10

    def answer(n):
        monkeypatch.setattr(pagination, "estimated_count", lambda rows: n)

    return answer


def test_a_long_list_shows_the_estimate_and_counts_exactly_on_request(client, sixty, estimate):
    estimate(1000)
    client.force_login(sixty)
    body = client.get("/notifications/").content.decode()
    assert "第 1 页，共约1,000条" in body and "count=exact" in body and "精确计数" in body
    assert "下一页" in body
    exact = client.get("/notifications/?count=exact").content.decode()
    assert "第 1 / 3 页" in exact and "共约" not in exact
    # The next page keeps the request for the exact count.
    assert "count=exact" in exact.split("下一页")[0].rsplit("href=", 1)[1]


def test_the_last_page_knows_the_exact_count_and_a_number_past_it_answers_the_last(client, sixty, estimate):
    estimate(1000)
    client.force_login(sixty)
    newest = "通知59"
    assert newest in client.get("/notifications/").content.decode()
    last = client.get("/notifications/?page=3").content.decode()
    assert "第 3 / 3 页" in last and "共约" not in last and "下一页" not in last
    assert "通知00" in last and newest not in last
    past = client.get("/notifications/?page=40").content.decode()  # within the estimate, past the rows
    assert "第 3 / 3 页" in past and "通知00" in past
    beyond = client.get("/notifications/?page=99999999").content.decode()  # past any page
    assert "第 3 / 3 页" in beyond
    assert "第 1 页" in client.get("/notifications/?page=abc").content.decode()


def test_an_estimate_below_what_the_pages_hold_does_not_hide_a_page(client, sixty, estimate):
    estimate(30)  # above the threshold, but 60 rows are there: page 2 must still lead to page 3
    client.force_login(sixty)
    second = client.get("/notifications/?page=2").content.decode()
    assert "第 2 页，共约51条" in second and "下一页" in second
    third = client.get("/notifications/?page=3").content.decode()
    assert "第 3 / 3 页" in third and "通知00" in third


def test_pages_equal_the_exact_pages_whatever_the_estimate(sixty, estimate):
    rows = Notification.objects.filter(user=sixty)
    exact = pagination.DeferredJoinPaginator(rows, 25, exact_count=True)
    for guess in (11, 30, 59, 61, 1000):
        estimate(guess)
        guessed = pagination.DeferredJoinPaginator(rows, 25)
        for number in (1, 2, 3):
            assert list(guessed.get_page(number)) == list(exact.page(number)), (guess, number)


def test_below_the_threshold_the_count_is_exact(client, sixty, estimate):
    estimate(10)  # not above 10
    client.force_login(sixty)
    assert "第 1 / 3 页" in client.get("/notifications/").content.decode()
    body = client.get("/api/v1/notifications").json()
    assert body["count"] == 60 and body["count_estimated"] is False


def test_the_api_says_when_its_count_is_estimated(client, sixty, estimate):
    estimate(1000)
    client.force_login(sixty)
    first = client.get("/api/v1/notifications").json()
    assert first["count"] == 1000 and first["count_estimated"] is True and len(first["items"]) == 25
    exact = client.get("/api/v1/notifications?exact_count=true").json()
    assert exact["count"] == 60 and exact["count_estimated"] is False
    assert [n["id"] for n in exact["items"]] == [n["id"] for n in first["items"]]
    last = client.get("/api/v1/notifications?page=3").json()
    assert last["count"] == 60 and last["count_estimated"] is False and len(last["items"]) == 10
    past = client.get("/api/v1/notifications?page=7").json()
    assert past == {"items": [], "count": 60, "count_estimated": False}
    assert client.get("/api/v1/notifications?exact_count=maybe").status_code == 422
    estimate(30)
    second = client.get("/api/v1/notifications?page=2").json()
    assert second["count"] == 51 and second["count_estimated"] is True  # at least one row past page 2


def test_the_openapi_schema_documents_the_estimate(client, world):
    client.force_login(world.users["coordinator"])
    schema = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/v1/notifications"]["get"]["parameters"]}
    assert {"page", "page_size", "exact_count"} <= parameters
    paged = schema["components"]["schemas"]["PagedNotificationOut"]["properties"]
    assert paged["count_estimated"]["type"] == "boolean" and "estimate" in paged["count"]["description"]


def test_the_audit_page_estimates_millions_of_events(client, world, estimate):
    AuditEvent.objects.bulk_create(
        AuditEvent(verb="test", object_type="x", object_id=str(i)) for i in range(3)
    )
    estimate(1_234_567)
    client.force_login(world.users["coordinator"])
    body = client.get("/audit/").content.decode()
    assert "现存 约123.5万 条记录" in body and "count=exact" in body
    exact = client.get("/audit/?count=exact").content.decode()
    assert f"现存 {AuditEvent.objects.count()} 条记录" in exact


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no estimate to give")
def test_sqlite_counts_exactly(sixty, settings):
    settings.ZHUQI_COUNT_ESTIMATE_ABOVE = 10
    rows = Notification.objects.filter(user=sixty)
    assert pagination.estimated_count(rows) is None
    assert pagination.count_of(rows) == (60, False)


@needs_postgres
def test_the_planner_estimates_the_filtered_list(client, sixty, settings):
    """The real estimate: EXPLAIN of the list's query, from the statistics ANALYZE gathered."""
    settings.ZHUQI_COUNT_ESTIMATE_ABOVE = 10
    with connection.cursor() as c:
        c.execute("ANALYZE core_notification")
    rows = Notification.objects.filter(user=sixty)
    guess = pagination.estimated_count(rows)
    assert 30 <= guess <= 120, guess
    assert pagination.estimated_count(Notification.objects.filter(user=sixty, read_at__isnull=False)) < 10
    assert pagination.count_of(rows) == (guess, True)
    assert pagination.count_of(rows, exact=True) == (60, False)
    client.force_login(sixty)
    body = client.get("/api/v1/notifications").json()
    assert body["count_estimated"] is True and body["count"] == max(guess, 26)
    assert "共约" in client.get("/notifications/").content.decode()
    settings.ZHUQI_COUNT_ESTIMATE_ABOVE = 10_000
    assert client.get("/api/v1/notifications").json()["count_estimated"] is False
    # A query Django knows to be empty is not sent: no estimate to read, nothing there.
    assert pagination.estimated_count(Notification.objects.none()) == 0
    assert pagination.estimated_count(Notification.objects.filter(pk__in=[])) == 0


def test_the_unread_badge_counts_up_to_a_hundred(client, world):
    """Every page shows the unread count: it stops at 100 (99+) rather than count a million."""
    user = world.users["coordinator"]
    client.force_login(user)
    Notification.objects.bulk_create(
        Notification(key=f"u{i}", user=user, subject=f"未读{i}", body="b") for i in range(99)
    )
    assert "<mark>99</mark>" in client.get("/notifications/").content.decode()
    Notification.objects.create(key="u99", user=user, subject="未读99", body="b")
    Notification.objects.create(key="u100", user=user, subject="未读100", body="b")
    body = client.get("/notifications/").content.decode()
    assert "<mark>99+</mark>" in body and 'data-unread="100"' in body
    Notification.objects.filter(user=user).update(read_at=datetime(2026, 1, 2, tzinfo=UTC))
    assert 'data-unread="0"' in client.get("/notifications/").content.decode()
