"""The assessment: weights that sum to 100, the ranking they give, the best and the worst marked."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.assessment.conftest import appeal, rate
from tests.factories import DepartmentFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals.models import Appeal
from zhuqi.assessment import scoring, services
from zhuqi.assessment.models import Assessment, Row
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory.models import Department

pytestmark = pytest.mark.django_db
PERIOD = "2026Q3"
# Appeals made by the services are dated now: the quarter they fall in.
NOW = timezone.localdate()
CURRENT = f"{NOW.year}Q{(NOW.month - 1) // 3 + 1}"


def test_the_resolution_target_is_seed_002s_97_percent_as_a_dated_parameter(db):
    # Seed 002 一、总体要求: 「实现企业问题动态解决率保持在 97%以上」.
    assert services.parameter("resolution_target", date(2026, 9, 30)) == Decimal("0.97")


def test_weights_must_add_up_to_100():
    good = {"survey": 40, "resolution": 20, "on_time": 10, "satisfaction": 20, "reopen": 10}
    assert sum(scoring.check_weights(good).values()) == 100
    for bad in ({**good, "reopen": 9}, {**good, "reopen": -10, "survey": 60}, {"survey": 100}):
        with pytest.raises(ZhuqiError) as refused:
            scoring.check_weights(bad)
        assert refused.value.status == 422


def test_rank_and_mark_shares_ranks_and_marks_at_most_half():
    rows = [
        {"name": n, "total": Decimal(t), "rank": None, "mark": ""}
        for n, t in [("a", 90), ("b", 80), ("c", 80), ("d", 50), ("e", 40)]
    ]
    scoring.rank_and_mark(rows, best=3, worst=3)
    assert [r["rank"] for r in rows] == [1, 2, 2, 4, 5]
    assert [r["mark"] for r in rows] == ["best", "best", "", "worst", "worst"]  # half of 5 is 2


def _two_departments(w, settings):
    """市工信局: enterprises rate it 100 but it resolves half its appeals, none satisfied.
    长安镇经济发展局: rated 20 but resolves all its appeals, all satisfied."""
    settings.ZHUQI_SURVEY_MIN_ANSWERS = 3
    head = UserFactory(username="town_head", role=Role.HANDLER, department=w.town_dept)
    for user in w.respondents[:3]:
        rate(w, user, w.city_dept, score=5)
        rate(w, user, w.town_dept, score=1)
    appeal(w, w.cats.financing, handler="city_handler", rating="unsatisfied")  # reopened, open
    appeal(w, w.cats.financing, handler="city_handler", rating=None)  # open
    appeal(w, w.cats.labour, handler="town_handler", rating="satisfied")
    appeal(w, w.cats.labour, handler="town_handler", rating="satisfied")
    return head


def test_the_ranking_follows_the_weights(survey, categories, settings):
    w = survey
    _two_departments(w, settings)
    Appeal.objects.update(created_at=datetime(2026, 8, 3, 10, tzinfo=UTC))
    office = w.users["coordinator"]
    only_survey = {"survey": 100, "resolution": 0, "on_time": 0, "satisfaction": 0, "reopen": 0}
    found = scoring.assessment_compute(
        period=PERIOD, acting_user=office, weights=only_survey, campaign=w.campaign
    )
    ranked = [
        r.department for r in Row.objects.filter(assessment=found, subject="department").order_by("rank")
    ]
    assert ranked == [w.city_dept, w.town_dept]
    only_kpis = {"survey": 0, "resolution": 50, "on_time": 0, "satisfaction": 50, "reopen": 0}
    found = scoring.assessment_compute(
        period=PERIOD, acting_user=office, weights=only_kpis, campaign=w.campaign
    )
    rows = {r.department: r for r in Row.objects.filter(assessment=found, subject="department")}
    assert [d for d, r in sorted(rows.items(), key=lambda x: x[1].rank)] == [w.town_dept, w.city_dept]
    # 长安镇经济发展局: resolution 100% ≥ 97% gives 100; satisfaction 100%: total 100.00.
    assert rows[w.town_dept].total == Decimal("100.00")
    # 市工信局: nothing closed (0 of 2): resolution 0; its 不满意 reopened the appeal, so no closing
    # was rated and it has no satisfaction rate: the total is its resolution score alone, 0.00.
    assert rows[w.city_dept].total == Decimal("0.00")
    assert rows[w.town_dept].mark == "best" and rows[w.city_dept].mark == "worst"
    # An even mix of survey and satisfaction. 长安镇: survey 20 (all 1s), satisfaction 100: 60.00.
    # 市工信局 has no satisfaction rate: it is scored on the survey alone (100.00), not given 0.
    mix = {"survey": 50, "resolution": 0, "on_time": 0, "satisfaction": 50, "reopen": 0}
    found = scoring.assessment_compute(period=PERIOD, acting_user=office, weights=mix, campaign=w.campaign)
    totals = {r.department: r.total for r in Row.objects.filter(assessment=found, subject="department")}
    assert totals == {w.city_dept: Decimal("100.00"), w.town_dept: Decimal("60.00")}


def test_the_resolution_score_is_full_at_the_target(survey, categories, settings):
    row = {
        "survey_score": None,
        "resolution_rate": Decimal("0.97"),
        "on_time_rate": None,
        "satisfaction_rate": None,
        "reopen_rate": None,
    }
    assert scoring.components(row, Decimal("0.97"))["resolution"] == Decimal("100.00")
    row["resolution_rate"] = Decimal("0.485")
    assert scoring.components(row, Decimal("0.97"))["resolution"] == Decimal("50.00")


def test_a_published_assessment_is_kept_and_departments_are_told(survey, categories, settings):
    w = survey
    _two_departments(w, settings)
    office = w.users["coordinator"]
    found = scoring.assessment_compute(period=CURRENT, acting_user=office, campaign=w.campaign)
    assert found.w_survey == Decimal("40.00")  # the dated default weights
    scoring.assessment_publish(assessment=found, acting_user=office)
    with pytest.raises(ZhuqiError) as refused:
        scoring.assessment_compute(period=CURRENT, acting_user=office)
    assert refused.value.status == 409
    assert Assessment.objects.get().state == "published"


def test_the_page_explains_the_marks_and_names_the_towns_not_ranked(survey, categories, settings, client):
    """Every appeal and answer of this world is 长安镇's: 虎门镇 has nothing to be scored on. The page
    names it under the towns' table instead of leaving it out silently, and says who gets a mark."""
    w = survey
    _two_departments(w, settings)
    found = scoring.assessment_compute(
        period=CURRENT, acting_user=w.users["coordinator"], campaign=w.campaign
    )
    assert not Row.objects.filter(assessment=found, town=w.towns[1]).exists()
    client.force_login(w.users["coordinator"])
    page = client.get(f"/assessments/{found.period}/").content.decode()
    assert "前3名评优、后3名评差" in page
    assert "未参与排名（本期没有诉求，也没有测评答卷）：虎门镇" in page
    assert "长安镇" not in page.split("data-unranked")[1]


