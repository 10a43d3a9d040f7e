"""For every role and every state of a programme application: the buttons the page offers are exactly
the steps the services allow. Each service is called for real in a savepoint rolled back after it,
and either succeeds or refuses with 403 (permission) or 409 (state); anything else fails the test."""

import pytest
from django.urls import reverse

from tests.agreement import allows
from zhuqi.programs import lifecycle, services
from zhuqi.programs.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", list(Application.State))
def test_pages_offer_what_the_services_allow(client, sel, state):
    w = sel
    application = w.apply(w.a)
    Application.objects.filter(pk=application.pk).update(state=state)
    application = Application.objects.select_related("round__programme", "enterprise").get(pk=application.pk)
    calls = {
        "withdraw": lambda u: services.application_withdraw(application=application, acting_user=u),
        "refuse": lambda u: services.application_refuse(
            application=application, reason="材料不实", acting_user=u
        ),
        "readmit": lambda u: services.application_readmit(
            application=application, reason="委员会同意", acting_user=u
        ),
    }
    assert set(calls) == set(lifecycle.BUTTONS)
    url = reverse("programs:application_detail", args=[application.number])
    for who, user in w.users.items():
        allowed = {name for name, call in calls.items() if allows(call, user)}
        assert set(lifecycle.offered(user, application)) == allowed, (who, state)
        client.force_login(user)
        response = client.get(url)
        page = response.content.decode() if response.status_code == 200 else ""
        shown = {
            n
            for n in calls
            if f'action="{reverse("programs:application_action", args=[application.number, n])}"' in page
        }
        assert shown == allowed, (who, state)
