"""Django's own form messages read as Chinese sentences: full-width punctuation, no 「确保该变量」."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from zhuqi.core.form_messages import DJANGO_MESSAGES

CJK = r"[\u4e00-\u9fff]"
HALF_WIDTH = re.compile(rf"{CJK}\s?[,.;:!?(]|[,;:)]\s?{CJK}|[：。]\s")


def _error(field, value):
    with translation.override("zh-hans"), pytest.raises(forms.ValidationError) as caught:
        field.clean(value)
    return caught.value.messages[0]


def test_too_long_and_too_short_text_say_how_many_characters():
    assert _error(forms.CharField(max_length=200), "x" * 500) == "不能超过200个字（现为500个）。"
    assert _error(forms.CharField(min_length=5), "xy") == "至少需要5个字（现为2个）。"


def test_numbers_and_choices_in_full_width_chinese():
    assert _error(forms.DecimalField(max_digits=5, decimal_places=2), Decimal("1.234")) == "小数不能超过2位。"
    assert (
        _error(forms.DecimalField(max_digits=4, decimal_places=2), Decimal("123.4"))
        == "整数部分不能超过2位。"
    )
    assert _error(forms.IntegerField(), "abc") == "请输入整数。"
    assert _error(forms.IntegerField(min_value=0), "-3") == "不能小于0。"  # was 确保该值大于或等于0。
    assert _error(forms.IntegerField(max_value=10), "11") == "不能大于10。"
    assert _error(forms.ChoiceField(choices=[("a", "A")]), "b") == "请选择有效的选项：b不在可选范围内。"
    assert _error(forms.DateField(), "2026-13-45") == "请输入有效的日期。"


def test_every_overridden_message_is_translated_without_half_width_punctuation():
    with translation.override("zh-hans"):
        for message in DJANGO_MESSAGES:
            if isinstance(message, str):  # gettext_noop: the msgid itself
                message = translation.gettext(message)
            text = str(message % {"limit_value": 2, "show_value": 3, "max": 2, "length": 3, "value": "b"})
            assert re.search(CJK, text) and not HALF_WIDTH.search(text), text
