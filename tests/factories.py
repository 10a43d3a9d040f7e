import datetime

import factory
from factory.django import DjangoModelFactory

from zhuqi.accounts.models import Role, User
from zhuqi.core import uscc
from zhuqi.directory.models import Contact, Department, Enterprise, IndicatorValue, LiaisonAssignment, Town


def valid_code(n: int) -> str:
    body = f"{n:08d}"
    return uscc.make("441900", body)


class TownFactory(DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"town{n}")
    name = factory.Sequence(lambda n: f"测试{n}镇")
    kind = Town.Kind.TOWN


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    level = Department.Level.CITY
    town = None


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.Sequence(lambda n: valid_code(n + 1000))
    name = factory.Sequence(lambda n: f"东莞市测试企业{n}有限公司")
    town = factory.SubFactory(TownFactory)
    industry_code = "C39"
    doubling_class = Enterprise.DoublingClass.PRIVATE_MANUFACTURING


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = "陈伟"
    mobile = "13800000000"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COORDINATOR
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class IndicatorValueFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    enterprise = factory.SubFactory(EnterpriseFactory)
    indicator = "revenue"
    period_type = "year"
    year = 2025
    period_no = 1
    value = 100_000_000
    source = "stats"
    verified = True


class LiaisonFactory(DjangoModelFactory):
    class Meta:
        model = LiaisonAssignment

    leader = factory.SubFactory(UserFactory, role=Role.LEADER)
    enterprise = factory.SubFactory(EnterpriseFactory)
    tier = LiaisonAssignment.Tier.CITY_LEADER
    since = factory.Faker("date_this_decade")


class RecognitionFactory(DjangoModelFactory):
    class Meta:
        model = "tiers.Recognition"

    enterprise = factory.SubFactory(EnterpriseFactory)
    tier = "specialised"
    level = "provincial"
    document = "粤工信融资函〔2024〕1号"
    recognised_on = datetime.date(2024, 12, 1)
    expires_on = datetime.date(2027, 11, 30)


class TierFactFactory(DjangoModelFactory):
    class Meta:
        model = "tiers.TierFact"

    enterprise = factory.SubFactory(EnterpriseFactory)
    key = "sei_field"
    value = 1
    as_of = datetime.date(2025, 1, 1)
    source = "市工业和信息化局"


def make_pilot(
    enterprise, *, commitment_years: int = 3, department=None, honorary: bool = False, state="active"
):
    """A current pilot (programs.Pilot) of the city's doubling programme, which is what the policy packs
    read as `is_pilot` (formerly the free tag 倍增试点)."""
    from datetime import date

    from zhuqi.programs.models import Pilot, Programme

    programme, _created = Programme.objects.get_or_create(
        code="test-doubling", defaults={"name": "倍增计划（测试）", "level": Programme.Level.CITY}
    )
    if department is None:
        department = Department.objects.filter(level=Department.Level.CITY).first() or DepartmentFactory(
            level=Department.Level.CITY
        )
    return Pilot.objects.create(
        programme=programme,
        enterprise=enterprise,
        enterprise_class=enterprise.doubling_class or Enterprise.DoublingClass.PRIVATE_MANUFACTURING,
        department=department,
        commitment_years=commitment_years,
        start_year=2017,
        honorary=honorary,
        state=state,
        since=date(2017, 3, 1),
    )
