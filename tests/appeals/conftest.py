import pytest

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.directory.models import ServiceCategory


@pytest.fixture
def loop(world):
    """The world plus a category taxonomy: 融资 › 贷款贴息 handled by 市工信局 (city); 用工 › 招工 by
    长安镇经济发展局 (town); 其他 handled by nobody."""
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    loan = ServiceCategory.objects.create(code="financing.loan", name="贷款与贴息", parent=financing)
    labour = ServiceCategory.objects.create(code="labour", name="用工")
    recruit = ServiceCategory.objects.create(code="labour.recruit", name="招工", parent=labour)
    other = ServiceCategory.objects.create(code="other", name="其他")
    world.city_dept.categories.add(financing, labour)
    world.town_dept.categories.add(recruit)
    head = UserFactory(
        username="miit_head", role=Role.HANDLER, department=world.city_dept, mobile="13900000001"
    )
    world.city_dept.head = head
    world.city_dept.save()
    world.cats = type(
        "Cats",
        (),
        {"financing": financing, "loan": loan, "labour": labour, "recruit": recruit, "other": other},
    )
    world.head = head
    return world
