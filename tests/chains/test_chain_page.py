"""The chain page: members' figures from the best values, open appeals, in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.chains.conftest import add_members
from zhuqi.appeals.models import Appeal
from zhuqi.chains import selectors, services
from zhuqi.directory.models import ServiceCategory

pytestmark = pytest.mark.django_db


def _appeal(world, enterprise):
    from zhuqi.appeals.services import appeal_submit

    category = ServiceCategory.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    return appeal_submit(
        enterprise=enterprise,
        title="原料进口通关慢",
        description="请协调海关。",
        category=category,
        acting_user=world.users["coordinator"],
        channel="phone",
    ).appeal


def test_member_figures_are_best_values_with_growth_and_open_appeals(world, chain):
    members = add_members(world, chain, 3)
    _appeal(world, members[0])
    _appeal(world, members[0])
    figures = selectors.member_figures(chain)
    assert figures["year"] == 2025
    first = next(r for r in figures["rows"] if r["member"].enterprise == members[0])
    assert first["revenue"] == 120_000_000 and first["tax"] == 6_000_000
    assert round(first["revenue_growth"], 4) == 0.2
    assert first["open_appeals"] == 2
    assert figures["open_appeals"] == 2
    assert round(figures["revenue_growth"], 4) == Decimal("0.2000")
    assert figures["revenue"] == Decimal(360_000_003) and isinstance(figures["revenue"], Decimal)


def _page_queries(client, world, chain, django_assert_max_num_queries, limit):
    client.force_login(world.users["leader_a"])
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("chains:chain_detail", args=[chain.code]))
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_chain_page_does_not_query_per_member(client, world, chain, django_assert_max_num_queries):
    coordinator = world.users["coordinator"]
    add_members(world, chain, 2)
    gap = services.chain_gap_add(
        chain=chain, acting_user=coordinator, kind="fill", position="upstream", title="茶叶初加工"
    )
    services.chain_task_add(
        chain=chain,
        acting_user=coordinator,
        title="编制产业链图谱",
        owner=world.city_dept,
        due_on=date(2026, 8, 31),
    )
    _page_queries(client, world, chain, django_assert_max_num_queries, 30)  # the session's first request
    few, _ = _page_queries(client, world, chain, django_assert_max_num_queries, 30)
    members = add_members(world, chain, 12)
    for e in members[:4]:
        _appeal(world, e)
    services.chain_candidate_add(gap=gap, acting_user=coordinator, name="某茶业公司")
    other = services.chain_gap_add(
        chain=chain, acting_user=coordinator, kind="extend", position="downstream", title="茶饮连锁"
    )
    services.chain_candidate_add(gap=other, acting_user=coordinator, name="某连锁品牌")
    services.chain_task_add(
        chain=chain,
        acting_user=coordinator,
        title="招引茶饮连锁",
        owner=world.city_dept,
        due_on=date(2026, 9, 30),
    )
    many, response = _page_queries(client, world, chain, django_assert_max_num_queries, 30)
    assert many <= few, (few, many)
    page = response.content.decode()
    assert "茶叶初加工" in page and "某茶业公司" in page
    assert page.count("<tr>") >= 14


def test_a_chain_outside_scope_is_not_found(client, world, chain):
    client.force_login(world.users["town_handler"])  # 长安镇经济发展局: chain has no member yet
    assert client.get(reverse("chains:chain_detail", args=[chain.code])).status_code == 404
    add_members(world, chain, 1)  # a member in 长安镇: the town's department sees the chain
    assert client.get(reverse("chains:chain_detail", args=[chain.code])).status_code == 200
    client.force_login(world.users["enterprise_a"])
    assert client.get(reverse("chains:chain_detail", args=[chain.code])).status_code == 404


def test_chain_tasks_are_tracked_tasks_closed_out_by_their_owner(world, chain):
    from zhuqi.core.errors import Forbidden
    from zhuqi.engagement.models import Task
    from zhuqi.engagement.tasks import close_task

    leader = world.users["leader_a"]
    task = services.chain_task_add(
        chain=chain,
        acting_user=leader,
        title="编制产业链图谱",
        owner=world.city_dept,
        due_on=date(2026, 9, 30),
    )
    assert task.source == Task.Source.CHAIN and task.source_object == chain
    assert list(services.chain_tasks(chain)) == [task]
    assert selectors.chain_list(world.users["coordinator"])[0].open_tasks == 1
    close_task(task=task, note="已印发", acting_user=world.users["city_handler"])  # the owner department
    assert selectors.chain_list(world.users["coordinator"])[0].open_tasks == 0
    # the 专班 department (no right to assign tasks in general) adds one in the chain's name
    services.chain_task_add(
        chain=chain,
        acting_user=world.users["city_handler"],
        title="梳理上游企业",
        owner=world.city_dept,
        due_on=date(2026, 10, 31),
    )
    with pytest.raises(Forbidden):
        services.chain_task_add(
            chain=chain,
            acting_user=world.users["town_a"],
            title="无权",
            owner=world.city_dept,
            due_on=date(2026, 10, 31),
        )
    with pytest.raises(Forbidden):  # the 链长 does not name another 链长
        services.chain_update(chain=chain, acting_user=leader, leader=None)
    assert Appeal.objects.count() == 0
