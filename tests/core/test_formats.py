"""One way to show each kind of value, per language (issue 13, item 6)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from zhuqi.core import formats

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_dates_in_chinese_and_english():
    assert formats.day(date(2026, 11, 25)) == "2026年11月25日"
    this_year = timezone.localdate().year
    assert formats.moment(datetime(this_year, 11, 25, 14, 30, tzinfo=SHANGHAI)) == "11月25日 14:30"
    assert formats.moment(datetime(2019, 1, 5, 9, 5, tzinfo=SHANGHAI)) == "2019年1月5日 09:05"
    # An aware UTC time shows in Shanghai time: 06:30 UTC is 14:30 there.
    assert formats.moment(datetime(2019, 1, 5, 6, 30, tzinfo=ZoneInfo("UTC"))) == "2019年1月5日 14:30"
    with translation.override("en"):
        assert formats.day(date(2026, 11, 25)) == "25 Nov 2026"
        assert formats.moment(datetime(2019, 1, 5, 9, 5, tzinfo=SHANGHAI)) == "5 Jan 2019 09:05"
    assert formats.day(None) == formats.moment(None) == "—"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (8000, "8,000元", "¥8,000"),
        (360000, "36万元", "¥360,000"),
        (Decimal("4929800"), "492.98万元", "¥4.93 million"),
        (120_000_000, "1.2亿元", "¥120 million"),
        (20_000_000, "2000万元", "¥20 million"),
        (Decimal("123456789012"), "1234.57亿元", "¥123,456.79 million"),
        (0, "0元", "¥0"),
        (None, "—", "—"),
    ],
)
def test_money_by_magnitude(value, zh, en):
    assert formats.money(value) == zh
    with translation.override("en"):
        assert formats.money(value) == en


def test_money_paid_is_exact_to_the_fen():
    assert formats.yuan(Decimal("1234567.8")) == "1,234,567.80元"
    assert formats.yuan(360000) == "360,000.00元"
    with translation.override("en"):
        assert formats.yuan(Decimal("0.05")) == "¥0.05"


def test_years_days_and_quantities():
    assert formats.year(2021) == formats.year(2021.0) == formats.year("2021") == "2021"
    assert formats.days(0) == "0" and formats.days(Decimal("2.50")) == "2.5" and formats.days(None) == "—"
    assert formats.amount(35.5, "mu") == "35.5亩" and formats.amount(1200, "person") == "1,200人"
    assert formats.amount(360000, "yuan") == "36万元"
    assert formats.amount(None, "yuan") == "—"  # never "None"


def test_the_template_filters_are_the_same_functions():
    rendered = Template("{% load zhuqi %}{{ d|day }} {{ m|money }} {{ y|year }} {{ n|days }}").render(
        Context({"d": date(2026, 11, 25), "m": 360000, "y": 2021, "n": 0})
    )
    assert rendered == "2026年11月25日 36万元 2021 0"
