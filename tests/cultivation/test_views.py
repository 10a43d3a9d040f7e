"""The cultivation pages: what each role sees, the actions from the pages, and query counts that do
not grow with the rows."""

from datetime import date

import pytest
from django.urls import reverse

from tests.cultivation.helpers import firm
from zhuqi.core.models import AuditEvent
from zhuqi.cultivation import keylists, services
from zhuqi.cultivation.models import HelpNote, ListKind, Membership, MembershipState, PoolKind


@pytest.fixture
def pools(world):
    office = world.users["coordinator"]
    town = world.towns[0]
    for i in range(12):
        firm(town, run_rate=12_000_000 + i * 500_000)
    for i in range(6):
        firm(world.towns[1], run_rate=15_000_000 + i * 500_000, above_scale=True, last_year=30_000_000)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=town, target=8, acting_user=office)
    services.target_set(kind=PoolKind.UPSCALE, year=2026, town=world.towns[1], target=2, acting_user=office)
    services.pool_propose(kind=PoolKind.UPSCALE, year=2026, acting_user=office)
    services.upscale_refresh(year=2026, acting_user=office, today=date(2026, 10, 1))
    for m in Membership.objects.filter(kind=PoolKind.DROP):
        services.membership_assign(membership=m, acting_user=office, helper=world.users["town_a"])
    return world


def test_pool_page_queries_do_not_grow_with_members(client, pools, django_assert_max_num_queries):
    client.force_login(pools.users["coordinator"])
    url = reverse("cultivation:pool", args=["upscale"]) + "?year=2026"
    with django_assert_max_num_queries(16):
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count("/cultivation/members/") == 10  # 8 × 1.2
    for m in Membership.objects.filter(kind=PoolKind.DROP):
        HelpNote.objects.create(
            membership=m, author=pools.users["coordinator"], helped_on=date(2026, 10, 2), text="走访"
        )
    with django_assert_max_num_queries(16):
        drop = client.get(reverse("cultivation:pool", args=["drop"]) + "?year=2026")
    assert drop.status_code == 200 and drop.content.decode().count("/cultivation/members/") == 6


def test_key_list_page_queries_do_not_grow(client, pools, django_assert_max_num_queries):
    key_list = keylists.list_for(ListKind.SCALE, 2026)
    keylists.list_propose(key_list=key_list, acting_user=pools.users["coordinator"])
    client.force_login(pools.users["coordinator"])
    with django_assert_max_num_queries(22):
        page = client.get(reverse("cultivation:key_list", args=["scale"]) + "?year=2026")
    assert page.status_code == 200


def test_town_officer_sees_its_town_only_and_cannot_admit(client, pools):
    officer = pools.users["town_a"]
    client.force_login(officer)
    page = client.get(reverse("cultivation:pool", args=["drop"]) + "?year=2026").content.decode()
    assert "/cultivation/members/" not in page  # the drops are in the other town
    other = Membership.objects.filter(kind=PoolKind.DROP).first()
    # its helper may open it and record help, though the enterprise is in another town
    assert client.get(reverse("cultivation:member", args=[other.pk])).status_code == 200
    client.post(
        reverse("cultivation:member_action", args=[other.pk, "help"]),
        {"text": "协调订单", "helped_on": "2026-10-05"},
    )
    assert HelpNote.objects.filter(membership=other).count() == 1
    proposed = Membership.objects.filter(kind=PoolKind.UPSCALE, state=MembershipState.PROPOSED).first()
    client.post(reverse("cultivation:member_action", args=[proposed.pk, "admit"]), {"reason": "x"})
    proposed.refresh_from_db()
    assert proposed.state == MembershipState.PROPOSED


def test_office_admits_from_the_page(client, pools):
    client.force_login(pools.users["coordinator"])
    proposed = Membership.objects.filter(kind=PoolKind.UPSCALE, state=MembershipState.PROPOSED).first()
    response = client.post(
        reverse("cultivation:member_action", args=[proposed.pk, "admit"]),
        {"reason": "走访核实", "helper": pools.users["town_a"].pk, "department": pools.town_dept.pk},
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == MembershipState.ADMITTED and proposed.helper == pools.users["town_a"]
    assert AuditEvent.objects.filter(verb="pool_member_admit", object_id=str(proposed.pk)).exists()
    detail = client.get(reverse("cultivation:member", args=[proposed.pk])).content.decode()
    assert "走访核实" in detail


def test_enterprises_and_experts_get_404(client, pools):
    for who in ("enterprise_a", "expert"):
        client.force_login(pools.users[who])
        assert client.get(reverse("cultivation:home")).status_code == 404
        assert client.get(reverse("cultivation:pool", args=["upscale"])).status_code == 404


def test_ladder_page_and_drill_down(client, pools):
    services.ladder_target_set(
        year=2026, tier="above_scale", target=22, acting_user=pools.users["coordinator"]
    )
    client.force_login(pools.users["coordinator"])
    page = client.get(reverse("cultivation:ladder") + "?year=2026")
    assert page.status_code == 200 and "ladder-chart" in page.content.decode()
    drill = client.get(reverse("cultivation:ladder_enterprises", args=["above_scale"]) + "?year=2026")
    assert drill.status_code == 200


def test_helpers_need_the_capability(pools):
    member = Membership.objects.filter(kind=PoolKind.DROP).first()
    with pytest.raises(Exception) as caught:
        services.membership_assign(
            membership=member, acting_user=pools.users["coordinator"], helper=pools.users["enterprise_a"]
        )
    assert getattr(caught.value, "status", None) == 422
