"""For every role, every step and every state of a pool membership and of a key list: what the pages
offer is exactly what the services allow. Each service is called for real in a savepoint rolled back
after it, and either succeeds or refuses with 403 (permission) or 409 (state)."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from tests.cultivation.helpers import firm
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.cultivation import keylists, lifecycle, services
from zhuqi.cultivation.models import KeyList, ListKind, ListState, Membership, MembershipState, PoolKind

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def _allows(call, user) -> bool:
    try:
        with transaction.atomic():
            call(user)
            raise RolledBack
    except RolledBack:
        return True
    except Forbidden:
        return False
    except Conflict as exc:
        assert exc.code == "invalid_transition", exc.code
        return False


MEMBER_CALLS = {
    "admit": lambda m, u: services.membership_admit(membership=m, acting_user=u, reason="核实"),
    "decline": lambda m, u: services.membership_decline(membership=m, acting_user=u, reason="不符合"),
    "exit": lambda m, u: services.membership_exit(membership=m, acting_user=u, reason="已升规"),
    "assign": lambda m, u: services.membership_assign(membership=m, acting_user=u),
    "help": lambda m, u: services.help_note_add(
        membership=m, acting_user=u, text="走访", helped_on=date(2026, 1, 5)
    ),
}


@pytest.mark.parametrize("kind", [PoolKind.UPSCALE, PoolKind.DROP])
@pytest.mark.parametrize("state", list(MembershipState))
def test_member_pages_offer_what_the_services_allow(client, world, state, kind):
    enterprise = firm(world.towns[0], run_rate=18_000_000)
    member = Membership.objects.create(kind=kind, year=2026, enterprise=enterprise, state=state)
    for name, user in world.users.items():
        for step, call in MEMBER_CALLS.items():
            member.refresh_from_db()
            offered_here = lifecycle.MEMBERSHIP_STEPS[step].allows(user, member)
            allowed = _allows(lambda u, c=call: c(Membership.objects.get(pk=member.pk), u), user)
            assert offered_here == allowed, (name, step, state, kind)
        member.refresh_from_db()
        client.force_login(user)
        page = client.get(reverse("cultivation:member", args=[member.pk]))
        offered = lifecycle.offered(lifecycle.MEMBERSHIP_STEPS, user, member)
        if page.status_code == 200:
            html = page.content.decode()
            for step in ("admit", "decline", "exit", "help"):
                url = reverse("cultivation:member_action", args=[member.pk, step])
                assert (url in html) == (step in offered), (name, step, state)
        else:
            assert page.status_code in (302, 404) and offered == [], (
                name,
                offered,
            )  # system clients do not sign in


LIST_CALLS = {
    "propose": lambda k, u: keylists.list_propose(key_list=k, acting_user=u),
    "edit_rule": lambda k, u: keylists.list_rule_edit(key_list=k, acting_user=u, changes={"min_revenue": 1}),
    "publish": lambda k, u: keylists.list_publish(key_list=k, acting_user=u),
}


@pytest.mark.parametrize("state", list(ListState))
def test_key_list_steps_agree(world, state):
    key_list = KeyList.objects.create(
        kind=ListKind.SCALE, year=2026, state=state, rule=keylists.default_rule("scale", 2026)
    )
    for name, user in world.users.items():
        for step, call in LIST_CALLS.items():
            key_list.refresh_from_db()
            offered_here = lifecycle.LIST_STEPS[step].allows(user, key_list)
            allowed = _allows(lambda u, c=call: c(KeyList.objects.get(pk=key_list.pk), u), user)
            assert offered_here == allowed, (name, step, state)
