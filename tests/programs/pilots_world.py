"""A small programme world for stream B's tests: the city programme with its four classes and
departments, pilots with main revenue and tax series, a reserve and a town-level programme."""

from datetime import date
from decimal import Decimal

from tests.factories import DepartmentFactory, EnterpriseFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Enterprise, IndicatorValue
from zhuqi.programs.models import Pilot, Programme, ProgrammeClass, ReserveEntry

CLASSES = {
    "private_mfg": ("miit", "东莞市工业和信息化局"),
    "foreign": ("commerce", "东莞市商务局"),
    "high_tech": ("science", "东莞市科学技术局"),
    "listed": ("finance", "东莞市金融工作局"),
}


class PilotsWorld:
    def __init__(self):
        self.town = TownFactory(code="changan", name="长安镇")
        self.programme = Programme.objects.create(code="dg-2017", name="东莞市倍增计划")
        self.departments = {}
        for enterprise_class, (code, name) in CLASSES.items():
            department = DepartmentFactory(code=code, name=name)
            department.head = UserFactory(username=f"{code}_head", role=Role.HANDLER, department=department)
            department.save()
            self.departments[enterprise_class] = department
            ProgrammeClass.objects.create(
                programme=self.programme, enterprise_class=enterprise_class, department=department
            )
        self.coordinator = UserFactory(username="coordinator", role=Role.COORDINATOR)
        self.town_programme = Programme.objects.create(
            code="changan-2017", name="长安镇倍增计划", level=Programme.Level.TOWN, town=self.town
        )

    def enterprise(self, enterprise_class="private_mfg", **kw):
        return EnterpriseFactory(town=self.town, doubling_class=enterprise_class, **kw)

    def series(self, enterprise, revenue: dict, tax: dict | None = None, source="stats"):
        for key, values in (("main_revenue", revenue), ("tax_paid", tax or {})):
            for year, value in values.items():
                IndicatorValue.objects.create(
                    enterprise=enterprise,
                    indicator=key,
                    period_type="year",
                    year=year,
                    value=Decimal(value),
                    source=source,
                    verified=True,
                )

    def pilot(self, enterprise=None, *, enterprise_class="private_mfg", commitment=3, start=2017, **kw):
        enterprise = enterprise or self.enterprise(enterprise_class)
        return Pilot.objects.create(
            programme=kw.pop("programme", self.programme),
            enterprise=enterprise,
            enterprise_class=enterprise_class,
            department=self.departments[enterprise_class],
            commitment_years=commitment,
            start_year=start,
            since=date(start, 3, 1),
            **kw,
        )

    def reserve(self, enterprise_class, score):
        enterprise = self.enterprise(enterprise_class)
        ReserveEntry.objects.create(
            programme=self.programme,
            enterprise=enterprise,
            enterprise_class=enterprise_class,
            score=Decimal(score),
            since=date(2017, 3, 1),
        )
        return enterprise


def growth(base: int, rate: float, years=range(2016, 2022)) -> dict[int, int]:
    return {y: round(base * (1 + rate) ** (y - 2016)) for y in years}


__all__ = ["PilotsWorld", "growth", "Enterprise"]
