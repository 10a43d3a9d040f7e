"""Issue 15, finding 6: 100 guesses from 20 addresses all ran; behind the load balancer everyone
shared the proxy's address. Per user and address (axes) plus per user across addresses with
backoff; X-Forwarded-For only from trusted proxies; the administrators alerted once per lock."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from zhuqi.accounts.models import SignInBackoff
from zhuqi.core.client_ip import client_ip
from zhuqi.core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


def attempt(client, username, password, *, remote="127.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("web:login"), {"username": username, "password": password}, **meta)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_distributed_guessing_is_stopped(client, world, settings):
    settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT = 10
    outcomes = []
    for address in range(20):
        for _ in range(5):
            response = attempt(client, "coordinator", "guess", remote=f"198.51.100.{address + 1}")
            outcomes.append(response.status_code)
    # Ten wrong passwords were checked (per address the fifth is answered with the address lock);
    # every later guess is refused unchecked (429), whichever address it comes from.
    assert outcomes[:10] == [200, 200, 200, 200, 429] * 2
    assert outcomes[10:] == [429] * 90
    right = attempt(client, "coordinator", "pass-word-123", remote="203.0.113.200")
    assert right.status_code == 429 and not signed_in(client)
    row = SignInBackoff.objects.get(username="coordinator")
    assert row.failures == 10  # refused attempts do not extend the pause


def test_the_pause_doubles_with_each_further_wrong_password_and_success_clears_it(client, world, settings):
    settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT = 3
    settings.ZHUQI_LOGIN_BACKOFF_MAX_MINUTES = 60
    pauses = []
    for i in range(6):
        SignInBackoff.objects.filter(username="coordinator").update(locked_until=None)  # the pause ran out
        attempt(client, "coordinator", "guess", remote=f"198.51.100.{i + 1}")
        row = SignInBackoff.objects.get(username="coordinator")
        if row.locked_until:
            pauses.append(round((row.locked_until - row.last_failure_at) / timedelta(minutes=1)))
    assert pauses == [1, 2, 4, 8]
    SignInBackoff.objects.filter(username="coordinator").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert attempt(client, "coordinator", "pass-word-123", remote="203.0.113.9").status_code == 302
    assert not SignInBackoff.objects.filter(username="coordinator").exists()


def test_behind_a_trusted_proxy_one_locked_client_does_not_lock_out_the_others(client, world, settings):
    settings.ZHUQI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "coordinator", "guess", remote=PROXY, forwarded="203.0.113.66")
    locked = attempt(client, "coordinator", "pass-word-123", remote=PROXY, forwarded="203.0.113.66")
    assert locked.status_code == 429
    # Another person, through the same proxy, signs in as another user and as the same user.
    assert (
        attempt(client, "town_a", "pass-word-123", remote=PROXY, forwarded="203.0.113.7").status_code == 302
    )
    client.logout()
    assert (
        attempt(client, "coordinator", "pass-word-123", remote=PROXY, forwarded="203.0.113.8").status_code
        == 302
    )


def test_an_untrusted_sender_cannot_choose_its_address(client, world, settings):
    settings.ZHUQI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        # A client writing its own X-Forwarded-For is counted by its connection's address.
        attempt(client, "coordinator", "guess", remote="198.51.100.9", forwarded=f"203.0.113.{i}")
    assert (
        attempt(
            client, "coordinator", "pass-word-123", remote="198.51.100.9", forwarded="203.0.113.99"
        ).status_code
        == 429
    )


@pytest.mark.parametrize(
    "remote,forwarded,expected",
    [
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),  # not from a trusted proxy: the header is ignored
        (PROXY, "203.0.113.5", "203.0.113.5"),
        (PROXY, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left-most is whatever the client wrote
        (PROXY, "203.0.113.5, 10.0.0.7", "203.0.113.5"),  # two proxies of ours
        (PROXY, "203.0.113.5:4711", "203.0.113.5"),
        (PROXY, "[2001:db8::1]:4711", "2001:db8::1"),
        (PROXY, "junk, 10.0.0.7", "10.0.0.7"),
        (PROXY, "", PROXY),
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    settings.ZHUQI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_administrators_are_alerted_once_per_lock(client, world, settings):
    settings.ZHUQI_LOGIN_USER_FAILURE_LIMIT = 10
    settings.ZHUQI_NOTIFY_CHANNELS = ["inapp"]
    admin = world.users["admin"]
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):  # the address lock, then attempts while locked
        attempt(client, "coordinator", "guess", remote="198.51.100.1")
    address_alerts = OutboxMessage.objects.filter(recipient=admin, key__startswith="signin-lock:")
    assert address_alerts.count() == 1 and "coordinator" in address_alerts.get().subject
    for i in range(12):
        attempt(client, "coordinator", "guess", remote=f"198.51.100.{i + 2}")
    user_alerts = OutboxMessage.objects.filter(recipient=admin, key__startswith="signin-user-lock:")
    assert user_alerts.count() == 1 and "198.51.100." in user_alerts.get().body
    assert AuditEvent.objects.filter(verb="signin_locked").count() == 2
    assert not OutboxMessage.objects.exclude(recipient=admin).exists()  # administrators only
