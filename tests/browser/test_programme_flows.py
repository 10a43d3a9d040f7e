"""The doubling programme in the browser: an expert signs in, finds the application drawn for it,
scores the desk review, and the coordinating office's ranking page shows the combined score."""

import re
from datetime import date

import pytest

from tests.browser.test_enterprise_flows import screenshot, sign_in
from tests.browser.test_smoke import browser_page, server  # noqa: F401 (fixtures)
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    TownFactory,
    UserFactory,
)
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Department, Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drawn(transactional_db):
    """A round under review with one application that passed the formal check and a desk group of one
    expert (`reviewer`) drawn for it. Built before the browser starts."""
    from zhuqi.programs import services
    from zhuqi.programs.models import Expert

    town = TownFactory(code="changan", name="长安镇")
    firm = EnterpriseFactory(name="东莞市倍增测试电子有限公司", town=town, doubling_class="private_mfg")
    for key, year, value, source in (
        ("revenue", 2015, 50_000_000, "stats"),
        ("revenue", 2014, 40_000_000, "stats"),
        ("total_profit", 2015, 3_000_000, "stats"),
        ("tax_paid", 2015, 2_000_000, "tax"),
    ):
        IndicatorValueFactory(
            enterprise=firm, indicator=key, year=year, value=value, source=source, verified=True
        )
    office = UserFactory(username="office", role=Role.COORDINATOR, display_name="倍增办")
    handler = UserFactory(
        username="miit",
        role=Role.HANDLER,
        department=DepartmentFactory(code="miit", name="东莞市工业和信息化局"),
    )
    departments = {c: DepartmentFactory(level=Department.Level.CITY) for c in Enterprise.DoublingClass.values}
    programme = services.programme_create(code="dg", name="倍增计划", classes=departments, acting_user=office)
    round_ = services.round_open(
        programme=programme,
        name="2017年遴选",
        opens_on=date(2017, 1, 3),
        closes_on=date(2017, 1, 20),
        check_year=2015,
        acting_user=office,
    )
    declared = {
        "revenue@2015": 50_000_000,
        "revenue@2014": 40_000_000,
        "total_profit@2015": 3_000_000,
        "tax_paid@2015": 2_000_000,
        "main_revenue@2016": 55_000_000,
        "tax_paid@2016": 2_200_000,
    }
    application = services.application_submit(
        round_=round_,
        enterprise=firm,
        enterprise_class="private_mfg",
        drivers=["innovation"],
        commitment_years=3,
        figures=declared,
        acting_user=handler,
        today=date(2017, 1, 10),
    )
    services.round_close(round_=round_, acting_user=office)
    services.formal_check_run(round_=round_, acting_user=office)
    reviewer = UserFactory(username="reviewer", role=Role.EXPERT, display_name="刘教授")
    expert = Expert.objects.create(
        name="刘教授", field="technology", organisation="华南理工大学", user=reviewer
    )
    application.refresh_from_db()
    services.group_draw(
        round_=round_,
        name="书面审核第一组",
        stage="desk",
        size=1,
        applications=[application],
        seed="2017",
        acting_user=office,
    )
    return {"number": application.number, "round": round_.pk, "expert": expert.pk}


def test_an_expert_scores_and_the_ranking_shows_it(server, drawn, browser_page):  # noqa: F811
    page = browser_page
    sign_in(page, server.url, "reviewer")
    page.goto(f"{server.url}/programmes/reviews/")
    assert "待评分" in page.locator("#reviews").inner_text()
    page.click(f"#reviews a:has-text('{drawn['number']}')")
    page.wait_for_url(re.compile(rf".*/programmes/applications/{drawn['number']}/$"))
    for i, field in enumerate(page.locator("#score-form input[type=number]").all()):
        field.fill(str(80 + i))
    screenshot(page, "programme-expert-scores-phone")
    with page.expect_navigation():
        page.press("#score-form input[name=mark_capacity]", "Enter")
    page.wait_for_selector("text=评分已提交并锁定。")
    combined = page.locator("#score").inner_text().split("（")[0]
    assert 80 <= float(combined) <= 86, combined  # the weighted mean of marks from 80 to 86
    page.context.clear_cookies()
    sign_in(page, server.url, "office")
    page.goto(f"{server.url}/programmes/rounds/{drawn['round']}/ranking/")
    row = page.locator(f"#list tr:has-text('{drawn['number']}')").inner_text()
    assert "科技创新" in row and "东莞市倍增测试电子有限公司" in row and combined in row, row
    screenshot(page, "programme-ranking-phone")
