import pytest

from zhuqi.accounts import services as account_services
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal
from zhuqi.core.scopes import HOTLINE

pytestmark = pytest.mark.django_db


def body(w, **kw):
    return {
        "enterprise_uscc": w.a.uscc,
        "title": "用电增容审批慢",
        "description": "新厂房用电增容已等两个月。",
        "category_code": "financing.loan",
        **kw,
    }


def test_hotline_posts_with_a_token_and_a_retry_creates_nothing_new(client, loop):
    w = loop
    _token, raw = account_services.api_token_create(user=w.users["system"], name="12345", scopes=HOTLINE)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "12345-20261123-0001"}
    first = client.post(
        "/api/v1/appeals", body(w, channel="hotline"), content_type="application/json", **headers
    )
    assert first.status_code == 201, first.content
    retry = client.post(
        "/api/v1/appeals", body(w, channel="hotline"), content_type="application/json", **headers
    )
    assert retry.status_code == 200 and retry.json()["number"] == first.json()["number"]
    assert Appeal.objects.count() == 1
    assert first.json()["department_code"] == "miit"  # routed by rule, in the same request
    trail = client.get(f"/api/v1/appeals/{first.json()['number']}", **headers).json()["events"]
    assert [e["action"] for e in trail] == ["submit", "dispatch"]


def test_a_submission_through_the_api_is_seven_statements(client, loop, django_assert_num_queries):
    """The hot path (issue 16): the token (carrying the reference counter, for the cached category
    and routing table); the enterprise; the duplicate candidates; then, in one transaction, the
    appeal, its number and dispatch, both trail events, and the one outbox row the worker fans out."""
    w = loop
    _token, raw = account_services.api_token_create(user=w.users["system"], name="12345", scopes=HOTLINE)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def submit(key):
        return client.post(
            "/api/v1/appeals",
            body(w, channel="hotline", title=f"用电增容审批慢 {key}"),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **headers,
        )

    warm = submit("warm")
    assert warm.status_code == 201
    with django_assert_num_queries(7 + 2) as ctx:  # + the test's savepoint and its release
        response = submit("k-1")
    assert response.status_code == 201 and response.json()["department_code"] == "miit"
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "directory_servicecategory" not in tables and "directory_department_categories" not in tables
    assert "accounts_user" in tables  # the token's user is read on every request: never cached
    assert "core_referenceversion" in ctx.captured_queries[0]["sql"]  # with the token
    assert response.json()["possible_duplicates"] == [warm.json()["number"]]
    # A retry is told by the key's unique constraint: the same appeal, nothing new.
    retry = submit("k-1")
    assert retry.status_code == 200 and retry.json()["number"] == response.json()["number"]
    assert Appeal.objects.count() == 2


def test_enterprise_may_not_use_the_hotline_channel_or_another_enterprise(client, loop):
    w = loop
    client.force_login(w.users["enterprise_a"])
    assert (
        client.post(
            "/api/v1/appeals", body(w, channel="hotline"), content_type="application/json"
        ).status_code
        == 403
    )
    other = client.post("/api/v1/appeals", body(w, enterprise_uscc=w.b.uscc), content_type="application/json")
    assert other.status_code == 404
    assert not Appeal.objects.exists()


def test_bad_input_is_422_in_both_languages(client, loop):
    client.force_login(loop.users["enterprise_a"])
    response = client.post(
        "/api/v1/appeals", body(loop, category_code="nope"), content_type="application/json"
    )
    assert response.status_code == 422
    assert (
        response.json()["message"].startswith("未知") and "Unknown category" in response.json()["message_en"]
    )


def test_actions_through_the_api_and_409_on_impossible_transition(client, loop):
    w = loop
    client.force_login(w.users["enterprise_a"])
    number = client.post("/api/v1/appeals", body(w), content_type="application/json").json()["number"]
    client.force_login(w.users["city_handler"])
    accepted = client.post(f"/api/v1/appeals/{number}/accept", {}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    again = client.post(f"/api/v1/appeals/{number}/accept", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert "不能" in again.json()["message"] and "cannot be accepted" in again.json()["message_en"]
    stale = client.post(
        f"/api/v1/appeals/{number}/reply",
        {"reply": "x", "expected_version": 0},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "appeal_changed"
    replied = client.post(
        f"/api/v1/appeals/{number}/reply", {"reply": "已协调供电局"}, content_type="application/json"
    )
    assert replied.json()["state"] == "replied"
    client.force_login(w.users["enterprise_a"])
    rated = client.post(
        f"/api/v1/appeals/{number}/rate", {"rating": "basic"}, content_type="application/json"
    )
    assert rated.json()["state"] == "closed"
    assert [e["action"] for e in rated.json()["events"]] == ["submit", "dispatch", "accept", "reply", "rate"]


@pytest.mark.parametrize("who", ["enterprise_b", "town_handler", "leader_a", "expert"])
def test_appeal_scope(client, loop, who):
    w = loop
    mine = services.appeal_submit(
        enterprise=w.a,
        title="甲的诉求",
        description="d",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
    ).appeal
    visible = {"leader_a": True}.get(who, False)
    client.force_login(w.users[who])
    detail = client.get(f"/api/v1/appeals/{mine.number}")
    assert detail.status_code == (200 if visible else 404)
    listed = client.get("/api/v1/appeals").json()["items"]
    assert ([a["number"] for a in listed] == [mine.number]) is visible
    if not visible:
        assert mine.number not in client.get("/api/v1/appeal-warnings").content.decode()
        assert (
            client.post(
                f"/api/v1/appeals/{mine.number}/accept", {}, content_type="application/json"
            ).status_code
            == 404
        )


def test_handler_keeps_seeing_an_appeal_it_transferred(client, loop):
    w = loop
    appeal = services.appeal_submit(
        enterprise=w.a,
        title="t",
        description="d",
        category=w.cats.recruit,
        acting_user=w.users["enterprise_a"],
    ).appeal
    services.appeal_transfer(
        appeal=appeal, department=w.city_dept, acting_user=w.users["town_handler"], comment="市级事项"
    )
    client.force_login(w.users["town_handler"])
    assert client.get(f"/api/v1/appeals/{appeal.number}").status_code == 200


def test_kpi_endpoint_groups(client, loop):
    w = loop
    services.appeal_submit(
        enterprise=w.a, title="t", description="d", category=w.cats.loan, acting_user=w.users["enterprise_a"]
    )
    client.force_login(w.users["coordinator"])
    rows = client.get("/api/v1/appeal-kpis?by=department").json()
    assert rows[0]["count"] == 1 and rows[0]["resolution_rate"] == 0
    assert client.get("/api/v1/appeal-kpis?by=nonsense").status_code == 422
