import pytest

from zhuqi.accounts import services as account_services
from zhuqi.core.scopes import HOTLINE, Scope
from zhuqi.directory.models import Enterprise, IndicatorValue

pytestmark = pytest.mark.django_db

GOOD = "914403001922038216"


def payload(**overrides):
    return {
        "uscc": GOOD,
        "name": "东莞市接口测试有限公司",
        "town_code": "changan",
        "industry_code": "C39",
        **overrides,
    }


def test_create_with_a_real_code(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post("/api/v1/enterprises", payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == GOOD
    again = client.post("/api/v1/enterprises", payload(name="改名"), content_type="application/json")
    assert again.status_code == 200 and Enterprise.objects.get(uscc=GOOD).name == "改名"


def test_one_changed_character_is_refused_with_a_clear_bilingual_message(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        "/api/v1/enterprises", payload(uscc=GOOD[:-1] + "7"), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "uscc_check_digit" and body["field"] == "uscc"
    assert "校验码错误" in body["message"] and "应为 6" in body["message"]
    assert "check character" in body["message_en"]
    assert not Enterprise.objects.filter(name="东莞市接口测试有限公司").exists()


def test_bad_choice_and_unknown_town_are_422(client, world):
    client.force_login(world.users["coordinator"])
    bad_choice = client.post(
        "/api/v1/enterprises", payload(ownership="alien"), content_type="application/json"
    )
    assert bad_choice.status_code == 422 and bad_choice.json()["code"] == "invalid_input"
    town = client.post("/api/v1/enterprises", payload(town_code="nowhere"), content_type="application/json")
    assert town.status_code == 422 and town.json()["code"] == "unknown_town"
    assert Enterprise.objects.count() == 2


@pytest.mark.parametrize("who", ["enterprise_a", "town_a", "city_handler", "leader_a", "expert"])
def test_only_directory_editors_may_write(client, world, who):
    client.force_login(world.users[who])
    response = client.post("/api/v1/enterprises", payload(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message_en"].startswith("You may not")


def test_system_client_feeds_indicators_with_a_token(client, world):
    _token, raw = account_services.api_token_create(
        user=world.users["system"],
        name="tax feed",
        scopes=[Scope.INDICATORS_WRITE_TAX, Scope.INDICATORS_READ],
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    items = [
        {
            "uscc": world.a.uscc,
            "indicator": "tax_paid",
            "year": 2025,
            "value": "1234.50",
            "source": "tax",
        }
    ]
    first = client.post("/api/v1/indicators", items, content_type="application/json", **headers)
    assert first.status_code == 200 and first.json() == {"created": 1, "updated": 0, "unchanged": 0}
    second = client.post("/api/v1/indicators", items, content_type="application/json", **headers)
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert IndicatorValue.objects.get(enterprise=world.a).value == 1234.5
    listed = client.get(f"/api/v1/enterprises/{world.a.uscc}/indicators", **headers).json()
    assert listed[0]["indicator"] == "tax_paid"


def test_revoked_token_is_401(client, world):
    token, raw = account_services.api_token_create(user=world.users["system"], name="x", scopes=HOTLINE)
    account_services.api_token_revoke(prefix=token.prefix)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_unknown_indicator_is_refused_and_nothing_written(client, world):
    client.force_login(world.users["coordinator"])
    items = [
        {"uscc": world.a.uscc, "indicator": "revenue", "year": 2025, "value": "1", "source": "stats"},
        {"uscc": world.a.uscc, "indicator": "happiness", "year": 2025, "value": "1", "source": "stats"},
    ]
    response = client.post("/api/v1/indicators", items, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "unknown_indicator"
    assert not IndicatorValue.objects.exists()


def test_list_filters_and_pagination(client, world):
    client.force_login(world.users["coordinator"])
    assert client.get("/api/v1/enterprises?q=甲").json()["count"] == 1
    assert client.get(f"/api/v1/enterprises?q={world.b.uscc[:12]}").json()["items"][0]["uscc"] == world.b.uscc
    assert client.get("/api/v1/enterprises?town=humen").json()["count"] == 1
    assert client.get("/api/v1/enterprises?page_size=1").json()["count"] == 2
    assert len(client.get("/api/v1/enterprises?page_size=1").json()["items"]) == 1


def test_import_through_the_api(client, world):
    from tests.directory.test_importers import MIXED, xlsx

    client.force_login(world.users["coordinator"])
    upload = client.post("/api/v1/imports", {"kind": "enterprises", "file": _file(xlsx(MIXED))})
    assert upload.status_code == 201
    batch = upload.json()
    assert batch["valid_rows"] == 1 and {e["row"] for e in batch["errors"]} == {3, 4, 5, 6}
    refused = client.post(f"/api/v1/imports/{batch['id']}/apply")
    assert refused.status_code == 422
    applied = client.post(f"/api/v1/imports/{batch['id']}/apply?valid_only=true")
    assert applied.status_code == 200 and applied.json()["result"]["created"] == 1
    # Another user's batch is not found.
    client.force_login(world.users["admin"])
    assert client.get(f"/api/v1/imports/{batch['id']}").status_code == 404


def _file(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("企业.xlsx", content)


def test_openapi_document_and_local_docs(client, world):
    client.force_login(world.users["coordinator"])
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/enterprises" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/" in docs
