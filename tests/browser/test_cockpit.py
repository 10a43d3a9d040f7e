"""The coordinator's home in Debian's chromium: the work counts first, a click on one leads to the
filtered list, and the cockpit's charts render (a canvas each) under the Content-Security-Policy."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser.test_smoke import browser_page, server  # noqa: F401  the same browser and server
from tests.factories import EnterpriseFactory, IndicatorValueFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.monitoring import actuals, targets, warnings
from zhuqi.monitoring.models import Method, Warning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def city(transactional_db):
    town = TownFactory(code="changan", name="长安镇")
    enterprise = EnterpriseFactory(name="东莞市驾驶舱测试电子有限公司", town=town)
    for year in (2025, 2026):
        for month in range(1, 13 if year == 2025 else 11):
            IndicatorValueFactory(
                enterprise=enterprise,
                period_type="month",
                year=year,
                period_no=month,
                value=Decimal(1_000_000 if year == 2025 else 600_000),
            )
    actuals.refresh([2025, 2026])
    coordinator = UserFactory(username="coord", role=Role.COORDINATOR)
    UserFactory(username="town_officer", role=Role.TOWN_OFFICER, town=town)
    targets.target_set(
        acting_user=coordinator,
        measure="revenue",
        year=date.today().year,
        town=None,
        annual=Decimal(13_000_000),
        method=Method.EVEN,
    )
    warnings.sweep(date(date.today().year, 11, 10))
    return Warning.objects.count()


def test_coordinator_home_counts_link_to_the_list_and_charts_render(server, city, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{server.url}/login/")
    page.fill("input[name=username]", "coord")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    queue = page.locator('[data-queue="warnings"]')
    assert int(queue.get_attribute("data-count")) == city > 0
    # The charts of the cockpit render: ECharts draws a canvas in each container.
    for chart in ("chart-target", "chart-warnings-town"):
        page.wait_for_selector(f"#{chart} canvas", timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cockpit-coordinator-phone.png"), full_page=True)
    queue.click()
    page.wait_for_url("**/monitoring/warnings/?state=open")
    rows = page.locator("#warnings tbody tr[data-kind]")
    assert rows.count() == city
