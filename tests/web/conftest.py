import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from tests.web.walk import demo_world, walk, walk_api


class _Rollback(Exception):
    pass


@pytest.fixture(scope="session")
def walks(django_db_setup, django_db_blocker):
    """Every demo role's walk over the demo city, in Chinese (the default). The city is built inside
    a transaction that is rolled back after the walk, so no other test sees it; the tests read the
    pages collected."""
    found = {}
    # The demo's principal leader is configured as `./dev up` does, so its walk covers every appeal.
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], ZHUQI_PRINCIPAL_LEADER="mayor"
    )
    with django_db_blocker.unblock(), fast, translation.override("zh-hans"):
        try:
            with transaction.atomic():
                users = demo_world()
                for name, user in users.items():
                    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
                    client.force_login(user)
                    found[name] = walk(client)
                    found[name].user = name
                    found[name].api = walk_api(client)
                raise _Rollback
        except _Rollback:
            pass
    return found
