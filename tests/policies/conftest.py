import pytest

from tests.factories import IndicatorValueFactory, UserFactory, make_pilot
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Tag
from zhuqi.policies import packs
from zhuqi.policies.models import Clause


def tag(enterprise, name: str) -> None:
    enterprise.tags.add(Tag.objects.get_or_create(name=name)[0])


@pytest.fixture
def policy_world(world):
    """The world with the shipped pack installed; enterprise a is a pilot (倍增试点) and a gazelle
    (瞪羚企业, an innovative enterprise of seed 001) with 2025 deductible R&D expense of 20,000,000
    assessed by the tax bureau (verified); enterprise b has no tag. 市工信局 (world.city_dept) reviews the clauses of 市工业和信息化局."""
    world.city_dept.name = "东莞市工业和信息化局"
    world.city_dept.save()
    packs.install_shipped()
    make_pilot(world.a)
    tag(world.a, "瞪羚企业")
    IndicatorValueFactory(
        enterprise=world.a,
        indicator="rd_expense_deductible",
        year=2025,
        value=20_000_000,
        source="tax",
        verified=True,
    )
    IndicatorValueFactory(
        enterprise=world.b,
        indicator="rd_expense_deductible",
        year=2025,
        value=9_000_000,
        source="self",
        verified=False,
    )
    world.miit_handler = world.users["city_handler"]
    world.other_handler = UserFactory(
        username="science_handler", role=Role.HANDLER, department=world.town_dept
    )
    world.clause = lambda code: Clause.objects.select_related("policy__pack", "department").get(code=code)
    return world
