"""No-application grants (免申即享): offers on verified data, one-action confirmation, batch, payment."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from zhuqi.core import workdays
from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent, OutboxMessage
from zhuqi.directory.models import IndicatorValue
from zhuqi.policies import budgets, disbursement, grants, packs
from zhuqi.policies.disbursement import export_batch
from zhuqi.policies.models import GrantOffer, OfferState

from .conftest import tag

PERIOD = date(2026, 6, 30)


def confirm(w, offer, **changes):
    details = {
        "bank_name": "中国工商银行东莞分行",
        "account_name": w.a.name,
        "account_number": "6222 0212 3456 7890 123",
    }
    return grants.offer_confirm(offer=offer, acting_user=w.users["enterprise_a"], **(details | changes))


def test_offers_only_on_verified_data(policy_world):
    tag(policy_world.b, "瞪羚企业")  # b qualifies too, but its R&D figure is self-reported, unverified
    run = grants.offers_run(period=PERIOD, acting_user=policy_world.users["coordinator"])
    assert (run.created, run.unverified) == (1, 1)
    offer = GrantOffer.objects.get()
    assert offer.enterprise == policy_world.a
    assert offer.amount == Decimal("1000000.00")  # seed 001: 5 % of 20,000,000
    assert offer.facts["rd_expense_deductible_prev"] == "20000000.00"  # exact, as text in the JSON
    assert OutboxMessage.objects.filter(key__startswith=f"grant-offer-{offer.number}").exists()
    again = grants.offers_run(period=PERIOD, acting_user=policy_world.users["coordinator"])
    assert (again.created, again.already_offered) == (0, 1)
    IndicatorValue.objects.filter(enterprise=policy_world.b).update(verified=True)
    assert grants.offers_run(period=PERIOD).created == 1


def test_offers_stop_at_the_budget(policy_world):
    packs.clause_update(
        clause=policy_world.clause("INNOV-RD"),
        changes={"budget": 999999},
        acting_user=policy_world.users["coordinator"],
    )
    run = grants.offers_run(period=PERIOD)
    assert (run.created, run.over_budget) == (0, 1)


def test_confirmation_is_one_action_with_payment_due_in_two_working_days(policy_world):
    grants.offers_run(period=PERIOD)
    offer = confirm(policy_world, GrantOffer.objects.get())
    assert offer.state == OfferState.CONFIRMED
    assert offer.account_number == "6222021234567890123"
    assert offer.pay_due == workdays.add_working_days(offer.confirmed_at, 2)  # seed 001: 1–2 working days
    assert confirm(policy_world, offer).pk == offer.pk  # a retry changes nothing
    event = AuditEvent.objects.get(verb="grant_offer_confirm")
    assert event.data["account"] == "****0123"  # the audit trail does not spread the account number


@pytest.mark.parametrize(
    "changes,code",
    [
        ({"account_name": "别的公司"}, "account_name_mismatch"),
        ({"account_number": "12ab"}, "bad_account_number"),
        ({"bank_name": " "}, "bank_missing"),
    ],
)
def test_bad_account_details_are_refused_and_change_nothing(policy_world, changes, code):
    grants.offers_run(period=PERIOD)
    with pytest.raises(ZhuqiError) as exc:
        confirm(policy_world, GrantOffer.objects.get(), **changes)
    assert exc.value.code == code and exc.value.status == 422
    assert GrantOffer.objects.get().state == OfferState.OFFERED


def test_another_enterprise_cannot_confirm(policy_world):
    grants.offers_run(period=PERIOD)
    with pytest.raises(Forbidden):
        grants.offer_confirm(
            offer=GrantOffer.objects.get(),
            bank_name="x",
            account_name=policy_world.b.name,
            account_number="12345678",
            acting_user=policy_world.users["enterprise_b"],
        )


def test_batch_export_and_payment(policy_world):
    coordinator = policy_world.users["coordinator"]
    grants.offers_run(period=PERIOD)
    with pytest.raises(Conflict):
        disbursement.batch_create(acting_user=coordinator)  # nothing confirmed yet
    confirm(policy_world, GrantOffer.objects.get())
    batch = disbursement.batch_create(acting_user=coordinator)
    assert batch.total == Decimal("1000000.00")
    sheet = load_workbook(BytesIO(export_batch(batch))).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header[3:5] == ["企业名称", "统一社会信用代码"]
    assert row[3:5] == [policy_world.a.name, policy_world.a.uscc]
    assert row[7] == 1_000_000 and row[10] == "6222021234567890123"
    disbursement.batch_mark_paid(batch=batch, acting_user=coordinator)
    offer = GrantOffer.objects.get()
    assert offer.state == OfferState.PAID and offer.paid_at is not None
    assert OutboxMessage.objects.filter(key__startswith=f"grant-offer-paid-{offer.pk}").exists()
    disbursement.batch_mark_paid(batch=batch, acting_user=coordinator)  # a retry changes nothing
    assert AuditEvent.objects.filter(verb="disbursement_batch_paid").count() == 1


def test_a_cancelled_offer_returns_its_amount_to_the_budget(policy_world):
    grants.offers_run(period=PERIOD)
    offer = GrantOffer.objects.get()
    with pytest.raises(ZhuqiError):
        grants.offer_cancel(offer=offer, reason="", acting_user=policy_world.users["coordinator"])
    grants.offer_cancel(offer=offer, reason="研发费用数据更正", acting_user=policy_world.users["coordinator"])
    assert budgets.committed(policy_world.clause("INNOV-RD"), 2026) == 0
