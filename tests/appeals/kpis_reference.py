"""The KPIs as computed before issue 16 (rows into Polars, a day-by-day working-day loop): the reference the
SQL path in zhuqi.appeals.kpis is checked against (tests/appeals/test_kpis_sql.py)."""

from datetime import date

import polars as pl
from django.utils import timezone

from zhuqi.appeals.models import CloseReason, Rating, State
from zhuqi.core import workdays

GROUPS = {"department": "department", "town": "town", "category": "category", "month": "month", "all": None}


def frame(appeals) -> pl.DataFrame:
    rows = appeals.exclude(state__in=[State.WITHDRAWN, State.MERGED]).values_list(
        "department__short_name",
        "department__name",
        "enterprise__town__name",
        "category__parent__name",
        "category__name",
        "created_at",
        "closed_at",
        "state",
        "rating",
        "close_reason",
        "on_time",
        "reopen_count",
        "replied_at",
    )
    calendar = workdays.exceptions()
    data = []
    for (
        short,
        dept,
        town,
        parent,
        cat,
        created,
        closed,
        state,
        rating,
        reason,
        on_time,
        reopens,
        replied,
    ) in rows:
        data.append(
            {
                "department": short or dept or "—",
                "town": town,
                "category": parent or cat,
                "month": timezone.localtime(created).strftime("%Y-%m"),
                "closed": state == State.CLOSED,
                "on_time": bool(state == State.CLOSED and on_time),
                "rated": reason == CloseReason.RATED,
                "satisfied": reason == CloseReason.RATED and rating in (Rating.SATISFIED, Rating.BASIC),
                "reopened": reopens > 0,
                "replied": replied is not None,
                "handling_days": workdays.working_days_between(created, closed, calendar)
                if closed and state == State.CLOSED
                else None,
            }
        )
    schema = {
        "department": pl.Utf8,
        "town": pl.Utf8,
        "category": pl.Utf8,
        "month": pl.Utf8,
        "closed": pl.Boolean,
        "on_time": pl.Boolean,
        "rated": pl.Boolean,
        "satisfied": pl.Boolean,
        "reopened": pl.Boolean,
        "replied": pl.Boolean,
        "handling_days": pl.Int64,
    }
    return pl.DataFrame(data, schema=schema)


def _ratio(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def compute(appeals, by: str = "all", *, start: date | None = None, end: date | None = None) -> list[dict]:
    if start:
        appeals = appeals.filter(created_at__date__gte=start)
    if end:
        appeals = appeals.filter(created_at__date__lte=end)
    df = frame(appeals)
    key = GROUPS[by]
    aggs = [
        pl.len().alias("count"),
        pl.col("closed").sum().alias("closed"),
        pl.col("on_time").sum().alias("on_time"),
        pl.col("rated").sum().alias("rated"),
        pl.col("satisfied").sum().alias("satisfied"),
        pl.col("reopened").sum().alias("reopened"),
        pl.col("replied").sum().alias("replied"),
        pl.col("handling_days").median().alias("median_handling_days"),
    ]
    grouped = df.group_by(key).agg(aggs) if key else df.select(aggs)
    result = grouped.with_columns(
        _ratio("closed", "count").alias("resolution_rate"),
        _ratio("on_time", "closed").alias("on_time_rate"),
        _ratio("satisfied", "rated").alias("satisfaction_rate"),
        _ratio("reopened", "replied").alias("reopen_rate"),
    )
    if key:
        result = result.sort(["resolution_rate", "count"], descending=[True, True], nulls_last=True).rename(
            {key: "group"}
        )
    else:
        result = result.with_columns(pl.lit("all").alias("group"))
    return result.to_dicts()
