"""Each cause of the 177 server errors schemathesis found (issue #15, item 8), as a request: every one
is now refused with a 4xx in the one error shape (or a row error, or a message on the page) and
changes nothing."""

import json

import pytest

from tests.appeals.test_ledger_import import HEADER
from tests.directory.test_importers import xlsx
from zhuqi.appeals.models import Appeal, DeadlineRule
from zhuqi.directory import importers
from zhuqi.policies.models import Application, GrantOffer

pytestmark = pytest.mark.django_db

BIGINT_MAX = 2**63 - 1  # PostgreSQL's bigint


def hotline(w) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {w.hotline_token}"}


def refused(response, status=422):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] and body["message"] and body["message_en"]
    return body


def appeal(w, **changes):
    return {
        "enterprise_uscc": w.a.uscc,
        "title": "用电增容审批慢",
        "description": "新厂房用电增容已等两个月。",
        "category_code": "financing.loan",
        "channel": "hotline",
        **changes,
    }


def post(client, w, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **hotline(w), **headers)


@pytest.mark.parametrize("path", ["/api/v1/appeals?q=a%00b", "/api/v1/enterprises?q=a%00b"])
def test_a_nul_in_a_search_is_refused(client, api_world, path):
    client.force_login(api_world.users["coordinator"])
    refused(client.get(path))


@pytest.mark.parametrize("field", ["title", "description", "contact_name"])
def test_a_nul_in_a_text_field_is_refused_and_nothing_is_stored(client, api_world, field):
    before = Appeal.objects.count()
    body = refused(post(client, api_world, "/api/v1/appeals", appeal(api_world, **{field: "电\x00费"})))
    assert body["details"][0]["field"] == f"payload.{field}" or field in json.dumps(body["details"])
    assert Appeal.objects.count() == before


def test_a_nul_in_a_path_parameter_is_refused(client, api_world):
    refused(client.get("/api/v1/appeals/SQ%00", **hotline(api_world)))


def test_a_page_number_beyond_bigint_is_refused(client, api_world):
    refused(client.get(f"/api/v1/appeals?page={BIGINT_MAX + 1}", **hotline(api_world)))
    client.force_login(api_world.users["coordinator"])
    refused(client.get("/api/v1/enterprises?page=10000000000"))


@pytest.mark.parametrize("year", [-1, 10000])
def test_a_calendar_year_python_cannot_hold_is_refused(client, api_world, year):
    refused(client.get(f"/api/v1/calendar?year={year}", **hotline(api_world)))


@pytest.mark.parametrize(("field", "length"), [("contact_name", 65), ("contact_phone", 21)])
def test_a_field_longer_than_its_column_is_refused(client, api_world, field, length):
    body = refused(post(client, api_world, "/api/v1/appeals", appeal(api_world, **{field: "1" * length})))
    assert field in json.dumps(body["details"])
    assert not Appeal.objects.filter(**{field: "1" * length}).exists()


def test_an_idempotency_key_longer_than_its_column_is_refused(client, api_world):
    refused(post(client, api_world, "/api/v1/appeals", appeal(api_world), HTTP_IDEMPOTENCY_KEY="k" * 101))
    assert not Appeal.objects.filter(title="用电增容审批慢", channel="hotline").exists()


def test_a_bank_name_longer_than_its_column_is_refused(client, api_world):
    offer = GrantOffer.objects.first()
    client.force_login(api_world.enterprise_user)
    r = client.post(
        f"/api/v1/grant-offers/{offer.number}/confirm",
        json.dumps({"bank_name": "银" * 101, "account_name": api_world.a.name, "account_number": "62220212"}),
        content_type="application/json",
    )
    refused(r)
    offer.refresh_from_db()
    assert offer.state == "offered" and offer.bank_name == ""


