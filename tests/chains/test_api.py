"""The chains, events and quotas API: scoped like the pages, bounded inputs."""

from datetime import date

import pytest

from tests.chains.conftest import add_members
from zhuqi.chains import services

pytestmark = pytest.mark.django_db


def test_chains_and_quota_progress(client, world, chain, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: date(2026, 12, 31))
    add_members(world, chain, 2)
    services.quotas_install(
        acting_user=world.users["coordinator"], year=2026, industry_department=world.city_dept
    )
    client.force_login(world.users["leader_a"])
    chains = client.get("/api/v1/chains").json()
    assert [c["code"] for c in chains] == ["tea"] and chains[0]["member_count"] == 2
    detail = client.get("/api/v1/chains/tea").json()
    assert detail["year"] == 2025 and len(detail["members"]) == 2
    client.force_login(world.users["enterprise_a"])
    assert client.get("/api/v1/chains/tea").status_code == 404
    client.force_login(world.users["city_handler"])
    rows = client.get("/api/v1/event-quotas/progress?year=2026").json()
    assert {(r["scope"], r["organiser"]) for r in rows} == {("total", None), ("department", "miit")}


def test_record_an_event_and_read_it_back(client, world):
    client.force_login(world.users["city_handler"])
    response = client.post(
        "/api/v1/matchmaking-events",
        {
            "kind": "supply",
            "title": "食品产销对接会",
            "held_on": "2026-05-20",
            "organiser_department": "miit",
            "enterprises": [world.a.uscc],
            "partners": [{"kind": "buyer", "name": "大型商超"}],
            "held": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert client.get(f"/api/v1/matchmaking-events/{number}").json()["partners"] == ["大型商超"]
    assert client.get("/api/v1/matchmaking-events?year=2026").json()["count"] == 1
    # a town officer may not record the industry department's event
    client.force_login(world.users["town_a"])
    refused = client.post(
        "/api/v1/matchmaking-events",
        {"kind": "supply", "title": "x", "held_on": "2026-05-20", "organiser_department": "miit"},
        content_type="application/json",
    )
    assert refused.status_code == 403
