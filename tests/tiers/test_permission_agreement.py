"""For every role and every state of a tier recognition: the revoke button (撤销认定) on the overview and
on the enterprise page is offered exactly where the service allows it. The service is called for
real in a savepoint rolled back after it, and either succeeds or refuses with 403 (permission) or 409
(state); both come from the one entry of tiers/lifecycle.py."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from tests.factories import RecognitionFactory
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.tiers import lifecycle, services
from zhuqi.tiers.models import Recognition

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def _allows(recognition, user) -> bool:
    try:
        with transaction.atomic():
            services.recognition_revoke(
                recognition=Recognition.objects.get(pk=recognition.pk),
                revoked_on=date(2026, 5, 1),
                reason="不再符合条件",
                acting_user=user,
            )
            raise RolledBack
    except RolledBack:
        return True
    except Forbidden:
        return False
    except Conflict as exc:
        assert exc.code == "already_revoked", exc.code
        return False


@pytest.mark.parametrize("state", list(lifecycle.RecognitionState))
def test_revoke_is_offered_where_the_service_allows_it(client, world, state):
    recognition = RecognitionFactory(
        enterprise=world.a,
        tier="innovative",
        level="provincial",
        recognised_on=date(2024, 3, 1),
        expires_on=date(2027, 2, 28),
    )
    if state == lifecycle.RecognitionState.REVOKED:
        services.recognition_revoke(
            recognition=recognition, revoked_on=date(2025, 1, 1), reason="撤销", acting_user=None
        )
        recognition.refresh_from_db()
    url = reverse("tiers:revoke", args=[recognition.pk])
    offered_somewhere = 0
    for name, user in world.users.items():
        offered = "revoke" in lifecycle.offered(user, recognition)
        assert offered == lifecycle.REVOKE.allows(user, recognition)
        assert offered == _allows(recognition, user), (name, state)
        offered_somewhere += offered
        client.force_login(user)
        for page_url in ("/tiers/", reverse("tiers:enterprise", args=[world.a.pk])):
            page = client.get(page_url)
            if page.status_code == 200:
                assert (url in page.content.decode()) == offered, (name, state, page_url)
            else:  # pages the role does not open: nothing offered there either
                assert page.status_code in (302, 404) and not offered, (name, state, page_url)
    assert offered_somewhere == (2 if state == lifecycle.RecognitionState.RECORDED else 0)


def test_revoke_from_the_page(client, world):
    recognition = RecognitionFactory(
        enterprise=world.a, tier="innovative", level="provincial", recognised_on=date(2024, 3, 1)
    )
    client.force_login(world.users["coordinator"])
    back = reverse("tiers:enterprise", args=[world.a.pk])
    answer = client.post(
        reverse("tiers:revoke", args=[recognition.pk]),
        {"revoked_on": "2026-05-01", "reason": "不再符合条件", "next": back},
    )
    assert answer.status_code == 302 and answer["Location"] == back
    recognition.refresh_from_db()
    assert recognition.revoked_on == date(2026, 5, 1) and recognition.revoked_reason == "不再符合条件"
    # a town officer may read it but not revoke: 403 from the service, shown as a message, nothing changed
    other = RecognitionFactory(
        enterprise=world.a, tier="specialised", level="provincial", recognised_on=date(2025, 3, 1)
    )
    client.force_login(world.users["town_a"])
    client.post(reverse("tiers:revoke", args=[other.pk]), {"reason": "x"})
    other.refresh_from_db()
    assert other.revoked_on is None
