"""For every role, every step and every state of an application and of a grant offer, and for the
coordinating office's runs and batches: what the pages offer is exactly what the services allow. Each
service is called for real in a savepoint rolled back after it, and either succeeds or refuses with
403 (permission) or 409 (state); anything else fails the test."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.agreement import allows
from zhuqi.policies import disbursement, grants, lifecycle, matching, services
from zhuqi.policies.models import Application, ApplicationState, DisbursementBatch, GrantOffer, OfferState

from .test_applications import apply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _page(client, user, url) -> str | None:
    client.force_login(user)
    response = client.get(url)
    return None if response.status_code == 404 else response.content.decode()


def _everyone(w):
    return w.users | {"other_handler": w.other_handler}


@pytest.mark.parametrize("state", list(ApplicationState))
def test_application_pages_offer_what_the_services_allow(client, policy_world, state):
    w = policy_world
    application = apply(w, "DB-3-2", {"consulting_fees": 1_000_000})
    Application.objects.filter(pk=application.pk).update(
        state=state, approved_amount=1 if state == ApplicationState.APPROVED else None
    )
    application = Application.objects.select_related("clause", "enterprise").get(pk=application.pk)
    calls = {
        "approve": lambda u: services.application_approve(application=application, amount=1, acting_user=u),
        "reject": lambda u: services.application_reject(
            application=application, reason="材料不全", acting_user=u
        ),
        "withdraw": lambda u: services.application_withdraw(application=application, acting_user=u),
        "attach": lambda u: services.application_attach(
            application=application,
            upload=SimpleUploadedFile("补充.pdf", b"%PDF-1.4\n%%EOF\n"),
            acting_user=u,
        ),
    }
    assert set(calls) == set(lifecycle.APPLICATION_STEPS)
    forms = {
        name: reverse("policies:application_action", args=[application.number, name])
        for name in ("approve", "reject", "withdraw")
    } | {"attach": reverse("policies:application_attach", args=[application.number])}
    url = reverse("policies:application_detail", args=[application.number])
    for who, user in _everyone(w).items():
        allowed = {name for name, call in calls.items() if allows(call, user)}
        assert set(lifecycle.offered(lifecycle.APPLICATION_STEPS, user, application)) == allowed, (who, state)
        page = _page(client, user, url) or ""
        assert {name for name, form in forms.items() if f'action="{form}"' in page} == allowed, (who, state)


@pytest.mark.parametrize("state", list(OfferState))
def test_offer_pages_offer_what_the_services_allow(client, policy_world, state):
    w = policy_world
    batch = DisbursementBatch.objects.create(number="FF202606300001", created_by=w.users["coordinator"])
    offer = GrantOffer.objects.create(
        number="MS2026001000001",
        enterprise=w.a,
        clause=w.clause("INNOV-RD"),
        year=2026,
        amount=1_000_000,
        state=state,
        # Confirmed before with another account: confirming again with a new one is not a retry.
        bank_name="" if state == OfferState.OFFERED else "东莞农村商业银行",
        account_number="" if state == OfferState.OFFERED else "80020000123456",
        batch=batch if state in (OfferState.BATCHED, OfferState.PAID) else None,
    )
    calls = {
        "confirm": lambda u: grants.offer_confirm(
            offer=offer,
            bank_name="中国工商银行东莞分行",
            account_name=w.a.name,
            account_number="6222021234567890123",
            acting_user=u,
        ),
        "cancel": lambda u: grants.offer_cancel(offer=offer, reason="数据有误", acting_user=u),
    }
    assert set(calls) == set(lifecycle.OFFER_STEPS)
    url = reverse("policies:offer_detail", args=[offer.number])
    for who, user in _everyone(w).items():
        allowed = {name for name, call in calls.items() if allows(call, user)}
        assert set(lifecycle.offered(lifecycle.OFFER_STEPS, user, offer)) == allowed, (who, state)
        page = _page(client, user, url) or ""
        shown = {"confirm"} if 'id="confirm"' in page else set()
        shown |= {"cancel"} if 'name="action" value="cancel"' in page else set()
        assert shown == allowed, (who, state)


def test_runs_and_batches_are_offered_to_whoever_may_make_them(client, policy_world):
    w = policy_world
    GrantOffer.objects.create(
        number="MS2026001000001",
        enterprise=w.a,
        clause=w.clause("INNOV-RD"),
        year=2026,
        amount=1_000_000,
        state=OfferState.CONFIRMED,
    )
    period = date(2026, 6, 30)
    for who, user in _everyone(w).items():
        runs = {
            "match": allows(lambda u: matching.match_run(period=period, acting_user=u), user),
            "offers": allows(lambda u: grants.offers_run(period=period, acting_user=u), user),
        }
        batch = allows(lambda u: disbursement.batch_create(acting_user=u), user)
        catalogue = _page(client, user, reverse("policies:catalogue"))
        offers = _page(client, user, reverse("policies:offer_list"))
        for what, allowed in runs.items():
            assert (reverse("policies:run", args=[what]) in catalogue) == allowed, (who, what)
        assert (reverse("policies:batch_create") in offers) == batch, who
