"""One walk through the real pages in Debian's chromium: sign in, search an enterprise, open it."""

import os
import shutil

import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory, TownFactory, UserFactory
from zhuqi.accounts.models import Role

CHROMIUM = os.environ.get("ZHUQI_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(transactional_db):
    """A live server of this test's own, stopped (and its database connections closed) before the
    test database is dropped; pytest-django's session-wide one would outlive it on PostgreSQL."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("127.0.0.1:0")
    yield live
    live.stop()


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is needed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
        yield page
        browser.close()


@pytest.fixture
def target(transactional_db):
    # Built before the browser starts: Playwright's sync API runs an event loop in this thread, and
    # Django refuses database work inside one.
    town = TownFactory(code="changan", name="长安镇")
    target = EnterpriseFactory(name="东莞市浏览器测试电子有限公司", town=town)
    EnterpriseFactory(name="东莞市其他五金有限公司", town=town)
    IndicatorValueFactory(enterprise=target, year=2024, value=80_000_000)
    IndicatorValueFactory(enterprise=target, year=2025, value=100_000_000)
    UserFactory(username="coord", role=Role.COORDINATOR)
    return target


def test_sign_in_search_and_open_an_enterprise(server, target, browser_page):

    page = browser_page
    page.goto(f"{server.url}/login/")
    page.fill("input[name=username]", "coord")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    assert "欢迎" in page.content()

    page.goto(f"{server.url}/enterprises/")
    page.fill("#q", "浏览器测试")
    page.wait_for_function("() => !document.querySelector('#results').textContent.includes('其他五金')")
    page.click("text=东莞市浏览器测试电子有限公司")
    page.wait_for_url(f"**/enterprises/{target.uscc}/")
    assert target.uscc in page.content()
    assert "+25.0%" in page.content()  # revenue growth 2024 → 2025
    page.wait_for_function("() => document.querySelector('#chart-indicators canvas') !== null")
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/enterprise-page-phone.png", full_page=True)
