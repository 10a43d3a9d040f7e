"""小升规 counts on the home page for those who work the lists (issue 10): the office and a town's
officers over their scope, a helper (服务专员) over the members it helps; one query whatever the data;
each count links to the list showing exactly the members it counted."""

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory
from zhuqi.cultivation import selectors
from zhuqi.cultivation.models import Membership, MembershipState, PoolKind
from zhuqi.web.queues import cultivation_queues

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 1)
ROLES = [
    "admin",
    "coordinator",
    "system",
    "enterprise_a",
    "town_a",
    "city_handler",
    "town_handler",
    "leader_a",
    "expert",
]


def member(enterprise, kind, state=MembershipState.ADMITTED, helper=None, year=2026):
    return Membership.objects.create(
        kind=kind, year=year, enterprise=enterprise, state=state, proposed_by_rules=True, helper=helper
    )


@pytest.fixture
def lists(world):
    """长安镇 (town a): 3 near, 2 first, 2 drop (one helped by city_handler), one that left the drop
    list; 虎门镇 (town b): 1 near, 1 drop (helped by city_handler); last year's lists do not count."""
    a, b = world.towns
    handler = world.users["city_handler"]
    for _ in range(3):
        member(EnterpriseFactory(town=a), PoolKind.NEAR)
    for _ in range(2):
        member(EnterpriseFactory(town=a), PoolKind.FIRST)
    member(EnterpriseFactory(town=a), PoolKind.DROP, helper=handler)
    member(EnterpriseFactory(town=a), PoolKind.DROP)
    member(EnterpriseFactory(town=a), PoolKind.DROP, state=MembershipState.EXITED)
    member(EnterpriseFactory(town=b), PoolKind.NEAR)
    member(EnterpriseFactory(town=b), PoolKind.DROP, helper=handler)
    member(EnterpriseFactory(town=a), PoolKind.DROP, year=2025)
    member(EnterpriseFactory(town=a), PoolKind.UPSCALE)  # a pool, not one of the three lists
    return world


def counts(world, role):
    return {q.key: q.count for q in cultivation_queues(world.users[role], TODAY)}


def test_who_sees_which_counts(lists):
    everything = {"upscale_near": 4, "upscale_first": 2, "upscale_drop": 3}
    assert counts(lists, "coordinator") == everything == counts(lists, "admin")
    assert counts(lists, "town_a") == {"upscale_near": 3, "upscale_first": 2, "upscale_drop": 2}
    assert counts(lists, "city_handler") == {"upscale_near": 0, "upscale_first": 0, "upscale_drop": 2}
    # a leader helping a member on a list: seen on the list's page, not counted on its home page
    Membership.objects.filter(kind=PoolKind.NEAR).update(helper=lists.users["leader_a"])
    for role in ("town_handler", "leader_a", "enterprise_a", "expert", "system"):  # helps no one on them
        assert counts(lists, role) == {}, role
    drop = next(q for q in cultivation_queues(lists.users["coordinator"], TODAY) if q.key == "upscale_drop")
    assert drop.urgent


@pytest.mark.parametrize("role", ROLES)
def test_every_count_links_to_a_list_showing_what_it_counts(client, lists, role):
    user = lists.users[role]
    for queue in cultivation_queues(user, TODAY):
        path, query = urlsplit(queue.url)[2:4]
        params = dict(parse_qsl(query))
        kind = path.rstrip("/").split("/")[-1]
        assert path == reverse("cultivation:pool", args=[kind])
        year = int(params.pop("year"))
        assert selectors.memberships(user, kind=kind, year=year, **params).count() == queue.count, queue
        client.force_login(user)
        page = client.get(queue.url).content.decode()
        assert page.count("/cultivation/members/") == queue.count, queue


@pytest.mark.parametrize("role", ROLES)
def test_one_query_whatever_the_data(lists, role, django_assert_max_num_queries):
    user = lists.users[role]
    with django_assert_max_num_queries(1):
        cultivation_queues(user, TODAY)
    for _ in range(5):
        member(EnterpriseFactory(town=lists.towns[0]), PoolKind.DROP, helper=lists.users["city_handler"])
        member(EnterpriseFactory(town=lists.towns[1]), PoolKind.NEAR)
    with django_assert_max_num_queries(1):
        cultivation_queues(user, TODAY)


def test_home_page_and_api_show_them(client, lists, monkeypatch):
    from zhuqi.web import queues

    real = queues.cultivation_queues
    monkeypatch.setattr(queues, "cultivation_queues", lambda user, today=None: real(user, TODAY))
    client.force_login(lists.users["town_a"])
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-queue="upscale_drop" data-count="2"' in page and "易退库" in page
    assert "/cultivation/pools/drop/?year=2026&amp;state=admitted" in page
    body = client.get("/api/v1/work-queues").json()
    assert {q["key"]: q["count"] for q in body if q["key"].startswith("upscale_")} == counts(lists, "town_a")
    client.force_login(lists.users["leader_a"])
    assert 'data-queue="upscale_' not in client.get(reverse("web:home")).content.decode()


def test_the_tier_card_count_is_read_in_the_same_query(lists, django_assert_max_num_queries):
    """The home page has a query budget: the tiers card's recognitions expiring within six months come
    with the 小升规 counts, in their one query, and agree with the tiers' own count."""
    from tests.factories import RecognitionFactory
    from zhuqi.tiers import selectors as tier_selectors
    from zhuqi.web.queues import cultivation_home

    RecognitionFactory(
        enterprise=lists.a, tier="innovative", level="provincial",
        recognised_on=date(2023, 12, 1), expires_on=date(2026, 12, 31),
    )  # fmt: skip
    RecognitionFactory(
        enterprise=lists.b, tier="specialised", level="provincial",
        recognised_on=date(2023, 12, 1), expires_on=date(2027, 1, 31),
    )  # fmt: skip
    for role in ("coordinator", "town_a", "city_handler"):
        user = lists.users[role]
        with django_assert_max_num_queries(1):
            _queues, expiring = cultivation_home(user, TODAY)
        assert expiring == tier_selectors.expiring_count(user, TODAY), role
    assert cultivation_home(lists.users["coordinator"], TODAY)[1] == 2
    assert cultivation_home(lists.users["town_a"], TODAY)[1] == 1
    assert cultivation_home(lists.users["leader_a"], TODAY) == ([], None)  # its card reads it itself
