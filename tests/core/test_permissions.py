"""The capability table: complete, enforced, and documented as it is."""

from pathlib import Path

import pytest

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core import permissions
from zhuqi.core.errors import Forbidden
from zhuqi.core.permissions import Capability as C

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_capability_is_granted_in_the_one_table():
    assert set(permissions.GRANTS) == set(permissions.Capability)
    for roles, allows in permissions.GRANTS.values():
        assert roles and roles <= set(Role) and allows


def test_the_readme_shows_the_table_as_it_is():
    assert permissions.markdown_table() in README.read_text(encoding="utf-8"), (
        "README's capability table drifted; paste permissions.markdown_table() into it"
    )


@pytest.mark.django_db
def test_has_and_require_follow_the_table():
    coordinator = UserFactory(role=Role.COORDINATOR)
    expert = UserFactory(role=Role.EXPERT)
    assert permissions.has(coordinator, C.EDIT_DIRECTORY)
    assert not permissions.has(expert, C.EDIT_DIRECTORY)
    assert not permissions.has(None, C.EDIT_DIRECTORY)
    with pytest.raises(Forbidden) as refused:
        permissions.require(expert, C.EDIT_DIRECTORY)
    assert refused.value.status == 403 and refused.value.code == "forbidden"
    permissions.require(coordinator, C.EDIT_DIRECTORY)
    coordinator.is_active = False
    assert not permissions.has(coordinator, C.EDIT_DIRECTORY)
    assert permissions.capabilities_of(expert) == {C.SCORE_APPLICATIONS}
    assert C.BROWSE_DIRECTORY in permissions.capabilities_of(UserFactory(role=Role.LEADER))


@pytest.mark.django_db
def test_object_rules_need_the_capability_and_the_membership(world):
    ours = type(
        "Obj", (), {"enterprise_id": world.a.pk, "department_id": world.city_dept.pk, "submitted_by_id": None}
    )
    theirs = type(
        "Obj", (), {"enterprise_id": world.b.pk, "department_id": world.town_dept.pk, "submitted_by_id": None}
    )
    u = world.users
    rate = permissions.own_enterprise(C.RATE_APPEALS)
    assert rate(u["enterprise_a"], ours) and not rate(u["enterprise_b"], ours)
    assert not rate(u["coordinator"], ours)
    handle = permissions.own_department(C.HANDLE_APPEALS)
    assert handle(u["city_handler"], ours) and not handle(u["town_handler"], ours)
    instruct = permissions.liaison_of(C.INSTRUCT_APPEALS)
    assert instruct(u["leader_a"], ours) and not instruct(u["leader_a"], theirs)
    either = handle | permissions.anyone_with(C.COORDINATE_APPEALS)
    assert either(u["coordinator"], theirs) and either(u["city_handler"], ours)
    assert not either(u["expert"], ours)
    with pytest.raises(Forbidden):
        either.require(u["town_handler"], ours)
    assert not permissions.NOBODY(u["admin"], ours)
    assert not rate(None, ours)
    assert permissions.submitter()(u["town_a"], type("Obj", (), {"submitted_by_id": u["town_a"].pk}))


@pytest.mark.django_db
def test_the_api_tells_a_user_its_capabilities(client, world):
    client.force_login(world.users["city_handler"])
    me = client.get("/api/v1/me").json()
    assert me["capabilities"] == sorted(permissions.capabilities_of(world.users["city_handler"]))
    assert "handle_appeals" in me["capabilities"] and "edit_directory" not in me["capabilities"]
