"""Least privilege for machine clients: scopes, feeds, expiry, rotation, system clients only, usage."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from zhuqi.accounts import auth, services
from zhuqi.accounts.models import ApiToken
from zhuqi.api import api
from zhuqi.core import scopes
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.core.scopes import HOTLINE, Scope
from zhuqi.directory.models import IndicatorValue

pytestmark = pytest.mark.django_db
README = __import__("pathlib").Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _fresh_usage_counter():
    auth.usage.reset()
    yield
    auth.usage.reset()


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token(world, *scope_list, **kw):
    return services.api_token_create(user=world.users["system"], name="t", scopes=list(scope_list), **kw)


@pytest.mark.parametrize("who", ["enterprise_a", "coordinator", "expert", "admin", "city_handler"])
def test_tokens_are_never_issued_to_people(world, who):
    with pytest.raises(ZhuqiError) as exc:
        services.api_token_create(user=world.users[who], name="x", scopes=HOTLINE)
    assert exc.value.code == "tokens_for_system_clients_only" and exc.value.status == 422
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "scope_list,code",
    [
        ([], "scopes_missing"),
        (["appeals:submit", "indicators:write:everything"], "unknown_scope"),
        ([Scope.INDICATORS_WRITE_TAX, Scope.INDICATORS_WRITE_STATS], "one_feed_per_token"),
    ],
)
def test_bad_scopes_are_refused(world, scope_list, code):
    with pytest.raises(ZhuqiError) as exc:
        token(world, *scope_list)
    assert exc.value.code == code and not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 367])
def test_lifetime_is_bounded(world, days):
    with pytest.raises(ZhuqiError) as exc:
        token(world, *HOTLINE, days=days)
    assert exc.value.code == "token_days_out_of_range"


def test_token_lives_its_days_then_is_refused(client, world, settings):
    settings.ZHUQI_TOKEN_DAYS = 30
    row, raw = token(world, *HOTLINE)
    assert timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert client.get("/api/v1/appeals", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/appeals", **bearer(raw)).status_code == 401


def test_rotation_gives_a_new_secret_and_the_old_one_a_grace_period(client, world, settings):
    settings.ZHUQI_TOKEN_ROTATION_GRACE_HOURS = 24
    old, old_raw = token(world, *HOTLINE, days=90)
    new, new_raw = services.api_token_rotate(prefix=old.prefix)
    old.refresh_from_db()
    assert new_raw != old_raw and new.scopes == old.scopes and new.name == old.name
    assert timedelta(hours=23) < old.expires_at - timezone.now() <= timedelta(hours=24)
    assert client.get("/api/v1/me", **bearer(old_raw)).status_code == 200  # the client switches over
    assert client.get("/api/v1/me", **bearer(new_raw)).status_code == 200
    with pytest.raises(ZhuqiError) as exc:
        services.api_token_rotate(prefix=old.prefix)
    assert exc.value.code == "token_already_rotated"
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", **bearer(old_raw)).status_code == 401
    assert client.get("/api/v1/me", **bearer(new_raw)).status_code == 200
    event = AuditEvent.objects.get(verb="api_token_rotate")
    assert event.data["replaces"] == old.prefix and event.data["prefix"] == new.prefix


def test_cli_creates_rotates_lists_and_revokes(world):
    out = io.StringIO()
    call_command(
        "api_token",
        "create",
        "--user=hotline",
        "--name=12345",
        "--scopes=appeals:submit,appeals:read",
        "--days=7",
        stdout=out,
    )
    first = ApiToken.objects.get()
    assert first.scopes == ["appeals:read", "appeals:submit"]
    assert timedelta(days=6) < first.expires_at - timezone.now() <= timedelta(days=7)
    assert out.getvalue().strip().splitlines()[-1].startswith("zq_")
    out = io.StringIO()
    call_command("api_token", "rotate", first.prefix, stdout=out)
    second = ApiToken.objects.exclude(pk=first.pk).get()
    assert second.prefix in out.getvalue() and "works until" in out.getvalue()
    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "rotated" in listing.getvalue() and second.prefix in listing.getvalue()
    with pytest.raises(CommandError, match="只发给系统接口"):
        call_command("api_token", "create", user="coordinator", name="x", scopes="appeals:read")
    with pytest.raises(CommandError, match="未知的权限范围"):
        call_command("api_token", "create", user="hotline", name="x", scopes="root")


def test_system_clients_cannot_sign_in_with_a_password(client, world):
    user = world.users["system"]
    user.set_password("pass-word-123")
    user.save()
    response = client.post(reverse("web:login"), {"username": user.username, "password": "pass-word-123"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


# --- every endpoint declares the scope a token needs ------------------------------------------


def _operations():
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                # Operations without auth= take the API's default when mounted (session only).
                callbacks = op.auth_callbacks or api.auth
                token_auth = next(a for a in callbacks if isinstance(a, auth.TokenAuth))
                for method in op.methods:
                    yield method, path, token_auth.scopes


def test_every_endpoint_declares_a_known_scope_or_is_closed_to_tokens():
    ops = list(_operations())
    assert len(ops) > 50
    known = {s.value for s in Scope} | {auth.ANY_SCOPE}
    for method, path, needed in ops:
        assert set(needed) <= known, (method, path, needed)
    open_to_tokens = {(m, p) for m, p, needed in ops if needed}
    # The hotline's, the feeds' and the reference reads; every other endpoint is for people.
    assert ("POST", "/appeals") in open_to_tokens and ("POST", "/indicators") in open_to_tokens
    assert ("POST", "/grant-offers/run") not in open_to_tokens
    assert ("POST", "/imports") not in open_to_tokens


def test_a_token_without_the_scope_is_refused(client, world):
    _row, raw = token(world, Scope.REFERENCE_READ)
    assert client.get("/api/v1/towns", **bearer(raw)).status_code == 200
    refused = client.get("/api/v1/appeals", **bearer(raw))
    assert refused.status_code == 403 and refused.json()["code"] == "token_scope_missing"
    assert "appeals:read" in refused.json()["message_en"]
    closed = client.get("/api/v1/notifications", **bearer(raw))
    assert closed.status_code == 403 and closed.json()["code"] == "token_not_allowed"


def test_readme_lists_every_scope():
    assert scopes.markdown_table() in README.read_text(encoding="utf-8"), (
        "README's scope table drifted; paste scopes.markdown_table() into it"
    )


# --- feeds write as themselves, never verified ---------------------------------------------------


def post_indicator(client, world, raw, **item):
    body = [{"uscc": world.a.uscc, "indicator": "revenue", "year": 2025, "value": "100.00", **item}]
    return client.post("/api/v1/indicators", body, content_type="application/json", **bearer(raw))


def test_a_feed_writes_as_its_source_whatever_it_claims(client, world):
    _row, raw = token(world, Scope.INDICATORS_WRITE_STATS)
    assert post_indicator(client, world, raw).status_code == 200
    assert IndicatorValue.objects.get().source == "stats"
    claimed = post_indicator(client, world, raw, source="tax", value="200.00")
    assert claimed.status_code == 403 and claimed.json()["code"] == "source_not_yours"
    assert list(IndicatorValue.objects.values_list("source", "value")) == [("stats", 100)]


def test_a_token_never_verifies(client, world):
    _row, raw = token(world, Scope.INDICATORS_WRITE_TAX)
    refused = post_indicator(client, world, raw, source="tax", verified=True)
    assert refused.status_code == 403 and not IndicatorValue.objects.exists()


def test_a_person_with_the_capability_verifies(client, world):
    client.force_login(world.users["coordinator"])
    ok = client.post(
        "/api/v1/indicators",
        [
            {
                "uscc": world.a.uscc,
                "indicator": "revenue",
                "year": 2025,
                "value": "1",
                "source": "tax",
                "verified": True,
            }
        ],
        content_type="application/json",
    )
    assert ok.status_code == 200 and IndicatorValue.objects.get().verified


# --- every use is logged with the token's prefix ---------------------------------------------------


def test_every_use_is_logged_and_counted_without_a_write_per_request(client, world, caplog):
    row, raw = token(world, Scope.INDICATORS_WRITE_TAX, Scope.REFERENCE_READ)
    with caplog.at_level(logging.INFO, logger="zhuqi.tokens"):
        for _ in range(3):
            client.get("/api/v1/towns", **bearer(raw))
    assert (
        sum(row.prefix in r.getMessage() and "/api/v1/towns" in r.getMessage() for r in caplog.records) == 3
    )
    row.refresh_from_db()
    # The first use is written at once; the next two wait for the minute's flush.
    assert row.use_count == 1 and row.last_used_at is not None and row.last_used_from == "127.0.0.1"
    auth.usage.flushed_at[row.pk] -= auth.FLUSH_SECONDS
    client.get("/api/v1/towns", **bearer(raw))
    row.refresh_from_db()
    assert row.use_count == 4
    assert post_indicator(client, world, raw).status_code == 200
    event = AuditEvent.objects.get(verb="indicator_values_upsert")
    assert event.via_token == row.prefix and event.actor == world.users["system"]


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_or_expired_by_another_process_is_refused_at_the_next_request(
    client, world, tmp_path
):
    """Tokens are not cached (core.reference caches only reference data): every request reads the
    token row, so a revocation or an expiry written by another process counts at once. Proved with a
    real second process (`zhuqi api_token revoke`, and one shortening the expiry)."""
    import subprocess
    import sys

    from tests.appeals.test_worker import worker_env

    env = worker_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "zhuqi.settings"}
    ledger = "/api/v1/appeals"
    revoked, raw_revoked = token(world, Scope.APPEALS_READ)
    expiring, raw_expiring = token(world, Scope.APPEALS_READ)
    for raw in (raw_revoked, raw_expiring):
        assert client.get(ledger, **bearer(raw)).status_code == 200  # this process has used both
    done = subprocess.run(
        [sys.executable, "-m", "zhuqi.cli", "api_token", "revoke", revoked.prefix],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert client.get(ledger, **bearer(raw_revoked)).status_code == 401
    script = (
        "import django; django.setup()\n"
        "from django.utils import timezone\n"
        "from zhuqi.accounts.models import ApiToken\n"
        f"ApiToken.objects.filter(pk={expiring.pk}).update(expires_at=timezone.now())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert client.get(ledger, **bearer(raw_expiring)).status_code == 401
