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
