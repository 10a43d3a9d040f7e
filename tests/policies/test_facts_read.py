"""The indicators read for the facts table (policies/facts._indicators) picks, in SQL, the value that
figures.best_values picks in Polars from every row: compared on a random world with ties of source
and verification (run on SQLite and on PostgreSQL)."""

import random
from decimal import Decimal

import polars as pl
import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory
from zhuqi.directory import figures
from zhuqi.directory.models import IndicatorValue
from zhuqi.policies import facts

pytestmark = pytest.mark.django_db

KEYS = ("revenue", "rd_expense", "city_retained_tax")
YEARS = (2023, 2024, 2025)


def reference(needed, enterprise_ids) -> pl.DataFrame:
    """The read as it was: every row as Python values, then figures.best_values."""
    rows = IndicatorValue.objects.filter(
        period_type="year", indicator__in=[k for k, _y in needed], year__in=[y for _k, y in needed]
    )
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=list(enterprise_ids))
    frame = pl.DataFrame(
        [
            (e, y, i, facts._exact(v), s, ok)
            for e, y, i, v, s, ok in rows.values_list(
                "enterprise_id", "year", "indicator", "value", "source", "verified"
            )
        ],
        schema={
            "enterprise_id": pl.Int64,
            "year": pl.Int64,
            "indicator": pl.String,
            "value": facts.MONEY,
            "source": pl.String,
            "verified": pl.Boolean,
        },
        orient="row",
    )
    wanted = pl.Series([f"{k}@{y}" for k, y in sorted(needed)])
    return (
        figures.best_values(frame)
        .with_columns(pl.format("{}@{}", "indicator", "year").alias("key"))
        .filter(pl.col("key").is_in(wanted.implode()))
        .select("enterprise_id", "key", "value", "verified")
    )


def same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    order = ["enterprise_id", "key"]
    assert a.sort(order).to_dicts() == b.sort(order).to_dicts()


def test_the_sql_read_picks_what_best_values_picks():
    rng = random.Random(16)
    enterprises = [EnterpriseFactory() for _ in range(12)]
    for e in enterprises:
        for key in KEYS:
            for year in YEARS:
                # 0–3 sources, each verified or not: ties of verification between sources, and of
                # source order under verification.
                for source in rng.sample(["tax", "stats", "self"], rng.randint(0, 3)):
                    IndicatorValueFactory(
                        enterprise=e,
                        indicator=key,
                        year=year,
                        source=source,
                        verified=rng.random() < 0.5,
                        value=Decimal(rng.randint(-(10**6), 10**12)) / 100,
                    )
    # A quarterly value is no annual one.
    IndicatorValueFactory(enterprise=enterprises[0], period_type="quarter", year=2025, value=1, source="tax")
    needed = {("revenue", 2025), ("revenue", 2024), ("rd_expense", 2024), ("city_retained_tax", 2023)}
    got = facts._indicators(needed, None)
    assert got.height > 20  # the world has values to choose among
    assert got.schema == {
        "enterprise_id": pl.Int64,
        "key": pl.String,
        "value": facts.MONEY,
        "verified": pl.Boolean,
    }
    same(got, reference(needed, None))
    some = [e.pk for e in enterprises[3:8]]
    same(facts._indicators(needed, some), reference(needed, some))
    span = range(enterprises[2].pk, enterprises[9].pk)
    same(facts._indicators(needed, span), reference(needed, list(span)))
    # An unverified tax figure loses to a verified self-reported one; both verified, tax wins.
    e = EnterpriseFactory()
    IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, source="tax", verified=False, value=1)
    IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, source="self", verified=True, value=2)
    IndicatorValueFactory(
        enterprise=e, indicator="rd_expense", year=2024, source="stats", verified=True, value=3
    )
    IndicatorValueFactory(
        enterprise=e, indicator="rd_expense", year=2024, source="tax", verified=True, value=4
    )
    mine = facts._indicators(needed, [e.pk]).sort("key").select("key", "value", "verified").rows()
    assert mine == [("rd_expense@2024", Decimal("4.00"), True), ("revenue@2025", Decimal("2.00"), True)]


def test_nothing_needed_reads_nothing():
    assert facts._indicators(set(), None).is_empty()


def test_the_read_works_while_queries_are_counted():
    """Counting queries (the walk, DEBUG) wraps the cursor in Django's debug wrapper, whose copy()
    takes no parameters: every page reading facts by COPY answered 500 on PostgreSQL under it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    e = EnterpriseFactory()
    IndicatorValueFactory(enterprise=e, indicator="revenue", year=2025, source="tax", verified=True, value=7)
    with CaptureQueriesContext(connection):
        read = facts._indicators({("revenue", 2025)}, [e.pk]).select("key", "value").rows()
    assert read == [("revenue@2025", Decimal("7.00"))]
