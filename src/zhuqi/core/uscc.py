"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6),
organisation code (9, GB 11714 body and check), and one check character over the first 17.
The character set is the digits and the capitals without I, O, Z, S, V.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class UsccProblem:
    code: str
    message: object  # lazy translation, rendered in the reader's language


def check_character(first17: str) -> str:
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def normalize(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def problem(raw: str) -> UsccProblem | None:
    """Why `raw` is not a valid code, or None when it is."""
    code = normalize(raw)
    if len(code) != 18:
        return UsccProblem(
            "uscc_length",
            Message(
                _("The unified social credit code must have 18 characters, not %(n)d."), {"n": len(code)}
            ),
        )
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return UsccProblem(
            "uscc_charset",
            Message(
                _("The unified social credit code contains characters not allowed by GB 32100: %(chars)s."),
                {"chars": " ".join(bad)},
            ),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccProblem(
            "uscc_check_digit",
            Message(
                _(
                    "The check character of the unified social credit code is wrong: it should be %(expected)s, not %(got)s."
                ),
                {"expected": expected, "got": code[17]},
            ),
        )
    return None


def is_valid(raw: str) -> bool:
    return problem(raw) is None


def make(division: str, org_body: str, authority: str = "9", kind: str = "1") -> str:
    """A valid code from its parts (demo data and tests)."""
    first17 = f"{authority}{kind}{division}{org_body}{org_check_character(org_body)}"
    return first17 + check_character(first17)
