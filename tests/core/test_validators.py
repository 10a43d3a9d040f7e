"""Digits are ASCII 0-9; full-width and other Unicode digits are refused wherever people type them,
and every indicator keeps to the range it declares."""

from decimal import Decimal

import pytest

from zhuqi.core import validators
from zhuqi.core.errors import ZhuqiError, bilingual
from zhuqi.directory import importers, indicators, industries, services
from zhuqi.directory.models import IndicatorValue, PeriodType

FULL_WIDTH = "６２２２０２１２３４５６７８９０"  # what a Chinese input method types in full-width mode
ARABIC_INDIC = "٦٢٢٢٠٢١٢٣٤٥٦"


@pytest.mark.parametrize("text", [FULL_WIDTH, ARABIC_INDIC, "6222²0212", "6222 0212", "", "-12345678"])
def test_only_ascii_digits_are_digits(text):
    assert FULL_WIDTH.isdigit() and ARABIC_INDIC.isdigit()  # what the old check trusted
    assert not validators.is_digits(text, 8, 32)


def test_ascii_digits_within_bounds_are_digits():
    assert validators.is_digits("62220212", 8, 32)
    assert not validators.is_digits("6222021", 8, 32)
    assert not validators.is_digits("6" * 33, 8, 32)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("123", Decimal(123)),
        ("-5.5", Decimal("-5.5")),
        ("1.2E+08", Decimal("1.2E+08")),
        (".5", Decimal("0.5")),
        ("１２３", None),
        ("٣", None),
        ("NaN", None),
        ("Infinity", None),
        ("1e99999", None),
        ("12abc", None),
        ("", None),
    ],
)
def test_decimal_text(text, expected):
    assert validators.parse_decimal(text) == expected


@pytest.mark.parametrize("phone", ["13800138000", "0769-22331234", "0769-2233 1234-801", "+86 138 0013 8000"])
def test_phone_numbers_people_write_are_accepted(phone):
    assert validators.phone_problem(phone) is None


@pytest.mark.parametrize(
    "phone", ["１３８００１３８０００", "1234", "13800138000 ext. 5", "=1+2", "1" * 21, "13800\x0038000"]
)
def test_other_phone_numbers_are_refused_in_both_languages(phone):
    message = bilingual(validators.phone_problem(phone))
    assert "0-9" in message["message"] and "0-9" in message["message_en"]
    assert message["message"] != message["message_en"]


def test_an_industry_code_with_full_width_digits_is_refused():
    assert industries.problem("C39") is None
    assert industries.problem("C３９") is not None


def test_a_period_with_full_width_digits_is_not_a_period():
    assert importers.parse_period("2024Q3") == (PeriodType.QUARTER, 2024, 3)
    assert importers.parse_period("２０２４") is None
    assert importers.parse_period("2024-０５") is None
    assert importers.parse_period("0000") is None and importers.parse_period("9999") is None


# --- Indicator ranges -----------------------------------------------------------------------


def test_every_indicator_declares_its_range():
    by_key = indicators.BY_KEY
    assert by_key["revenue"].problem(Decimal(-1)) is not None
    assert by_key["tax_paid"].problem(Decimal(-1)) is not None
    assert by_key["staff"].problem(Decimal(-1)) is not None
    assert by_key["total_profit"].problem(Decimal(-5_000_000)) is None  # a loss
    assert by_key["staff"].problem(Decimal("2.5")) is not None  # people are counted
    assert by_key["staff"].problem(Decimal(250)) is None
    assert by_key["revenue"].problem(Decimal("1e20")) is not None
    assert by_key["land_area"].problem(Decimal("12.5")) is None
    assert all(i.minimum <= 0 <= i.maximum for i in indicators.INDICATORS)


def test_the_import_check_refuses_out_of_range_values_with_a_bilingual_reason(world):
    user = world.users["coordinator"]
    content = (
        "统一社会信用代码,期间,营业收入,利润总额,从业人数\n"
        f"{world.a.uscc},2024,-100,-50,10\n"
        f"{world.a.uscc},2023,100,-50,10.5\n"
        f"{world.a.uscc},2022,１００,-50,10\n"
        f"{world.a.uscc},2021,100,-50,10\n"
    ).encode()
    batch = importers.import_check(kind="indicators", filename="x.csv", content=content, acting_user=user)
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors] == [
        (2, "营业收入", "out_of_range"),
        (3, "从业人数", "out_of_range"),
        (4, "营业收入", "not_a_number"),
    ]
    assert batch.errors[0]["message_en"].startswith("Revenue must be between 0 and ")
    assert batch.errors[0]["message"].startswith("营业收入")
    assert not IndicatorValue.objects.exists()
    importers.import_apply(batch=batch, acting_user=user, valid_only=True)
    assert IndicatorValue.objects.get(indicator="total_profit").value == Decimal(-50)


def test_the_service_refuses_an_out_of_range_value_and_writes_nothing(world):
    record = services.IndicatorRecord(
        world.a.pk, "revenue", PeriodType.YEAR, 2024, 1, Decimal(-1), "self", False
    )
    with pytest.raises(ZhuqiError) as exc:
        services.indicator_values_upsert(records=[record], acting_user=world.users["coordinator"])
    assert (exc.value.code, exc.value.status, exc.value.field) == ("out_of_range", 422, "value")
    assert not IndicatorValue.objects.exists()


def test_the_api_refuses_negative_revenue_and_fractional_staff(client, world):
    client.force_login(world.users["coordinator"])
    for indicator, value in (("revenue", "-1"), ("staff", "2.5"), ("tax_paid", "-0.01")):
        r = client.post(
            "/api/v1/indicators",
            [
                {
                    "uscc": world.a.uscc,
                    "indicator": indicator,
                    "period_type": "year",
                    "year": 2024,
                    "value": value,
                    "source": "self",
                }
            ],
            content_type="application/json",
        )
        assert r.status_code == 422, (indicator, r.content)
        body = r.json()
        assert body["code"] == "out_of_range" and body["message"] and body["message_en"]
    assert not IndicatorValue.objects.exists()
