"""What counts as a digit, a number or a phone number in what people type, by explicit character classes.

Python's own tests are too generous for data that leaves the platform: `str.isdigit()` is true for
"１２３" (full-width), "٣" (Arabic-Indic) and "²"; `int()`, `Decimal()` and the regular expression
`\\d` read the first two as numbers. A bank account or a phone number typed with full-width digits
would reach the finance bureau or the SMS gateway as characters they cannot use, so only ASCII 0-9
is a digit here, and anything else is refused with a message rather than converted.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message

DIGITS = re.compile(r"[0-9]+")
# A plain decimal as spreadsheets and people write it: sign, digits, a point, and an exponent
# (a CSV saved by Excel may hold 1.2E+08).
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
# Mainland mobiles (13800138000), landlines with area code and extension (0769-22331234-801),
# international forms (+86 138 0013 8000): ASCII digits, spaces, hyphens, parentheses, one leading +.
PHONE = re.compile(r"\+?[0-9()][0-9 ()\-]{4,18}[0-9]")
PHONE_MAX = 20


def is_digits(text: str, min_length: int = 1, max_length: int = 64) -> bool:
    """Only ASCII digits, between min_length and max_length of them."""
    return min_length <= len(text) <= max_length and DIGITS.fullmatch(text) is not None


def parse_decimal(text: str) -> Decimal | None:
    """A finite Decimal from ASCII text, or None (full-width digits, NaN, Infinity, words)."""
    text = text.strip()
    if not DECIMAL.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def phone_problem(text: str) -> Message | None:
    """Why this is not a phone number the SMS gateway or a person can dial, or None."""
    if not text:
        return None
    if len(text) > PHONE_MAX or not PHONE.fullmatch(text):
        return Message(
            _(
                "%(value)s is not a phone number: use ASCII digits 0-9 (with spaces, hyphens or a "
                "leading +), at most %(max)d characters."
            ),
            {"value": text[:40], "max": PHONE_MAX},
        )
    return None