def test_only_the_office_computes(survey):
    with pytest.raises(ZhuqiError) as refused:
        scoring.assessment_compute(period=PERIOD, acting_user=survey.users["city_handler"])
    assert refused.value.status == 403


def test_the_api_computes_with_weights_and_refuses_a_bad_sum(survey, categories, settings, client):
    w = survey
    _two_departments(w, settings)
    client.force_login(w.users["coordinator"])
    bad = client.post(
        "/api/v1/assessments",
        {
            "period": CURRENT,
            "weights": {"survey": 50, "resolution": 50, "on_time": 10, "satisfaction": 0, "reopen": 0},
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "weights_sum"
    good = client.post(
        "/api/v1/assessments",
        {
            "period": CURRENT,
            "weights": {"survey": 0, "resolution": 50, "on_time": 0, "satisfaction": 50, "reopen": 0},
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    departments = [r for r in good.json()["rows"] if r["subject"] == "department"]
    assert [r["code"] for r in departments] == [w.town_dept.code, w.city_dept.code]
    export = client.get(f"/api/v1/assessments/{CURRENT}/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # A handler reads a published assessment only.
    client.force_login(w.users["city_handler"])
    assert client.get(f"/api/v1/assessments/{CURRENT}").status_code == 404
    assert DepartmentFactory._meta.model is Department


def test_the_cli_computes_shows_and_exports(survey, categories, settings, tmp_path, capsys):
    from django.core.management import call_command

    w = survey
    _two_departments(w, settings)
    call_command(
        "assessment",
        "compute",
        CURRENT,
        "--weights",
        "survey=0,resolution=50,on_time=0,satisfaction=50,reopen=0",
    )
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("department")]
    assert lines[0].endswith(str(w.town_dept)) and "best" in lines[0]
    call_command("assessment", "show", CURRENT, "--xlsx", str(tmp_path / "a.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    call_command("survey", "scores", str(w.campaign.pk))
    assert str(w.city_dept.code) in capsys.readouterr().out
