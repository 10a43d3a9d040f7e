"""For every role, every action and every state of a matchmaking event: the buttons the event page
offers are exactly the actions the services allow, and the lifecycle entry the page reads them from
says the same. Each service is called for real in a savepoint rolled back after it, and either
succeeds or refuses with 403 (permission) or 409 (state)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.agreement import allows
from tests.factories import DepartmentFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.chains import lifecycle, services
from zhuqi.chains.models import Event, Outcome
from zhuqi.directory.models import Department

pytestmark = pytest.mark.django_db
HELD_ON = date(2026, 3, 12)


def _calls(event, outcome):
    return {
        "hold": lambda u: services.event_hold(event=event, acting_user=u, held_on=HELD_ON),
        "cancel": lambda u: services.event_cancel(event=event, acting_user=u, reason="场地取消"),
        "outcome": lambda u: services.event_add_outcome(
            event=event, acting_user=u, kind="agreement", partner="某连锁超市", value="1200000"
        ),
        "follow_up": lambda u: services.outcome_follow_up(outcome=outcome, acting_user=u, note="已供货"),
    }


def _page_offers(client, user, event) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("chains:event_detail", args=[event.number]))
    if response.status_code in (302, 404):  # a system client cannot sign in; out of scope: nothing
        return set()
    assert response.status_code == 200
    return set(re.findall(r'<button type="submit"[^>]* data-action="([^"]+)"', response.content.decode()))


def _users(world):
    other_dept = DepartmentFactory(code="commerce", name="东莞市商务局", level=Department.Level.CITY)
    return world.users | {
        "other_handler": UserFactory(username="commerce_handler", role=Role.HANDLER, department=other_dept),
        "town_b": UserFactory(username="town_b", role=Role.TOWN_OFFICER, town=world.towns[1]),
    }


@pytest.mark.parametrize("organiser", ["department", "town"])
@pytest.mark.parametrize("state", [lifecycle.PLANNED, lifecycle.HELD, lifecycle.CANCELLED])
def test_buttons_offered_are_what_the_services_allow(client, world, organiser, state):
    event = services.event_create(
        acting_user=world.users["coordinator"],
        kind="supply",
        title="新式茶饮产销对接会",
        held_on=HELD_ON,
        organiser_department=world.city_dept if organiser == "department" else None,
        organiser_town=world.towns[0] if organiser == "town" else None,
        enterprises=[world.a],
        held=True,
    )
    outcome = services.event_add_outcome(  # a held event's outcome waiting for its follow-up
        event=event, acting_user=world.users["coordinator"], kind="agreement", partner="超市", value="500000"
    )
    Event.objects.filter(pk=event.pk).update(state=state)
    event = Event.objects.select_related("organiser_department", "organiser_town", "chain").get(pk=event.pk)
    outcome = Outcome.objects.select_related("event").get(pk=outcome.pk)
    calls = _calls(event, outcome)
    assert set(calls) == set(lifecycle.EVENT_ACTIONS)
    for who, user in _users(world).items():
        allowed = {name for name, call in calls.items() if allows(call, user)}
        offered = set(lifecycle.offered(user, event))
        assert offered == allowed, (who, organiser, state, offered, allowed)
        assert _page_offers(client, user, event) == offered, (who, organiser, state)


def test_who_does_what_on_a_planned_and_a_held_event(world):
    event = services.event_create(
        acting_user=world.users["town_a"],
        kind="recruitment",
        title="长安镇春季招聘会",
        held_on=HELD_ON,
        organiser_town=world.towns[0],
    )
    planned = {who: set(lifecycle.offered(u, event)) for who, u in world.users.items()}
    assert planned["coordinator"] == planned["admin"] == planned["town_a"] == {"hold", "cancel"}
    for who in ("city_handler", "town_handler", "leader_a", "enterprise_a", "expert", "system"):
        assert planned[who] == set(), who
    services.event_hold(event=event, acting_user=world.users["town_a"], held_on=HELD_ON)
    event.refresh_from_db()
    assert set(lifecycle.offered(world.users["town_a"], event)) == {"outcome", "follow_up"}
