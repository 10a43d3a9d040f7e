"""A contact phone is ASCII digits: full-width digits are refused on every way in, before anything
is written."""

import pytest

from tests.appeals.test_ledger_import import HEADER
from tests.directory.test_importers import xlsx
from zhuqi.accounts import services as account_services
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal
from zhuqi.core.errors import ZhuqiError
from zhuqi.directory import importers

FULL_WIDTH_PHONE = "１３９００００００００"


def test_the_service_refuses_a_full_width_contact_phone(loop):
    with pytest.raises(ZhuqiError) as exc:
        services.appeal_submit(
            enterprise=loop.a,
            title="贷款贴息未到账",
            description="2025年贴息资金至今未到账。",
            category=loop.cats.loan,
            acting_user=loop.users["enterprise_a"],
            contact_phone=FULL_WIDTH_PHONE,
        )
    assert (exc.value.code, exc.value.status, exc.value.field) == ("bad_phone", 422, "contact_phone")
    assert not Appeal.objects.exists()


def test_the_api_refuses_a_full_width_contact_phone(client, loop):
    client.force_login(loop.users["enterprise_a"])
    r = client.post(
        "/api/v1/appeals",
        {
            "enterprise_uscc": loop.a.uscc,
            "title": "贷款贴息未到账",
            "description": "2025年贴息资金至今未到账。",
            "category_code": loop.cats.loan.code,
            "contact_phone": FULL_WIDTH_PHONE,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] in ("bad_phone", "invalid_input")
    assert not Appeal.objects.exists()


def test_the_ledger_import_reports_a_bad_phone_as_a_row_error(loop):
    row = [loop.a.uscc, "贷款贴息未到账", "至今未到账。", "融资 › 贷款与贴息", "一般", "是", "王经理"]
    rows = [
        HEADER,
        [*row, FULL_WIDTH_PHONE, "CA-001"],
        [*row, "1" * 30, "CA-002"],
        [*row, "0769-22331234", "CA-003"],
    ]
    batch = importers.import_check(
        kind="appeals", filename="台账.xlsx", content=xlsx(rows), acting_user=loop.users["coordinator"]
    )
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors] == [
        (2, "联系电话", "bad_phone"),
        (3, "联系电话", "bad_phone"),
    ]
    importers.import_apply(batch=batch, acting_user=loop.users["coordinator"], valid_only=True)
    assert list(Appeal.objects.values_list("contact_phone", flat=True)) == ["0769-22331234"]


def test_a_user_mobile_in_full_width_digits_is_refused(db):
    with pytest.raises(ZhuqiError) as exc:
        account_services.user_create(
            username="someone",
            password="x",
            role="coordinator",
            mobile=FULL_WIDTH_PHONE,
            check_password=False,
        )
    assert exc.value.field == "mobile"
