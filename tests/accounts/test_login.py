import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_login_and_home(client, world):
    response = _login(client, "coordinator", "pass-word-123")
    assert response.status_code == 302
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert "2" in home.content.decode()  # two enterprises in the coordinator's scope


def test_wrong_password_shows_an_error(client, world):
    response = _login(client, "coordinator", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "coordinator", "wrong")
    locked = _login(client, "coordinator", "pass-word-123")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client, world):
    response = client.get(reverse("directory:enterprise_list"))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]
