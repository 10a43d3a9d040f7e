"""Picking a chain member or an event participant by name as one types: htmx asks
/chains/enterprises/options/ for at most 20 enterprises of the user's scope (the directory's scoped
selector), the text bounded, in a fixed number of queries whatever the matches."""

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory
from zhuqi.chains.models import Member

pytestmark = pytest.mark.django_db
URL = "/chains/enterprises/options/"


def options(client, q, name="q"):
    response = client.get(URL, {name: q})
    assert response.status_code == 200
    return response.content.decode()


def test_suggestions_are_scoped_and_bounded(client, world):
    for n in range(25):
        EnterpriseFactory(town=world.towns[0], name=f"东莞市长安茶饮{n:02d}有限公司")
    EnterpriseFactory(town=world.towns[1], name="东莞市虎门茶饮有限公司")
    client.force_login(world.users["coordinator"])
    assert options(client, "茶饮").count("<option") == 20  # 26 match: at most 20
    client.force_login(world.users["town_a"])  # 长安镇: its own town's only
    found = options(client, "茶饮")
    assert found.count("<option") == 20 and "虎门茶饮" not in found
    assert options(client, "虎门茶饮").strip() == ""
    client.force_login(world.users["leader_a"])  # a leader: its liaison enterprises only
    assert "长安茶饮" not in options(client, "茶饮")
    assert f'value="{world.a.uscc}"' in options(client, world.a.uscc[:8], name="enterprise_uscc")


def test_short_and_long_texts(client, world):
    client.force_login(world.users["coordinator"])
    assert options(client, "东").strip() == ""  # one character: nothing yet
    assert options(client, "").strip() == ""
    too_long = client.get(URL, {"q": "长" * 51})
    assert too_long.status_code == 422 and "最多输入50个字" in too_long.content.decode()
    assert client.get(URL, {"q": "长" * 50}).status_code == 200
    client.force_login(world.users["enterprise_a"])  # no chains for an enterprise
    assert client.get(URL, {"q": "茶饮"}).status_code == 404


def test_a_fixed_number_of_queries_whatever_the_matches(client, world, django_assert_max_num_queries):
    client.force_login(world.users["town_a"])
    EnterpriseFactory(town=world.towns[0], name="长安预制菜00有限公司")
    options(client, "预制菜")  # warmed: the session, the user, its scope, the search
    with django_assert_max_num_queries(4) as few:
        assert options(client, "预制菜").count("<option") == 1
    for n in range(1, 30):
        EnterpriseFactory(town=world.towns[0], name=f"长安预制菜{n:02d}有限公司")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert options(client, "预制菜").count("<option") == 20


def test_the_forms_ask_as_one_types_and_still_take_the_code(client, world, chain):
    client.force_login(world.users["coordinator"])
    for page in (
        reverse("chains:chain_detail", args=[chain.code]),
        reverse("chains:event_new"),
    ):
        html = client.get(page).content.decode()
        assert f'hx-get="{URL}"' in html and 'list="enterprise-picks"' in html, page
        assert '<datalist id="enterprise-picks">' in html, page
    response = client.post(
        reverse("chains:chain_action", args=[chain.code, "member"]),
        {"enterprise_uscc": world.b.uscc, "position": "core"},
    )
    assert response.status_code == 302 and Member.objects.filter(chain=chain, enterprise=world.b).exists()
