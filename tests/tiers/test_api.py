import json
from datetime import date

import pytest

from tests.factories import RecognitionFactory
from tests.tiers.conftest import innovative_enterprise
from zhuqi.tiers import assessment

pytestmark = pytest.mark.django_db


def call(client, user, method, path, body=None):
    client.force_login(user)
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def test_record_list_and_revoke_a_recognition(client, world):
    office = world.users["coordinator"]
    body = {
        "enterprise_uscc": world.a.uscc,
        "tier": "innovative",
        "level": "provincial",
        "document": "粤工信〔2026〕8号",
        "recognised_on": "2026-04-01",
    }
    r = call(client, office, "post", "/tier-recognitions", body)
    assert r.status_code == 201 and r.json()["expires_on"] == "2029-03-31"
    rid = r.json()["id"]
    assert call(client, office, "post", "/tier-recognitions", body).status_code == 409
    assert call(client, world.users["town_a"], "post", "/tier-recognitions", body).status_code == 403
    listed = call(client, office, "get", "/tier-recognitions?state=in_force").json()
    assert [i["id"] for i in listed["items"]] == [rid]
    r = call(
        client,
        office,
        "post",
        f"/tier-recognitions/{rid}/revoke",
        {"revoked_on": "2026-05-01", "reason": "不再符合条件"},
    )
    assert r.status_code == 200 and r.json()["revoked_on"] == "2026-05-01"
    assert call(client, office, "get", "/tier-recognitions?state=in_force").json()["items"] == []
    # another enterprise's recognition is not the enterprise user's to see
    assert call(client, world.users["enterprise_b"], "get", "/tier-recognitions").json()["items"] == []


def test_candidates_and_status(client, world):
    innovative_enterprise(enterprise=world.a, facts={"segment_years": 3})
    RecognitionFactory(
        enterprise=world.a,
        tier="innovative",
        level="provincial",
        recognised_on=date(2024, 3, 1),
        expires_on=date(2027, 2, 28),
    )
    assessment.assess(year=2025, day=date(2025, 6, 30))
    found = call(
        client, world.users["coordinator"], "get", "/tier-candidates?year=2025&tier=specialised"
    ).json()
    row = next(i for i in found["items"] if i["enterprise_uscc"] == world.a.uscc)
    assert row["outcome"] == "could" and "specialised_score" in row["missing"]
    assert call(client, world.users["enterprise_a"], "get", "/tier-candidates?year=2025").status_code == 404
    mine = call(client, world.users["enterprise_a"], "get", f"/tier-status/{world.a.uscc}").json()
    assert mine["top"] == "innovative" and mine["next"] == "specialised"
    assert any(
        line["holds"] is False or line["holds"] is None for line in mine["next_standing"]["requirements"]
    )
    assert call(client, world.users["enterprise_a"], "get", f"/tier-status/{world.b.uscc}").status_code == 404


def test_the_assessment_runs_as_a_job(client, world):
    r = call(client, world.users["coordinator"], "post", "/tier-assessments/run", {"year": 2025})
    assert r.status_code == 202
    assert (
        call(client, world.users["leader_a"], "post", "/tier-assessments/run", {"year": 2025}).status_code
        == 403
    )
