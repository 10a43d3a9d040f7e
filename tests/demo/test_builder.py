from decimal import Decimal

import pytest

from zhuqi.accounts.models import Role, User
from zhuqi.appeals.models import Appeal
from zhuqi.chains.models import Chain, Event
from zhuqi.core import uscc
from zhuqi.demo import builder, reference
from zhuqi.directory.models import Department, Enterprise, IndicatorValue, LiaisonAssignment
from zhuqi.engagement.models import MajorEvent, Meeting, Task, Visit
from zhuqi.policies.models import Application, GrantOffer
from zhuqi.programs.models import Application as ProgrammeApplication
from zhuqi.programs.models import Expert, Pilot, Programme, ReserveEntry, ReviewGroup, Round, Score
from zhuqi.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return builder.build(enterprises=120, progress=False)


def test_demo_city_is_real_and_complete(city):
    assert city.enterprises == 120
    assert city.towns == len(reference.TOWNS) == 35  # Dongguan: 4 streets, 28 towns, 3 functional areas
    assert Department.objects.filter(short_name="市工信局", level="city").exists()
    assert {u.role for u in User.objects.filter(username__in=city.users)} == set(Role.values)
    assert all(uscc.is_valid(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    assert {c for c in Enterprise.objects.values_list("doubling_class", flat=True)} >= set(
        Enterprise.DoublingClass.values
    )
    # Five annual years of every indicator, and three quarters of the current year.
    years = set(IndicatorValue.objects.filter(period_type="year").values_list("year", flat=True))
    # 2014–2016: the figures the 2017 doubling selection reads, for its applicants (demo/programs.py);
    # 2017–2020: their main revenue and tax, which the 2018–2021 evaluations read (demo/pilots.py).
    assert years == set(range(2014, 2026))
    assert (
        IndicatorValue.objects.filter(period_type="quarter", year=2026).values("period_no").distinct().count()
        == 3
    )


def test_demo_city_is_deterministic(city):
    first = list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "town__code"))
    revenue = list(
        IndicatorValue.objects.filter(indicator="revenue")
        .order_by("enterprise__uscc", "year", "period_type", "period_no")
        .values_list("value")
    )
    from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem

    # Engagement's rows (issue 11) first: they hold users and enterprises.
    for model in (Visit, Meeting, MajorEvent):
        model.objects.all().delete()
    for model in (
        EvaluationItem,
        Evaluation,
        Pilot,
        ReserveEntry,
        Score,
        ReviewGroup,
        Expert,
        ProgrammeApplication,
        Round,
        Programme,
    ):
        model.objects.all().delete()
    Project.objects.all().delete()  # with its problems (which hold their appeals)
    Event.objects.all().delete()
    Chain.objects.all().delete()
    Task.objects.all().delete()
    Appeal.objects.all().delete()
    GrantOffer.objects.all().delete()
    Application.objects.all().delete()
    User.objects.all().delete()
    Enterprise.objects.all().delete()
    builder.build(enterprises=120, progress=False)
    assert list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "town__code")) == first
    assert (
        list(
            IndicatorValue.objects.filter(indicator="revenue")
            .order_by("enterprise__uscc", "year", "period_type", "period_no")
            .values_list("value")
        )
        == revenue
    )


def test_liaison_tiers_follow_seed_000_section_3_4(city):
    """Seed 000 三(四): ≥10亿元 main revenue → city leader; 10亿–2亿 → town principal; 2亿–2000万 → town member."""
    main = dict(
        IndicatorValue.objects.filter(indicator="main_revenue", year=2025).values_list(
            "enterprise_id", "value"
        )
    )
    assigned = LiaisonAssignment.objects.all()
    assert assigned.exists()
    for a in assigned:
        value = main[a.enterprise_id]
        if a.tier == "city":
            assert value >= Decimal("1000000000")
        elif a.tier == "town_principal":
            assert Decimal("200000000") <= value < Decimal("1000000000")
        else:
            assert Decimal("20000000") <= value < Decimal("200000000")


def test_demo_users_sign_in_with_the_documented_password(city, client):
    assert (
        client.post("/login/", {"username": "coordinator", "password": builder.DEMO_PASSWORD}).status_code
        == 302
    )


def test_demo_city_has_policies_matched_offered_and_applied_for(city):
    from zhuqi.policies.models import ApplicationState, Match

    assert city.policy_matches == Match.objects.filter(eligible=True).count() > 0
    demo = User.objects.get(username="enterprise").enterprise
    assert Match.objects.filter(enterprise=demo, year=2021, clause__code="DB-3-2", eligible=True).exists()
    assert GrantOffer.objects.filter(enterprise=demo, year=2026, clause__code="INNOV-RD").exists()
    assert city.grant_offers == GrantOffer.objects.count()
    approved = Application.objects.get(enterprise=demo, clause__code="DB-3-2")
    assert approved.state == ApplicationState.APPROVED and approved.approved_amount == Decimal("800000.00")
    assert Application.objects.filter(state=ApplicationState.SUBMITTED).count() == 2


def test_the_demo_programme_was_evaluated_each_year_and_has_overdue_reports(city):
    """Demo (issue 9, item 11): the 2018–2021 evaluations through the real services, approved, with
    pilots kept, on probation and replaced from the reserve; the 2026 first-half reports mostly
    overdue, the demo enterprise's reported."""
    from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem, ReportingTask

    assert list(Evaluation.objects.order_by("year").values_list("year", "state")) == [
        (y, "approved") for y in (2017, 2018, 2019, 2020)
    ]
    decisions = set(EvaluationItem.objects.values_list("decision", flat=True))
    assert {"keep", "probation", "replace"} <= decisions
    assert EvaluationItem.objects.filter(decision="replace", successor__isnull=False).exists()
    assert (
        ReportingTask.objects.filter(state="open").count()
        > ReportingTask.objects.filter(state="submitted").count()
        >= 1
    )
