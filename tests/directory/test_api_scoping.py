"""Every GET endpoint of the API, walked from the OpenAPI document, for users who must not see
enterprise B: detail endpoints answer 404 for B's code, list endpoints never mention B."""

import re

import pytest

from zhuqi.api import api

pytestmark = pytest.mark.django_db

RESTRICTED = ["enterprise_a", "town_a", "town_handler", "leader_a", "expert"]
REFERENCE_LISTS = {"/api/v1/towns", "/api/v1/departments", "/api/v1/categories", "/api/v1/me"}


def get_paths():
    schema = api.get_openapi_schema()
    return [path for path, ops in schema["paths"].items() if "get" in ops]


def asks_for_enterprise(path: str) -> bool:
    """Endpoints that read one enterprise named in the query (?enterprise=USCC): walked with B's code."""
    operation = api.get_openapi_schema()["paths"][path]["get"]
    return any(p["name"] == "enterprise" and p["in"] == "query" for p in operation.get("parameters", []))


def test_the_walk_covers_the_enterprise_endpoints():
    paths = get_paths()
    assert "/api/v1/enterprises/{uscc}" in paths
    assert "/api/v1/enterprises" in paths
    assert "/api/v1/enterprises/{uscc}/indicators" in paths


@pytest.mark.parametrize("who", RESTRICTED)
def test_no_endpoint_leaks_enterprise_b(client, world, who):
    client.force_login(world.users[who])
    for path in get_paths():
        if "{uscc}" in path:
            response = client.get(path.replace("{uscc}", world.b.uscc))
            assert response.status_code == 404, path
            assert response.json()["code"] in {"enterprise_not_found", "not_found"}
            continue
        if re.search(r"\{\w+\}", path):
            continue  # other path parameters are per-user objects (imports), tested where they live
        response = client.get(f"{path}?enterprise={world.b.uscc}" if asks_for_enterprise(path) else path)
        # 403: an endpoint the role may not use at all (the audit export) refuses, leaking nothing.
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        body = response.content
        if path.endswith(".xlsx"):
            import io

            from openpyxl import load_workbook

            cells = [
                str(c)
                for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
                for c in row
            ]
            body = " ".join(cells).encode()
        assert world.b.uscc.encode() not in body, path
        assert world.b.name.encode() not in body, path


@pytest.mark.parametrize("who", ["enterprise_a", "town_a", "leader_a"])
def test_own_enterprise_is_visible(client, world, who):
    client.force_login(world.users[who])
    response = client.get(f"/api/v1/enterprises/{world.a.uscc}")
    assert response.status_code == 200
    assert response.json()["name"] == world.a.name
    listing = client.get("/api/v1/enterprises").json()
    assert [item["uscc"] for item in listing["items"]] == [world.a.uscc]


def test_unauthenticated_api_gets_401_in_both_languages(client, world):
    response = client.get("/api/v1/enterprises")
    assert response.status_code == 401
    body = response.json()
    assert body["message"] and body["message_en"] and body["message"] != body["message_en"]
