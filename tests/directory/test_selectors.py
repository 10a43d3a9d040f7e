import contextlib

import pytest

from zhuqi.directory.selectors import enterprises_visible_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", {"a", "b"}),
        ("coordinator", {"a", "b"}),
        ("system", {"a", "b"}),
        ("enterprise_a", {"a"}),
        ("enterprise_b", {"b"}),
        ("town_a", {"a"}),
        ("city_handler", {"a", "b"}),
        ("town_handler", {"a"}),
        ("leader_a", {"a"}),
        ("expert", set()),
    ],
)
def test_enterprise_scope_by_role(world, user, expected):
    names = {"a": world.a.pk, "b": world.b.pk}
    visible = set(enterprises_visible_to(world.users[user]).values_list("pk", flat=True))
    assert visible == {names[k] for k in expected}


def test_inactive_user_sees_nothing(world):
    user = world.users["coordinator"]
    user.is_active = False
    assert not enterprises_visible_to(user).exists()


@pytest.mark.parametrize("principal", ["", "leader_a"])
@pytest.mark.parametrize("active", [True, False])
def test_enterprise_get_finds_exactly_the_scope_of_every_user(world, settings, principal, active):
    """enterprise_get takes a compiled query for whoever sees every enterprise (sees_every_enterprise)
    and the scoped queryset for the rest: both ways must find exactly what the scope holds."""
    from django.contrib.auth.models import AnonymousUser

    from zhuqi.core.errors import NotFound
    from zhuqi.directory.models import Enterprise
    from zhuqi.directory.selectors import enterprise_get, sees_every_enterprise

    settings.ZHUQI_PRINCIPAL_LEADER = principal
    everyone = set(Enterprise.objects.values_list("pk", flat=True))
    for user in [*world.users.values(), AnonymousUser()]:
        if user.is_authenticated:
            user.is_active = active
        visible = set(enterprises_visible_to(user).values_list("pk", flat=True))
        found = set()
        for enterprise in (world.a, world.b):
            with contextlib.suppress(NotFound):
                found.add(enterprise_get(user, enterprise.uscc.lower()).pk)
        assert found == visible, user
        if sees_every_enterprise(user):  # the compiled query's users: the whole directory
            assert visible == everyone, user
