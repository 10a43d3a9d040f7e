"""A liaison leader records a visit on a phone, with a problem found: the appeal it becomes is in the
ledger, routed, and links back to the visit."""

import re
from datetime import date

import pytest

from tests.browser.test_enterprise_flows import screenshot, sign_in
from tests.browser.test_smoke import browser_page, server  # noqa: F401 (fixtures)
from tests.factories import DepartmentFactory, EnterpriseFactory, LiaisonFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.directory.models import Department, ServiceCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def liaison_world(transactional_db):
    town = TownFactory(code="changan", name="长安镇")
    firm = EnterpriseFactory(name="东莞市走访测试精密有限公司", town=town)
    leader = UserFactory(username="leader", role=Role.LEADER, display_name="张副市长")
    LiaisonFactory(leader=leader, enterprise=firm, since=date(2026, 1, 1))
    utilities = ServiceCategory.objects.create(code="utilities", name="水电气")
    ServiceCategory.objects.create(code="utilities.power", name="用电", parent=utilities)
    miit = DepartmentFactory(code="miit", name="东莞市工业和信息化局", level=Department.Level.CITY)
    miit.categories.add(utilities)
    UserFactory(username="miit", role=Role.HANDLER, department=miit)
    return firm


def test_leader_records_a_visit_with_a_problem_on_a_phone(server, liaison_world, browser_page):  # noqa: F811
    page = browser_page
    sign_in(page, server.url, "leader")
    page.goto(f"{server.url}/engagement/visits/new/")
    # A few taps: its one enterprise is chosen already, on site is the default, today is the date.
    page.select_option("select[name=enterprise]", label=liaison_world.name)
    page.check("input[name=kind][value=onsite]")
    page.fill("input[name=problem_title]", "二期生产线需用电增容")
    page.fill("textarea[name=problem_description]", "新增生产线需增容800千伏安，供电方案未批复。")
    page.select_option("select[name=problem_category]", label="水电气 › 用电")
    screenshot(page, "visit-form-phone")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/engagement/visits/\d+/$"))
    problems = page.locator("#problems")
    number = problems.locator("a").first.inner_text()
    assert number.startswith("SQ")
    screenshot(page, "visit-recorded-phone")
    page.goto(f"{server.url}/appeals/?q=用电增容")
    row = page.locator(f"text={number}")
    assert row.count() == 1
    row.click()
    page.wait_for_url(f"**/appeals/{number}/")
    content = page.content()
    assert "东莞市工业和信息化局" in content  # routed like any other appeal
    assert "/engagement/visits/" in content  # and it links back to its visit
    screenshot(page, "visit-appeal-in-ledger-phone")
