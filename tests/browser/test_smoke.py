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
        # Every page runs under the Content-Security-Policy: anything it blocks fails the test.
        blocked = []
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        yield page
        browser.close()
        assert blocked == [], blocked


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


@pytest.fixture
def grant_world(transactional_db):
    """A gazelle with verified R&D expense, its user, the shipped pack and its 免申即享 offer."""
    from datetime import date

    from zhuqi.directory.models import Tag
    from zhuqi.policies import grants, packs

    packs.install_shipped()
    town = TownFactory(code="changan", name="长安镇")
    firm = EnterpriseFactory(name="东莞市浏览器创新科技有限公司", town=town)
    firm.tags.add(Tag.objects.get_or_create(name="瞪羚企业")[0])
    IndicatorValueFactory(
        enterprise=firm, indicator="rd_expense_deductible", year=2025, value=6_000_000, source="tax"
    )
    UserFactory(username="firm", role=Role.ENTERPRISE, enterprise=firm)
    grants.offers_run(period=date(2026, 6, 30))
    return firm


def test_enterprise_sees_its_policies_and_confirms_a_grant_on_a_phone(server, grant_world, browser_page):
    page = browser_page
    page.goto(f"{server.url}/login/")
    page.fill("input[name=username]", "firm")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    # On a phone the menu is folded behind its button: its links appear when it is opened.
    assert not page.is_visible("header >> text=我的政策")
    page.click("header >> button.menu-toggle")
    assert page.get_attribute("header >> button.menu-toggle", "aria-expanded") == "true"
    page.click("header >> text=我的政策")
    page.wait_for_url("**/policies/mine/")
    assert "30万元" in page.content()  # seed 001: 5 % of 6,000,000
    page.goto(f"{server.url}/policies/mine/?year=2026")
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/my-policies-phone.png", full_page=True)
    page.click("main >> a[href^='/policies/offers/']")
    page.fill("input[name=bank_name]", "中国工商银行东莞长安支行")
    page.fill("input[name=account_number]", "6222 0000 1111 2222")
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("[data-state=confirmed]")
    assert "已确认，待拨付" in page.content()


@pytest.fixture
def sealed_audit(transactional_db):
    from zhuqi.core import audit, audit_chain

    admin = UserFactory(username="root", role=Role.ADMIN)
    audit.record(actor=admin, verb="walk", obj=admin)
    audit_chain.seal()
    return admin


def test_the_audit_page_fits_a_phone_with_the_chain_hash_shown(server, sealed_audit, browser_page):
    """The walk of 2026-12-06: the 64-character chain hash pushed the audit page 100 px past a
    375 px screen (a sideways scroll)."""
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{server.url}/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/audit/")
    assert "链尾记录" in page.content() and page.locator("main small code").count() == 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
