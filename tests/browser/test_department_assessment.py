"""A department assessment in Debian's chromium: the office computes the quarter's assessment on the
page and publishes it; the department's head then opens it and reads its score and its breakdown — the
components with their weights, and its survey score aspect by aspect (issue 12, item 4)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from tests.assessment.conftest import RESPONDENTS, appeal
from tests.browser.test_smoke import browser_page, server  # noqa: F401  the same browser and server
from tests.factories import EnterpriseFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.assessment import questionnaire, services
from zhuqi.directory.models import ServiceCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = timezone.localdate()
QUARTER = f"{NOW.year}Q{(NOW.month - 1) // 3 + 1}"
PASSWORD = "pass-word-123"


@pytest.fixture
def quarter(world):
    """Built before the browser starts (Django refuses database work inside Playwright's loop). Six
    enterprises rate 东莞市工业和信息化局 4 of 5 on every item but 项目落地's, rated 2: 80 on seven
    aspects, 40 on one, a survey score of 75.00; its two appeals of the quarter are closed on time and
    rated satisfied (every appeal KPI at 100). With the default weights (survey 40, satisfaction 20,
    resolution 20, on-time 10, reopen 10) its total is 0.4 × 75 + 0.6 × 100 = 90.00."""
    w = world
    w.city_dept.head = w.users["city_handler"]
    w.city_dept.save()
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    w.city_dept.categories.add(financing)
    for _ in range(2):
        appeal(w, financing, handler="city_handler", rating="satisfied")
    questionnaire.install_shipped()
    # A browser test's database is flushed after every such test, data migrations' rows included: the
    # dated parameters (default weights, the 97 % target) are put back as their migration puts them,
    # or the form offers empty weights whenever another browser test ran first.
    import_module("zhuqi.assessment.migrations.0002_parameters").load(django_apps, None)
    respondents = [w.users["enterprise_a"]] + [
        UserFactory(
            username=f"resp{i}",
            role=Role.ENTERPRISE,
            enterprise=EnterpriseFactory(town=w.towns[0], name=f"东莞市测评{i}号企业有限公司"),
        )
        for i in range(RESPONDENTS - 1)
    ]
    campaign = services.campaign_create(
        title="本季度企业评判部门测评",
        period=QUARTER,
        deadline=NOW + timedelta(days=7),
        sample_size=None,
        sample_seed=7,
        acting_user=w.users["coordinator"],
    )
    campaign = services.campaign_open(campaign=campaign, acting_user=w.users["coordinator"])
    items = list(questionnaire.active_items(campaign.questionnaire).select_related("aspect"))
    for user in respondents:
        services.survey_answer(
            campaign=campaign,
            acting_user=user,
            department=w.city_dept,
            scores={i.code: (2 if i.aspect.code == "project" else 4) for i in items},
        )
    w.campaign_id = campaign.pk
    w.aspects = [a.name for a in campaign.questionnaire.aspects.filter(retired=False)]
    return w


def _sign_in(page, url, username):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _cells(row) -> list[str]:
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_the_office_publishes_an_assessment_and_the_department_head_reads_its_score(
    quarter,
    server,  # noqa: F811
    browser_page,  # noqa: F811
):
    page, url = browser_page, server.url
    department = str(quarter.city_dept)

    # The office computes the quarter's assessment with the default weights and publishes it.
    _sign_in(page, url, "coordinator")
    page.goto(f"{url}/assessments/")
    page.click("details summary")
    page.select_option("select[name=period]", QUARTER)  # chosen from the list, not typed
    page.click("form[action='/assessments/new/'] button[type=submit]")
    page.wait_for_url(f"{url}/assessments/{QUARTER}/")
    page.click(f"form[action='/assessments/{QUARTER}/publish/'] button")
    page.wait_for_url(f"{url}/assessments/{QUARTER}/")
    assert page.locator(f"form[action='/assessments/{QUARTER}/publish/']").count() == 0

    # The department's head opens it from the list: its rank, total and each component.
    _sign_in(page, url, "city_handler")
    page.goto(f"{url}/assessments/")
    page.click(f"a[href='/assessments/{QUARTER}/']")
    page.wait_for_url(f"{url}/assessments/{QUARTER}/")
    weights = page.locator("main p", has_text="%").first.inner_text()
    assert "40%" in weights and "20%" in weights and "97.0%" in weights  # the weights and the target
    row = page.locator("table").first.locator("tbody tr", has_text=department)
    cells = _cells(row)
    # rank, name, total, mark, survey, answers, appeals, resolution, on time, satisfaction, reopen
    assert cells[0] == "1" and cells[1] == department and cells[2] == "90.00"
    assert cells[4] == "75.00" and cells[5] == str(RESPONDENTS) and cells[6] == "2"
    assert cells[7:] == ["100.0%", "100.0%", "100.0%", "0.0%"]

    # Its survey score aspect by aspect, on the campaign's page.
    page.goto(f"{url}/surveys/{quarter.campaign_id}/")
    headers = [h.strip() for h in page.locator("table").first.locator("thead th").all_inner_texts()]
    row = page.locator("table").first.locator("tbody tr", has_text=department)
    by_aspect = dict(zip(headers[3:], _cells(row)[3:], strict=True))
    assert by_aspect == {a: ("40.00" if a == "项目落地" else "80.00") for a in quarter.aspects}
    assert _cells(row)[1:3] == [str(RESPONDENTS), "75.00"]
