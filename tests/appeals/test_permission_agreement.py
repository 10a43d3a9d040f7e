"""For every role, every action and every state: the buttons the appeal page offers are exactly the
actions the services allow. Each service is called for real, in a savepoint rolled back after it, and
either succeeds or refuses with 403 (permission) or 409 (transition); anything else fails the test."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from tests.appeals.test_lifecycle import submit
from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals import lifecycle, services
from zhuqi.appeals.models import Appeal, State
from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Forbidden

pytestmark = pytest.mark.django_db
REFUSALS = {"invalid_transition", "appeal_final"}  # the 409s of a state that does not allow the action


class RolledBack(Exception):
    pass


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _calls(w, appeal, other):
    """Each action's service with valid arguments: only the state and the actor can refuse it."""
    fn = services.PERFORMERS
    return {
        "dispatch": lambda u: fn["dispatch"](
            appeal=appeal, department=w.town_dept, acting_user=u, comment="派"
        ),
        "accept": lambda u: fn["accept"](appeal=appeal, acting_user=u),
        "return": lambda u: fn["return"](appeal=appeal, acting_user=u, comment="非本局职能"),
        "transfer": lambda u: fn["transfer"](
            appeal=appeal, department=w.town_dept, acting_user=u, comment="转"
        ),
        "progress": lambda u: fn["progress"](appeal=appeal, acting_user=u, comment="已联系"),
        "reply": lambda u: fn["reply"](appeal=appeal, acting_user=u, reply="已办结"),
        "rate": lambda u: fn["rate"](appeal=appeal, acting_user=u, rating="satisfied"),
        "escalate": lambda u: fn["escalate"](appeal=appeal, acting_user=u, comment="上会"),
        "decide": lambda u: fn["decide"](
            appeal=appeal, acting_user=u, decision="由工信局牵头", owner=w.city_dept
        ),
        "withdraw": lambda u: fn["withdraw"](appeal=appeal, acting_user=u),
        "merge": lambda u: fn["merge"](appeal=appeal, into=other, acting_user=u),
        "instruct": lambda u: fn["instruct"](appeal=appeal, acting_user=u, instruction="请本周办结"),
        "follow-up": lambda u: fn["follow-up"](appeal=appeal, acting_user=u, note="企业表示满意"),
        "attach": lambda u: services.appeal_attach(
            appeal=appeal, acting_user=u, upload=SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n%%EOF\n")
        ),
    }


def _service_allows(call, user) -> bool:
    try:
        with transaction.atomic():
            call(user)
            raise RolledBack
    except RolledBack:
        return True
    except Forbidden:
        return False
    except Conflict as exc:
        assert exc.code in REFUSALS, exc.code
        return False


def _page_offers(client, user, appeal) -> tuple[set[str], bool]:
    client.force_login(user)
    response = client.get(reverse("appeals:appeal_detail", args=[appeal.number]))
    if response.status_code == 404:  # out of the user's scope: nothing offered
        return set(), False
    page = response.content.decode()
    buttons = set(re.findall(r'<button type="submit" data-action="([^"]+)"', page))  # one form each
    return buttons, reverse("appeals:appeal_attach", args=[appeal.number]) in page


@pytest.mark.parametrize("state", list(State))
def test_buttons_offered_are_what_the_services_allow(client, loop, state, settings):
    w = loop
    # The principal leader (市主要领导, seed 000 四(五)6) is a leader named in the configuration: it
    # may instruct on an appeal of an enterprise it is not liaison for; another leader may not.
    settings.ZHUQI_PRINCIPAL_LEADER = "mayor"
    principal = UserFactory(username="mayor", role=Role.LEADER)
    appeal = submit(w)
    other = submit(w, title="另一件诉求：用电报装")
    # Recorded on a visit by the town officer: whoever submitted an appeal may add files to it.
    Appeal.objects.filter(pk=appeal.pk).update(
        state=state,
        submitted_by=w.users["town_a"],
        department=None if state == State.SUBMITTED else w.city_dept,
    )
    appeal = Appeal.objects.select_related("enterprise", "department").get(pk=appeal.pk)
    calls = _calls(w, appeal, other)
    assert set(calls) == {
        a.name for a in lifecycle.ACTIONS.values() if a.permission is not permissions.NOBODY
    }
    users = w.users | {"department_head": w.head, "principal_leader": principal}
    for who, user in users.items():
        allowed = {name for name, call in calls.items() if _service_allows(call, user)}
        offered = set(lifecycle.offered(user, appeal))
        on_page, attach_form = _page_offers(client, user, appeal)
        assert offered == allowed - {"attach"}, (who, state)
        assert lifecycle.ATTACH.allows(user, appeal) == ("attach" in allowed), (who, state)
        assert on_page == offered, (who, state)
        assert attach_form == ("attach" in allowed), (who, state)
        if state in lifecycle.OPEN_STATES and who == "principal_leader":
            assert offered == {"instruct"}, offered


def test_the_platform_alone_closes_unrated_replies(loop):
    w = loop
    appeal = submit(w)
    Appeal.objects.filter(pk=appeal.pk).update(state=State.REPLIED)
    entry = lifecycle.TRANSITIONS["close_unrated"]
    assert entry.button is None
    for user in w.users.values():
        with pytest.raises(Forbidden):
            services._locked(appeal, "close_unrated", acting_user=user)
    assert services._locked(appeal, "close_unrated").state == State.REPLIED  # the sweep: no user
