from datetime import date

import pytest

from zhuqi.core.errors import ZhuqiError
from zhuqi.policies import grants
from zhuqi.policies.models import GrantOffer, OfferState

FULL_WIDTH = "６２２２０２１２３４５６７８９０"  # what a Chinese input method types in full-width mode


@pytest.mark.parametrize("number", [FULL_WIDTH, "٦٢٢٢٠٢١٢٣٤٥٦", "62220212345²"])
def test_a_receiving_account_in_non_ascii_digits_is_refused(policy_world, number):
    grants.offers_run(period=date(2026, 6, 30))
    offer = GrantOffer.objects.get()
    with pytest.raises(ZhuqiError) as exc:
        grants.offer_confirm(
            offer=offer,
            bank_name="中国工商银行东莞分行",
            account_name=policy_world.a.name,
            account_number=number,
            acting_user=policy_world.users["enterprise_a"],
        )
    assert (exc.value.code, exc.value.status, exc.value.field) == (
        "bad_account_number",
        422,
        "account_number",
    )
    offer.refresh_from_db()
    assert offer.state == OfferState.OFFERED and offer.account_number == ""
