"""A selection world: the `world` of tests/conftest.py with the four responsible departments, the city
programme of seed 000 and its 2017 round open, and helpers that give an enterprise bureau figures
and make its application."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import DepartmentFactory, EnterpriseFactory, IndicatorValueFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Enterprise
from zhuqi.programs import services
from zhuqi.programs.models import Expert, ExpertField

TODAY = date(2017, 1, 10)
PLAN = b"%PDF-1.4\n% plan\n%%EOF\n"
CLASSES = list(Enterprise.DoublingClass.values)


def plan():
    return SimpleUploadedFile("倍增方案.pdf", PLAN)


def figures(
    enterprise,
    revenue=50_000_000,
    growth=Decimal("0.2"),
    profit=3_000_000,
    tax=2_000_000,
    sources=("stats", "tax"),
):
    """Bureau figures of 2014–2016 in the directory; returns what the applicant declares (the same)."""
    revenue = Decimal(revenue)
    prev = (revenue / (1 + growth)).quantize(Decimal("0.01"))
    rows = {
        ("revenue", 2015): revenue,
        ("revenue", 2014): prev,
        ("total_profit", 2015): Decimal(profit),
        ("tax_paid", 2015): Decimal(tax),
        ("main_revenue", 2016): (revenue * Decimal("1.1")).quantize(Decimal("0.01")),
        ("tax_paid", 2016): Decimal(tax),
    }
    for (key, year), value in rows.items():
        for source in sources if key != "tax_paid" else ("tax",):
            IndicatorValueFactory(
                enterprise=enterprise, indicator=key, year=year, value=value, source=source, verified=True
            )
    return {f"{k}@{y}": v for (k, y), v in rows.items()}


@pytest.fixture
def sel(world):
    w = world
    w.coordinator = w.users["coordinator"]
    w.departments = {
        Enterprise.DoublingClass.PRIVATE_MANUFACTURING: w.city_dept,
        Enterprise.DoublingClass.FOREIGN_INVESTED: DepartmentFactory(code="commerce", name="东莞市商务局"),
        Enterprise.DoublingClass.HIGH_TECH: DepartmentFactory(code="science", name="东莞市科学技术局"),
        Enterprise.DoublingClass.LISTED_OR_RESERVE: DepartmentFactory(
            code="finance", name="东莞市金融工作局"
        ),
    }
    w.programme = services.programme_create(
        code="dg",
        name="倍增计划",
        classes=w.departments,
        acting_user=w.coordinator,
        document_number="东府办〔2017〕11号",
    )
    w.round = services.round_open(
        programme=w.programme,
        name="2017年遴选",
        opens_on=date(2017, 1, 3),
        closes_on=date(2017, 1, 20),
        check_year=2015,
        acting_user=w.coordinator,
    )

    def apply(
        enterprise, *, enterprise_class=None, drivers=("innovation",), commitment=3, declared=None, **figs
    ):
        declared = declared or figures(enterprise, **figs)
        return services.application_submit(
            round_=w.round,
            enterprise=enterprise,
            enterprise_class=enterprise_class or enterprise.doubling_class or CLASSES[0],
            drivers=list(drivers),
            commitment_years=commitment,
            figures=declared,
            acting_user=w.users["city_handler"],
            today=TODAY,
        )

    w.apply = apply
    return w


def experts(n=10, users=None):
    fields = list(ExpertField.values)
    made = []
    for i in range(n):
        user = (users or {}).get(i) or UserFactory(username=f"exp{i}", role=Role.EXPERT)
        made.append(
            Expert.objects.create(
                name=f"专家{i}", field=fields[i % len(fields)], organisation=f"单位{i}", user=user
            )
        )
    return made


def make_enterprises(n, town):
    return [EnterpriseFactory(town=town, doubling_class=CLASSES[i % 4]) for i in range(n)]
