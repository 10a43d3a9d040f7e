"""Where the packs' `tier:`, `tier_new:` and `fact:` facts come from (policies/facts.py calls these):
tier recognitions and tier facts as columns keyed by enterprise, read in one query each."""

from datetime import date
from decimal import Decimal

import polars as pl
from django.db.models import Q

from zhuqi.tiers.facts import BOOL, BY_KEY
from zhuqi.tiers.models import Recognition, TierFact

MONEY = pl.Decimal(38, 2)


def _span(year: int, day: date | None) -> tuple[date, date]:
    """The days a fact is read over: the whole year, or one day."""
    return (day, day) if day is not None else (date(year, 1, 1), date(year, 12, 31))


def _ids(qs, enterprise_ids):
    return qs if enterprise_ids is None else qs.filter(enterprise_id__in=list(enterprise_ids))


def column(name: str, origin: tuple, kind: str, year: int, day: date | None, enterprise_ids) -> pl.DataFrame:
    """(enterprise_id, name) for the enterprises that have a value; the others are filled by fill()."""
    source, what, window, _fixed = origin
    first, last = _span(year, day)
    if source in ("tier", "tier_new"):
        tier, level = what.split("/")
        qs = _ids(Recognition.objects.filter(tier=tier, revoked_on__isnull=True), enterprise_ids)
        if level:
            qs = qs.filter(level=level)
        if source == "tier":
            ids = (
                qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first), recognised_on__lte=last)
                .values_list("enterprise_id", flat=True)
                .distinct()
            )
            return pl.DataFrame(
                {"enterprise_id": list(ids), name: True}, schema={"enterprise_id": pl.Int64, name: pl.Boolean}
            )
        rows = {}
        for enterprise_id, recognised_on in qs.filter(recognised_on__lte=last).values_list(
            "enterprise_id", "recognised_on"
        ):
            rows[enterprise_id] = min(rows.get(enterprise_id, 9999), recognised_on.year)
        return pl.DataFrame(
            {"enterprise_id": list(rows), name: [Decimal(y) for y in rows.values()]},
            schema={"enterprise_id": pl.Int64, name: MONEY},
        )
    key = BY_KEY[what]
    qs = _ids(TierFact.objects.filter(key=what, as_of__lte=last), enterprise_ids)
    qs = qs.exclude(valid_until__lt=first)
    if window:
        qs = qs.filter(as_of__gte=date(year - window, 1, 1))
    newest: dict[int, tuple[date, Decimal]] = {}
    for enterprise_id, as_of, value in qs.values_list("enterprise_id", "as_of", "value"):
        if enterprise_id not in newest or as_of > newest[enterprise_id][0]:
            newest[enterprise_id] = (as_of, value)
    ids = list(newest)
    if key.type == BOOL:
        values = [v != 0 for _d, v in newest.values()]
        return pl.DataFrame(
            {"enterprise_id": ids, name: values}, schema={"enterprise_id": pl.Int64, name: pl.Boolean}
        )
    values = [Decimal(v).quantize(Decimal("0.01")) for _d, v in newest.values()]
    return pl.DataFrame({"enterprise_id": ids, name: values}, schema={"enterprise_id": pl.Int64, name: MONEY})


def fill(name: str, origin: tuple) -> pl.Expr:
    """The column with absences filled: a tier not held is false; an award or title the authorities'
    lists do not show is false; any other tier fact stays missing (a gap)."""
    source, what, *_rest = origin
    if source == "tier" or (source == "fact" and BY_KEY[what].absent_is_no):
        return pl.col(name).fill_null(False).alias(name)
    return pl.col(name)
