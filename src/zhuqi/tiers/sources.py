"""Where the packs' `tier:`, `tier_new:` and `fact:` facts come from (policies/facts.py calls these):
tier recognitions and tier facts as columns keyed by enterprise, read in one query each."""

from datetime import date
from decimal import Decimal

import polars as pl
from django.db import connection
from django.db.models import Q

from zhuqi.tiers.facts import BOOL, BY_KEY
from zhuqi.tiers.models import Recognition, TierFact

MONEY = pl.Decimal(38, 2)


def _span(year: int, day: date | None) -> tuple[date, date]:
    """The days a fact is read over: the whole year, or one day."""
    return (day, day) if day is not None else (date(year, 1, 1), date(year, 12, 31))


def _ids(qs, enterprise_ids):
    from zhuqi.policies.facts import ids_lookup

    return qs if enterprise_ids is None else qs.filter(**ids_lookup(enterprise_ids))


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
    newest = _newest(what, first, last, date(year - window, 1, 1) if window else None, enterprise_ids)
    if key.type == BOOL:
        return newest.select("enterprise_id", (pl.col("value") != 0).alias(name))
    return newest.select("enterprise_id", pl.col("value").alias(name))


def _newest(key: str, first: date, last: date, since: date | None, enterprise_ids) -> pl.DataFrame:
    """(enterprise_id, value): per enterprise the newest value of one key dated on or before `last`
    (and on or after `since`), valid on `first`, picked in SQL — streamed with COPY on PostgreSQL
    (policies/facts._copy_frame), a window function on SQLite."""
    from zhuqi.policies.facts import _copy_frame, _exact, _ids_clause, _query

    table = TierFact._meta.db_table
    where, ids = _ids_clause("enterprise_id", enterprise_ids)
    chosen = (
        f"FROM {table} WHERE key = %s AND as_of <= %s AND (valid_until IS NULL OR valid_until >= %s)"
        + (" AND as_of >= %s" if since else "")
        + where
    )
    params: list = [key, last, first, *([since] if since else []), *ids]
    schema = {"enterprise_id": pl.Int64, "value": MONEY}
    if connection.vendor == "postgresql":
        sql = f"SELECT DISTINCT ON (enterprise_id) enterprise_id, value {chosen} ORDER BY enterprise_id, as_of DESC"
        return _copy_frame(sql, params, schema)
    rows = _query(
        f"SELECT enterprise_id, value FROM (SELECT enterprise_id, value, ROW_NUMBER() OVER "
        f"(PARTITION BY enterprise_id ORDER BY as_of DESC) AS n {chosen}) WHERE n = 1",
        params,
    )
    return pl.DataFrame([(e, _exact(v)) for e, v in rows], schema=schema, orient="row")


def fill(name: str, origin: tuple) -> pl.Expr:
    """The column with absences filled: a tier not held is false; an award or title the authorities'
    lists do not show is false; any other tier fact stays missing (a gap)."""
    source, what, *_rest = origin
    if source == "tier" or (source == "fact" and BY_KEY[what].absent_is_no):
        return pl.col(name).fill_null(False).alias(name)
    return pl.col(name)
