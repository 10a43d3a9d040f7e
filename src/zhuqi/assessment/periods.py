"""Reporting periods as people write them: 2026Q3 (a quarter), 2026H1 (a half year), 2026M10 or
2026-10 (a month), 2026 (a year)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, ZhuqiError

PATTERN = re.compile(r"^(\d{4})(?:(Q)([1-4])|(H)([12])|(?:M|-)(0?[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    code: str  # canonical: 2026Q3, 2026H1, 2026M10, 2026
    kind: str  # quarter, half, month, year
    year: int
    number: int
    start: date
    end: date

    @property
    def label(self) -> str:
        """The period as a Chinese document names it: 2026年第三季度, 2026年上半年, 2026年10月."""
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        if self.kind == "half":
            return f"{self.year}年{'上下'[self.number - 1]}半年"
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        return f"{self.year}年"

    def months(self) -> range:
        return range(self.start.month, self.end.month + 1)


def parse(text: str) -> Period:
    found = PATTERN.match((text or "").strip().upper())
    year = int(found.group(1)) if found else 0
    if not found or not 2000 <= year <= 2100:
        raise ZhuqiError(
            "bad_period",
            Message(
                _("Write the period as 2026Q3, 2026H1, 2026M10 or 2026 (not %(text)s)."), {"text": text[:20]}
            ),
            status=422,
            field="period",
        )
    if found.group(2):
        q = int(found.group(3))
        first, last, kind, number = 3 * q - 2, 3 * q, "quarter", q
    elif found.group(4):
        h = int(found.group(5))
        first, last, kind, number = 6 * h - 5, 6 * h, "half", h
    elif found.group(6):
        m = int(found.group(6))
        first, last, kind, number = m, m, "month", m
    else:
        first, last, kind, number = 1, 12, "year", 1
    code = {"quarter": f"{year}Q{number}", "half": f"{year}H{number}", "month": f"{year}M{number}"}
    return Period(
        code=code.get(kind, str(year)),
        kind=kind,
        year=year,
        number=number,
        start=date(year, first, 1),
        end=date(year, last, calendar.monthrange(year, last)[1]),
    )


KIND_LABELS = {"quarter": _("Quarters"), "half": _("Half-years"), "month": _("Months")}
OFFERED = {"quarter": 6, "half": 4, "month": 12}  # how many of each kind a form offers, newest first


def recent(kinds: tuple[str, ...], today: date) -> list[tuple[object, list[tuple[str, str]]]]:
    """The periods a form offers to choose from instead of a code to type: for each kind, the one in
    progress on `today` and those before it, newest first, as (group label, [(code, 2026年第三季度)])."""
    groups = []
    for kind in kinds:
        per_year = {"quarter": 4, "half": 2, "month": 12}[kind]
        span = 12 // per_year
        index = today.year * per_year + (today.month - 1) // span  # periods since year 0
        found = []
        for back in range(OFFERED[kind]):
            year, number = divmod(index - back, per_year)
            code = f"{year}{ {'quarter': 'Q', 'half': 'H', 'month': 'M'}[kind] }{number + 1}"
            found.append((code, parse(code).label))
        groups.append((KIND_LABELS[kind], found))
    return groups
