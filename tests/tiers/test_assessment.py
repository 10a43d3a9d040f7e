from datetime import date

import pytest

from tests.factories import EnterpriseFactory, RecognitionFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Forbidden
from zhuqi.tiers import assessment
from zhuqi.tiers.models import Assessment, AssessmentRun

pytestmark = pytest.mark.django_db
DAY = date(2025, 6, 30)


def stored(run, tier):
    return {a.enterprise_id: a for a in Assessment.objects.filter(run=run, tier=tier)}


def test_the_yearly_run_stores_who_meets_who_could_and_who_lacks_what(make_innovative):
    meets = make_innovative()
    no_debt = make_innovative(facts={"debt_ratio": None})  # missing: could qualify, with the gap
    weak = make_innovative(facts={"ip_class1": 0, "sei_field": 0}, figures={"rd_expense": 1_500_000})
    far = EnterpriseFactory()
    run = assessment.assess(year=2025, day=DAY)
    found = stored(run, "innovative")
    assert found[meets.pk].outcome == "meets" and found[meets.pk].score == 80
    assert found[no_debt.pk].outcome == "could" and found[no_debt.pk].missing == ["debt_ratio_prev"]
    # ip 0 + R&D 1.5% 5 = 5 < 20; growth 25; field 5 + share 20 = 25: total 55 < 60: two things lacking
    assert found[weak.pk].outcome == "near"
    assert sorted(found[weak.pk].lacking) == ["req_innovation", "req_total"]
    assert far.pk not in found or found[far.pk].outcome == "could"
    assert run.counts["innovative"]["meets"] == 1
    assert AssessmentRun.objects.count() == 1


def test_specialised_needs_the_innovative_recognition(make_innovative):
    enterprise = make_innovative(
        facts={"segment_years": 3, "specialised_score": 70, "equity_financing_2y": 0}
    )
    run = assessment.assess(year=2025, day=DAY)
    assert stored(run, "specialised")[enterprise.pk].lacking == ["req_innovative"]
    RecognitionFactory(
        enterprise=enterprise, tier="innovative", recognised_on=date(2024, 5, 1), expires_on=date(2027, 4, 30)
    )
    run = assessment.assess(year=2025, day=DAY)
    assert stored(run, "specialised")[enterprise.pk].outcome == "meets"


def test_only_the_office_runs_it():
    with pytest.raises(Forbidden):
        assessment.assess(year=2025, day=DAY, acting_user=UserFactory(role=Role.LEADER))
