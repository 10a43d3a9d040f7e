"""Security headers, the idle and absolute session limits, API documents behind sign-in, and no
inline script or style that the Content-Security-Policy would block."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import IndicatorValueFactory
from zhuqi.accounts import services as account_services
from zhuqi.web import security

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "zhuqi"


def csp(response) -> dict[str, str]:
    return {
        d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2]
        for d in response["Content-Security-Policy"].split(";")
        if d.strip()
    }


def test_pages_carry_a_strict_content_security_policy(client):
    policy = csp(client.get("/login/"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # a page with no inline script gets no nonce at all
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)
    assert "http" not in str(policy)  # no CDN, no other origin


def test_the_chart_script_runs_by_the_page_nonce(client, world):
    IndicatorValueFactory(enterprise=world.a, year=2024, value=1_000_000)
    client.force_login(world.users["coordinator"])
    response = client.get(f"/enterprises/{world.a.uscc}/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [s for s in scripts if "src=" not in s and "application/json" not in s]
    assert inline and all(f'nonce="{nonce}"' in s for s in inline)
    assert (
        client.get(f"/enterprises/{world.a.uscc}/")["Content-Security-Policy"]
        != response["Content-Security-Policy"]
    )  # a new nonce each time


def test_no_template_has_an_inline_handler_style_attribute_or_unnonced_script():
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<[^>]*\sstyle=\"", r"<[^>]*\son[a-z]+=", r"<script>", r"<style", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(SRC)}: {pattern}")
    assert offenders == []


def test_pages_and_api_answers_are_not_stored_by_caches(client, world):
    client.force_login(world.users["coordinator"])
    for url in (
        "/",
        f"/enterprises/{world.a.uscc}/",
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{world.a.uscc}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    assert "no-store" in client.get("/login/")["Cache-Control"]


def test_static_files_keep_their_cache_headers(client):
    response = client.get("/static/zhuqi/zhuqi.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_permissions_referrer_frame_and_sniffing_headers(client):
    response = client.get("/login/")
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_only_when_secure_cookies_are_set():
    def hsts(env_value):
        env = {**os.environ, "ZHUQI_SECURE_COOKIES": env_value}
        out = subprocess.run(
            [sys.executable, "-c", "import zhuqi.settings as s; print(getattr(s, 'SECURE_HSTS_SECONDS', 0))"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip())

    assert hsts("1") == 365 * 24 * 3600
    assert hsts("") == 0


def test_hsts_header_on_a_secure_request(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/login/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login/")


# --- Sessions ------------------------------------------------------------------------------------


def backdate(client, **seconds):
    session = client.session
    for key, ago in seconds.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_an_idle_session_is_signed_out(client, world, settings):
    settings.ZHUQI_SESSION_IDLE_MINUTES = 30
    client.force_login(world.users["coordinator"])
    assert client.get("/").status_code == 200
    backdate(client, **{security.SEEN: 29 * 60})
    assert client.get("/").status_code == 200  # still within the idle limit
    backdate(client, **{security.SEEN: 31 * 60})
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/enterprises").status_code == 401


def test_an_idle_htmx_request_sends_the_whole_page_to_sign_in(client, world):
    client.force_login(world.users["coordinator"])
    client.get("/")
    backdate(client, **{security.SEEN: 24 * 3600})
    response = client.get("/enterprises/?q=东莞", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/?next=")


def test_an_active_session_ends_at_the_absolute_limit(client, world, settings):
    client.force_login(world.users["coordinator"])
    client.get("/")
    backdate(client, **{security.STARTED: settings.SESSION_COOKIE_AGE + 1, security.SEEN: 10})
    assert client.get("/api/v1/enterprises").status_code == 401


def test_activity_renews_the_idle_limit(client, world, settings):
    settings.ZHUQI_SESSION_IDLE_MINUTES = 30
    client.force_login(world.users["coordinator"])
    client.get("/")
    backdate(client, **{security.SEEN: 20 * 60})
    assert client.get("/").status_code == 200  # renews last-seen
    assert int(time.time()) - client.session[security.SEEN] < 5


# --- API documents ------------------------------------------------------------------------------


def test_api_documents_need_a_sign_in_or_a_token(client, world):
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated" and response.json()["message_en"]
    _token, raw = account_services.api_token_create(
        user=world.users["system"], name="12345", scopes=["appeals:submit"]
    )
    assert client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer zq_wrong"}).status_code == 401
    client.force_login(world.users["enterprise_a"])
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_the_office_may_publish_the_api_documents(client, settings):
    settings.ZHUQI_PUBLIC_API_DOCS = True
    assert client.get("/api/v1/openapi.json").status_code == 200
