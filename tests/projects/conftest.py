from datetime import date
from decimal import Decimal

import pytest

from zhuqi.directory.models import ServiceCategory
from zhuqi.projects import services


@pytest.fixture
def make_project(world):
    """A project of enterprise A (长安镇) with 市工信局 responsible and leader_a its liaison leader,
    conceived on 2026-01-05 and planned a stage a month from February."""
    coordinator = world.users["coordinator"]

    def make(**kwargs):
        fields = dict(
            acting_user=coordinator,
            name="年产十万台智能装备项目",
            town=world.towns[0],
            investment=Decimal("150000000"),
            enterprise=world.a,
            department=world.city_dept,
            liaison_leader=world.users["leader_a"],
            conceived_on=date(2026, 1, 5),
            planned_dates={
                "signed": date(2026, 2, 1),
                "landed": date(2026, 3, 1),
                "started": date(2026, 4, 1),
                "advancing": date(2026, 5, 1),
                "completed": date(2026, 9, 1),
                "producing": date(2026, 12, 1),
            },
        )
        fields.update(kwargs)
        return services.project_create(**fields)

    return make


@pytest.fixture
def categories(world):
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    land = ServiceCategory.objects.create(code="land", name="用地")
    world.city_dept.categories.add(financing, land)
    return type("Cats", (), {"financing": financing, "land": land})
