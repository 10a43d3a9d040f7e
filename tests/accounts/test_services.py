import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import IntegrityError

from tests.factories import EnterpriseFactory
from zhuqi.accounts import services
from zhuqi.accounts.models import ApiToken, Role, User, hash_token
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.core.scopes import HOTLINE

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings):
    from zhuqi import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = services.user_create(username="u1", password="Strong-pass-2026", role=Role.COORDINATOR)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("Strong-pass-2026")


def test_enterprise_user_needs_an_enterprise():
    with pytest.raises(ZhuqiError) as exc:
        services.user_create(username="e1", password="Strong-pass-2026", role=Role.ENTERPRISE)
    assert exc.value.code == "membership_missing"
    assert not User.objects.filter(username="e1").exists()


def test_membership_is_also_enforced_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=Role.HANDLER)


def test_weak_password_is_refused_with_a_message():
    with pytest.raises(ZhuqiError) as exc:
        services.user_create(username="w", password="12345678", role=Role.EXPERT)
    assert exc.value.code == "weak_password"


def test_user_create_is_audited():
    enterprise = EnterpriseFactory()
    user = services.user_create(
        username="e2", password="Strong-pass-2026", role=Role.ENTERPRISE, enterprise=enterprise
    )
    assert AuditEvent.objects.filter(verb="user_create", object_id=str(user.pk)).exists()


def test_token_is_stored_hashed_and_resolves_until_revoked():
    user = services.user_create(username="feed", password="Strong-pass-2026", role=Role.SYSTEM)
    token, raw = services.api_token_create(user=user, name="tax feed", scopes=["indicators:write:tax"])
    assert raw not in {token.key_hash, token.prefix}
    assert ApiToken.objects.get().key_hash == hash_token(raw)
    assert services.api_token_lookup(raw).user == user
    assert services.api_token_lookup(raw + "x") is None
    services.api_token_revoke(prefix=token.prefix)
    assert services.api_token_lookup(raw) is None


def test_revoking_an_unknown_token_says_so():
    with pytest.raises(ZhuqiError) as exc:
        services.api_token_revoke(prefix="nope")
    assert exc.value.status == 404


def test_token_prefixes_can_always_be_typed_on_the_command_line(world):
    import re

    prefixes = [
        services.api_token_create(user=world.users["system"], name=f"t{i}", scopes=HOTLINE)[0].prefix
        for i in range(200)
    ]
    assert all(re.fullmatch(r"[0-9a-f]{8}", p) for p in prefixes)
