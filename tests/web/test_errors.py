"""Error pages in the site's layout and language, each with a way home (issue 13, item 5)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_are_the_sites_own(client, world):
    client.force_login(world.users["enterprise_a"])
    r = client.get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and 'href="/"' in body and "返回首页" in body
    # The site's layout, not Django's page; its name in Chinese only on a Chinese page.
    assert 'class="brand">助企</a>' in body and "Not Found" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/no-such-page/").content.decode()
    assert "Page not found" in english and 'class="brand">助企 Zhuqi</a>' in english


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_a_page_that_says_what_to_do(world):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/login/", {"username": "x", "password": "y"})
    body = r.content.decode()
    assert r.status_code == 403 and "表单已过期" in body and "返回首页" in body and "CSRF" not in body


def test_the_server_error_page_needs_neither_the_database_nor_a_request_context():
    # No database access is allowed in this test: the page renders all the same.
    with translation.override("zh-hans"):
        r = server_error(RequestFactory().get("/"))
    body = r.content.decode()
    assert r.status_code == 500 and "服务器错误" in body and 'href="/"' in body
    with translation.override("en"):
        assert "Server error" in server_error(RequestFactory().get("/")).content.decode()


@pytest.mark.django_db
def test_forbidden_and_bad_request_pages_are_the_sites_own():
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import bad_request, permission_denied

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    forbidden = permission_denied(request, PermissionDenied()).content.decode()
    assert "无权访问" in forbidden and "返回首页" in forbidden
    assert "请求有误" in bad_request(request, Exception()).content.decode()
