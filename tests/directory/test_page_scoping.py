"""Every directory page that takes an enterprise code, for users who must not see enterprise B."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from tests.job_helpers import cells, page_export

pytestmark = pytest.mark.django_db


def enterprise_page_names():
    resolver = get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        for sub in getattr(pattern, "url_patterns", []):
            if isinstance(sub, URLPattern) and "uscc" in sub.pattern.converters:
                names.append(f"{pattern.namespace}:{sub.name}")
    return names


def test_walk_finds_the_pages():
    assert {"directory:enterprise_detail", "directory:enterprise_edit"} <= set(enterprise_page_names())


@pytest.mark.parametrize("who", ["enterprise_a", "town_a", "town_handler", "leader_a", "expert"])
def test_pages_of_enterprise_b_are_404(client, world, who):
    client.force_login(world.users[who])
    for name in enterprise_page_names():
        assert client.get(reverse(name, args=[world.b.uscc])).status_code == 404, name


@pytest.mark.parametrize("who", ["enterprise_a", "town_a", "leader_a"])
def test_list_page_and_export_show_only_the_scope(client, world, who):
    client.force_login(world.users[who])
    page = client.get(reverse("directory:enterprise_list")).content.decode()
    assert world.a.name in page and world.b.name not in page
    export = page_export(client, "directory:enterprise_export")
    assert world.a.uscc in cells(export) and world.b.uscc not in cells(export)


def test_enterprise_user_home_shows_own_enterprise(client, world):
    client.force_login(world.users["enterprise_a"])
    page = client.get(reverse("web:home")).content.decode()
    assert world.a.name in page and world.b.name not in page
