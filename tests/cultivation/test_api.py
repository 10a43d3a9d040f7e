"""The cultivation API: scoped reads, the office's actions, bounded inputs."""

import pytest

from tests.cultivation.helpers import firm
from zhuqi.cultivation import keylists, services
from zhuqi.cultivation.models import ListKind, Membership, MembershipState, PoolKind


@pytest.fixture
def members(world):
    office = world.users["coordinator"]
    for i in range(4):
        firm(world.towns[0], run_rate=17_000_000 + i * 500_000)
    firm(world.towns[1], run_rate=18_000_000)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=world.towns[0], target=3, acting_user=office)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=world.towns[1], target=1, acting_user=office)
    services.pool_propose(kind=PoolKind.UPSCALE, year=2026, acting_user=office)
    return world


def test_list_is_scoped_and_paged(client, members):
    client.force_login(members.users["town_a"])
    body = client.get("/api/v1/cultivation/pools/upscale/members?year=2026").json()
    assert body["count"] == 4 and {m["town"] for m in body["items"]} == {"长安镇"}
    client.force_login(members.users["enterprise_a"])
    assert client.get("/api/v1/cultivation/pools/upscale/members?year=2026").status_code == 404


def test_office_admits_and_the_helper_records_help(client, members):
    member = Membership.objects.filter(enterprise__town=members.towns[0]).first()
    client.force_login(members.users["coordinator"])
    answer = client.post(
        f"/api/v1/cultivation/members/{member.pk}/admit",
        {"reason": "走访核实", "helper": "town_a", "department": "changan_economy"},
        content_type="application/json",
    )
    assert (
        answer.status_code == 200
        and answer.json()["state"] == "admitted"
        and answer.json()["helper"] == "town_a"
    )
    client.force_login(members.users["town_a"])
    noted = client.post(
        f"/api/v1/cultivation/members/{member.pk}/help",
        {"text": "协调用电增容", "helped_on": "2026-10-09"},
        content_type="application/json",
    )
    assert noted.status_code == 200 and noted.json()["help"][0]["text"] == "协调用电增容"
    refused = client.post(
        f"/api/v1/cultivation/members/{member.pk}/exit", {"reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    member.refresh_from_db()
    assert member.state == MembershipState.ADMITTED


def test_wrong_state_is_409_and_bad_input_422(client, members):
    member = Membership.objects.first()
    client.force_login(members.users["coordinator"])
    assert (
        client.post(
            f"/api/v1/cultivation/members/{member.pk}/exit", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 409
    )
    too_long = client.post(
        f"/api/v1/cultivation/members/{member.pk}/decline",
        {"reason": "长" * 201},
        content_type="application/json",
    )
    assert too_long.status_code == 422
    bad = client.put(
        "/api/v1/cultivation/pools/upscale/targets",
        {"year": 2026, "town": "changan", "target": -1},
        content_type="application/json",
    )
    assert bad.status_code == 422
    ok = client.put(
        "/api/v1/cultivation/pools/upscale/targets",
        {"year": 2026, "town": "changan", "target": 22},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["target"] == 22


def test_key_list_and_ladder(client, members):
    office = members.users["coordinator"]
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office)
    client.force_login(office)
    assert client.get("/api/v1/cultivation/key-lists/scale?year=2026").json()["state"] == "draft"
    published = client.post(
        "/api/v1/cultivation/key-lists/scale/publish", {"year": 2026}, content_type="application/json"
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert client.get("/api/v1/cultivation/ladder?year=2026").status_code == 200
    run = client.post(
        "/api/v1/cultivation/runs", {"kind": "lists", "year": 2026}, content_type="application/json"
    )
    assert run.status_code == 202
