"""One way to show each kind of value, in the language of the page (issue 13, item 6).

Chinese readers expect 2026年11月25日, 11月25日 14:30 in lists, amounts read in 万元 and 亿元 (36万元,
1.2亿元) and exact 元 to the fen where money is paid; the English UI keeps English formats
(25 Nov 2026, ¥360,000). Templates use these through the filters of `web/templatetags/zhuqi.py`;
Python code that writes sentences (the explanation of a rule) calls them directly.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext_noop

EMPTY = "—"
# Django ends every form label with gettext(":"); the catalogue makes it full-width (「项目：」). Named
# here so that makemessages keeps the entry.
LABEL_SUFFIX = gettext_noop(":")
WAN, YI = Decimal(10_000), Decimal(100_000_000)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _trim(number: Decimal, places: int, grouped: bool = True) -> str:
    """At most `places` decimals, no trailing zeros, thousands separated: 492.98, 36, 1,200.5
    (not grouped: 2000, as 2000万元 is written)."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:{',' if grouped else ''}.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _local(value):
    if isinstance(value, datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def day(value) -> str:
    """A date: 2026年11月25日 / 25 Nov 2026."""
    value = _local(value)
    if not isinstance(value, date):
        return EMPTY
    if chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def moment(value) -> str:
    """A time in a list: 11月25日 14:30 this year, 2025年11月25日 14:30 another; 25 Nov 14:30."""
    value = _local(value)
    if not isinstance(value, datetime):
        return day(value)
    this_year = value.year == timezone.localdate().year
    clock = f"{value:%H:%M}"
    if chinese():
        return f"{'' if this_year else f'{value.year}年'}{value.month}月{value.day}日 {clock}"
    return f"{value.day} {MONTHS_EN[value.month - 1]}{'' if this_year else f' {value.year}'} {clock}"


def yuan(value) -> str:
    """An exact amount, to the fen, where money is paid: 1,234,567.80元 / ¥1,234,567.80."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    text = f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return f"{text}元" if chinese() else f"¥{text}"


def money(value) -> str:
    """An amount read by its magnitude: 8,000元, 36万元, 2000万元, 1.2亿元 / ¥8,000, ¥360,000,
    ¥4.93 million, ¥120 million."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    size = abs(number)
    if chinese():
        if size >= YI:
            return f"{_trim(number / YI, 2, grouped=False)}亿元"
        if size >= WAN:
            return f"{_trim(number / WAN, 2, grouped=False)}万元"
        return f"{_trim(number, 2)}元"
    if size >= 1_000_000:
        return f"¥{_trim(number / 1_000_000, 2)} million"
    return f"¥{_trim(number, 2)}"


def amount(value, unit: str = "") -> str:
    """A quantity with its unit: money by magnitude, counts and areas with separators, no "None"."""
    if unit == "yuan":
        return money(value)
    number = _decimal(value)
    if number is None:
        return EMPTY
    text = _trim(number, 2)
    names = {"person": ("人", " persons"), "mu": ("亩", " mu"), "item": ("项", " items")}
    zh, en = names.get(unit, ("", f" {unit}" if unit else ""))
    return f"{text}{zh}" if chinese() else f"{text}{en}"


def enumeration(items) -> str:
    """Items named in a sentence: 季度通报、月度分析 / Quarterly, Monthly."""
    return ("、" if chinese() else ", ").join(str(item) for item in items)


def year(value) -> str:
    """A year as people write it: 2021, never 2,021."""
    number = _decimal(value)
    return EMPTY if number is None else str(int(number))


def days(value) -> str:
    """A number of days: 0 is 0, only a missing value is —."""
    number = _decimal(value)
    return EMPTY if number is None else _trim(number, 1)


def about(value) -> str:
    """An estimated number of rows, read by its magnitude: 约12.3万, 约1.05亿, 约8,600 / about
    123,000 (three significant digits: an estimate claims no more)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    if chinese():
        if number >= YI:
            return f"约{_trim(number / YI, 2, grouped=False)}亿"
        if number >= WAN:
            return f"约{_trim(number / WAN, 1, grouped=False)}万"
        return f"约{_trim(number, 0)}"
    rounded = int(number) if number < 1000 else int(float(f"{number:.3g}"))
    return f"about {rounded:,}"
