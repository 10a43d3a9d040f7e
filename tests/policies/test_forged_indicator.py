"""Issue 15, finding 1: the 12345 hotline's token posted tax data marked verified and the next
免申即享 run offered ¥10,000,000 on it. The hotline's token holds appeal scopes only; a feed token
writes as its feed and never verifies; so no offer is made on forged data."""

from datetime import date

import pytest

from zhuqi.accounts import services as account_services
from zhuqi.core.scopes import HOTLINE, Scope
from zhuqi.directory.models import IndicatorValue
from zhuqi.policies import grants
from zhuqi.policies.models import GrantOffer

from .conftest import tag

pytestmark = pytest.mark.django_db
PERIOD = date(2026, 6, 30)


def forge(client, world, raw, **item):
    """200,000,000 of 2025 R&D expense for enterprise b (a gazelle): 5 % would be ¥10,000,000."""
    body = [
        {
            "uscc": world.b.uscc,
            "indicator": "rd_expense",
            "year": 2025,
            "value": "200000000",
            "source": "tax",
            "verified": True,
            **item,
        }
    ]
    return client.post(
        "/api/v1/indicators", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_the_hotline_token_cannot_write_verified_tax_data_and_no_offer_is_made(client, policy_world):
    w = policy_world
    tag(w.b, "瞪羚企业")
    _token, raw = account_services.api_token_create(user=w.users["system"], name="12345", scopes=HOTLINE)
    response = forge(client, w, raw)
    assert response.status_code == 403 and response.json()["code"] == "token_scope_missing"
    assert not IndicatorValue.objects.filter(enterprise=w.b, source="tax").exists()
    grants.offers_run(period=PERIOD, acting_user=w.users["coordinator"])
    assert not GrantOffer.objects.filter(enterprise=w.b).exists()


def test_the_tax_feed_writes_tax_data_unverified_and_no_offer_is_made(client, policy_world):
    w = policy_world
    tag(w.b, "瞪羚企业")
    _token, raw = account_services.api_token_create(
        user=w.users["system"], name="tax", scopes=[Scope.INDICATORS_WRITE_TAX]
    )
    assert forge(client, w, raw).status_code == 403  # verified: only a person verifies
    assert forge(client, w, raw, verified=False).status_code == 200
    value = IndicatorValue.objects.get(enterprise=w.b, source="tax")
    assert not value.verified
    run = grants.offers_run(period=PERIOD, acting_user=w.users["coordinator"])
    assert not GrantOffer.objects.filter(enterprise=w.b).exists() and run.unverified >= 1
