"""Two handlers accept the same appeal at the same moment: exactly one succeeds, the other gets a clear
conflict. Runs on PostgreSQL (row lock) and on SQLite (IMMEDIATE transactions) alike."""

import threading

import pytest
from django.db import connections

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal, State
from zhuqi.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_accepts_exactly_one_succeeds(loop):
    w = loop
    second_handler = UserFactory(username="second", role=Role.HANDLER, department=w.city_dept)
    appeal = services.appeal_submit(
        enterprise=w.a, title="t", description="d", category=w.cats.loan, acting_user=w.users["enterprise_a"]
    ).appeal
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        try:
            barrier.wait()
            services.appeal_accept(appeal=appeal, acting_user=user)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (w.users["city_handler"], second_handler)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["invalid_transition", "ok"]
    current = Appeal.objects.get(pk=appeal.pk)
    assert current.state == State.ACCEPTED
    assert current.events.filter(action="accept").count() == 1