@pytest.mark.parametrize("phone", ["1" * 21, "1" * 40])
def test_a_ledger_row_whose_phone_does_not_fit_is_a_row_error_at_the_check(api_world, phone):
    row = [
        api_world.a.uscc,
        "贷款贴息未到账",
        "贴息至今未到账。",
        "融资 › 贷款与贴息",
        "一般",
        "是",
        "王经理",
        phone,
        "CA-9",
    ]
    batch = importers.import_check(
        kind="appeals",
        filename="ledger.xlsx",
        content=xlsx([HEADER, row]),
        acting_user=api_world.users["coordinator"],
    )
    assert [(e["column"], e["code"]) for e in batch.errors] == [("联系电话", "bad_phone")]
    assert "20" in batch.errors[0]["message"]


def test_an_enterprise_row_whose_address_does_not_fit_is_a_row_error(api_world):
    header = ["统一社会信用代码", "企业名称", "镇街", "地址"]
    row = [api_world.a.uscc, api_world.a.name, "长安镇", "路" * 201]
    batch = importers.import_check(
        kind="enterprises",
        filename="e.xlsx",
        content=xlsx([header, row]),
        acting_user=api_world.users["coordinator"],
    )
    assert [(e["column"], e["code"]) for e in batch.errors] == [("地址", "too_long")]


def test_a_budget_of_1e20_is_refused(client, api_world):
    client.force_login(api_world.users["coordinator"])
    r = client.put(
        "/api/v1/policy-clauses/DB-3-6", json.dumps({"budget": 1e20}), content_type="application/json"
    )
    refused(r)
    assert api_world.clause("DB-3-6").budget is None


def test_an_approved_amount_of_1e20_is_refused(client, api_world):
    pending = Application.objects.get(state="submitted")
    client.force_login(api_world.users["coordinator"])
    r = client.post(
        f"/api/v1/policy-applications/{pending.number}/approve",
        json.dumps({"amount": "1e20"}),
        content_type="application/json",
    )
    refused(r)
    pending.refresh_from_db()
    assert pending.state == "submitted"


@pytest.mark.parametrize("value", [1e308 * 10, "a\x00b"])
def test_an_application_input_that_json_storage_refuses_is_refused(client, api_world, value):
    client.force_login(api_world.enterprise_user)
    r = client.post(
        "/api/v1/policy-applications",
        json.dumps({"clause_code": "DB-3-6", "year": 2021, "inputs": {"voucher_services": value}}),
        content_type="application/json",
    )
    refused(r)


@pytest.mark.parametrize("digit", ["²", "³"])
def test_a_non_ascii_digit_as_expected_version_is_refused(client, api_world, digit):
    number = api_world.known["number"][0]
    client.force_login(api_world.users["city_handler"])
    r = client.post(
        f"/api/v1/appeals/{number}/accept",
        json.dumps({"expected_version": digit}),
        content_type="application/json",
    )
    refused(r)
    # The page's form: a message, never a 500.
    before = Appeal.objects.get(number=number).version
    r = client.post(f"/appeals/{number}/accept/", {"expected_version": digit})
    assert r.status_code == 302
    assert Appeal.objects.get(number=number).version in (before, before + 1)


@pytest.mark.parametrize("rule", ["²", "١", str(BIGINT_MAX + 1), "abc"])
def test_a_non_ascii_digit_as_a_deadline_rule_id_is_refused(client, api_world, rule):
    client.force_login(api_world.users["coordinator"])
    r = client.post("/appeals/deadlines/", {"op": "rule_remove", "rule": rule})
    assert r.status_code in (302, 404, 422)
    assert DeadlineRule.objects.count() == 1
    refused(client.delete(f"/api/v1/deadline-rules/{rule}"))


def test_the_openapi_document_declares_the_error_answers(client, api_world):
    client.force_login(api_world.users["coordinator"])
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message", "message_en"}
    submit = document["paths"]["/api/v1/appeals"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(submit)
    assert submit["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
    q = next(p for p in document["paths"]["/api/v1/appeals"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 200 and q["schema"]["pattern"] == r"^[^\x00]*$"
