"""The facts read of batch runs, before and after issue 10's stored-run work, on the same database in
the same process: the indicators (every row as Python values and `figures.best_values`, against the
best value chosen in SQL and streamed by COPY) and the tier facts (every row in Python and the newest
picked in Polars, against DISTINCT ON in SQL). Checks that both give the same frame.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhuqi_bench_tiers \\
        .venv/bin/python -m bench.facts_read        # after bench.tiers_assessment --part stored

Reads the world that `bench.tiers_assessment --part stored` leaves (or any database with
enterprises); the keys and years are those of the three tier packs for 2025 as of 2025-06-30.
"""

import os
import time
from datetime import date
from decimal import Decimal

DAY = date(2025, 6, 30)


def old_indicators(needed):
    """The read as it was before (policies/facts._indicators up to 2026-12-06)."""
    import polars as pl
    from django.db import connection

    from zhuqi.directory import figures
    from zhuqi.policies import facts

    keys = sorted({k for k, _y in needed})
    years = sorted({y for _k, y in needed})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT enterprise_id, year, indicator, value, source, verified FROM directory_indicatorvalue"
            f" WHERE period_type = 'year' AND indicator IN ({', '.join(['%s'] * len(keys))})"
            f" AND year IN ({', '.join(['%s'] * len(years))})",
            keys + years,
        )
        rows = cursor.fetchall()
    rows = [(e, y, i, facts._exact(v), s, ok) for e, y, i, v, s, ok in rows]
    schema = {
        "enterprise_id": pl.Int64,
        "year": pl.Int64,
        "indicator": pl.String,
        "value": facts.MONEY,
        "source": pl.String,
        "verified": pl.Boolean,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    wanted = pl.Series([f"{k}@{y}" for k, y in sorted(needed)])
    return (
        figures.best_values(frame)
        .with_columns(pl.format("{}@{}", "indicator", "year").alias("key"))
        .filter(pl.col("key").is_in(wanted.implode()))
        .select("enterprise_id", "key", "value", "verified")
    )


def old_tier_fact(key, first, last):
    import polars as pl
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT enterprise_id, as_of, value FROM tiers_tierfact WHERE key = %s AND as_of <= %s"
            " AND (valid_until IS NULL OR valid_until >= %s)",
            [key, last, first],
        )
        found = cursor.fetchall()
    if not found:
        return pl.DataFrame(schema={"enterprise_id": pl.Int64, "value": pl.Decimal(38, 2)})
    ids, days, values = zip(*found, strict=True)
    values = [v if isinstance(v, Decimal) else Decimal(str(v)) for v in values]
    rows = pl.DataFrame(
        {"enterprise_id": ids, "as_of": days, "value": values},
        schema={"enterprise_id": pl.Int64, "as_of": pl.Date, "value": pl.Decimal(38, 2)},
        strict=False,
    )
    return rows.sort("as_of").group_by("enterprise_id").agg(pl.col("value").last())


def best(work, rounds=2):
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    import django

    django.setup()
    from django.db import connection

    from zhuqi.policies import facts
    from zhuqi.tiers import assessment, sources

    packs = list(assessment.all_packs().values())
    wanted = facts.sourced_facts(packs)
    needed = {(o[1], facts.indicator_year(o, 2025)) for _f, o in wanted.values() if o[0] == "indicator"}
    keys = sorted({o[1] for _f, o in wanted.values() if o[0] == "fact"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM directory_enterprise")
        count = cursor.fetchone()[0]
    base, _n = best(lambda: connection.cursor().execute("SELECT count(*) FROM directory_indicatorvalue"))
    load = os.getloadavg()
    print(
        f"{connection.vendor}: {count:,} enterprises; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    old_s, old = best(lambda: old_indicators(needed))
    new_s, new = best(lambda: facts._indicators(needed, None))
    order = ["enterprise_id", "key"]
    assert old.sort(order).equals(new.sort(order)), "the two reads differ"
    print(f"baseline  SELECT count(*) of indicator values {base:7.3f} s")
    print(f"indicators ({len(needed)} keys × years), {new.height:,} values")
    print(f"  before  rows in Python + best_values       {old_s:7.3f} s")
    print(f"  after   DISTINCT ON + COPY into Polars     {new_s:7.3f} s   before/after ×{old_s / new_s:.1f}")
    first = last = DAY
    old_s, olds = best(lambda: [old_tier_fact(k, first, last) for k in keys])
    new_s, news = best(lambda: [sources._newest(k, first, last, None, None) for k in keys])
    for a, b in zip(olds, news, strict=True):
        assert a.sort("enterprise_id").equals(b.sort("enterprise_id"))
    print(f"tier facts ({len(keys)} keys)")
    print(f"  before  rows in Python, newest in Polars   {old_s:7.3f} s")
    print(f"  after   DISTINCT ON + COPY into Polars     {new_s:7.3f} s   before/after ×{old_s / new_s:.1f}")


if __name__ == "__main__":
    main()
