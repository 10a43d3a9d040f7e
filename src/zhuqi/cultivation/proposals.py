"""What the rules propose for a year, for every enterprise at once (Polars, never a query per row):
the candidates of each pool, the 小升规 pool sized by town, and the three lists 准规上 / 拟入库 / 易退库.

**Pool size (seed 002 (四)14 「按年度预期目标的1.2倍……建立“小升规”企业培育库」)**: the pool of a town holds
1.2 × the town's target enterprises, **rounded up** (a target of 22 gives 26.4, so 27): the sentence
asks for a pool at least 1.2 times the target, and a pool of 26 would fall short of it. The other
reading, rounding half up (26), is `ROUNDING = "half_up"`; the tests pin the ceiling.

**Nearest the threshold**: the 小升规 pool of a town is filled with its enterprises below 规上 that
reported revenue this year (clause UPSCALE-CANDIDATE), nearest first by the distance between their
run rate and their sector's threshold (either side: an enterprise just past it and not yet counted is
as near as one just short of it); on equal distance the higher run rate first, then the lower id.
"""

import math
from decimal import Decimal
from fractions import Fraction

import polars as pl

from zhuqi.cultivation import facts
from zhuqi.cultivation.models import PoolKind
from zhuqi.rules import engine

POOL_RATIO = Fraction(6, 5)  # seed 002 (四)14: 1.2倍
ROUNDING = "ceil"

POOL_CLAUSES = {
    PoolKind.SEED: "POOL-SEED",
    PoolKind.GAZELLE: "POOL-GAZELLE",
    PoolKind.PRE_IPO: "POOL-PRE-IPO",
    PoolKind.UPSCALE: "UPSCALE-CANDIDATE",
}
NEAR, FIRST, DROP = "UPSCALE-NEAR", "UPSCALE-FIRST", "UPSCALE-DROP"
LISTS = {PoolKind.NEAR: NEAR, PoolKind.FIRST: FIRST, PoolKind.DROP: DROP}
SECTOR_PARAMETERS = ("industry", "wholesale", "retail", "hospitality", "services")


def pool_size(target: int) -> int:
    """The 小升规 pool of a town for its target (seed 002 (四)14: 1.2 times, rounded up)."""
    exact = POOL_RATIO * int(target)
    if ROUNDING == "ceil":
        return math.ceil(exact)
    return int(exact + Fraction(1, 2))  # half up


def thresholds(year: int) -> dict[str, Decimal]:
    loaded = facts.pack()
    day = facts.period(year)
    return {s: loaded.parameters[f"threshold.{s}"].at(day) for s in SECTOR_PARAMETERS}


def evaluate(year: int, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every enterprise's facts for `year` with, per clause of the pack, `<code>:eligible` and
    `<code>:unknown`, and its sector's threshold (`threshold`, Decimal yuan)."""
    frame = facts.build(year) if frame is None else frame
    loaded = facts.pack()
    result = engine.batch(loaded, frame, facts.period(year))
    keep = [c for c in result.columns if c.endswith(":eligible") or c.endswith(":unknown")]
    limits = thresholds(year)
    threshold = pl.lit(None, dtype=facts.policy_facts.MONEY)
    for sector in reversed(SECTOR_PARAMETERS):
        threshold = (
            pl.when(pl.col("sector") == sector)
            .then(pl.lit(limits[sector]).cast(facts.policy_facts.MONEY))
            .otherwise(threshold)
        )
    return pl.concat([frame, result.select(keep)], how="horizontal").with_columns(
        threshold.alias("threshold")
    )


def candidates(kind: str, evaluated: pl.DataFrame) -> pl.DataFrame:
    """The enterprises the rules propose for a pool (all of them; the 小升规 pool is sized by town
    afterwards, `upscale_pool`)."""
    code = POOL_CLAUSES[kind]
    return evaluated.filter(pl.col(f"{code}:eligible"))


def upscale_pool(evaluated: pl.DataFrame, targets: dict[int, int]) -> pl.DataFrame:
    """The 小升规 pool: per town with a target, the pool_size(target) candidates nearest the
    threshold, with their `rank` in the town (1 = nearest) and `distance_fen`."""
    sizes = pl.DataFrame(
        [(town, pool_size(target)) for town, target in targets.items()],
        schema={"town_id": pl.Int64, "size": pl.Int64},
        orient="row",
    )
    found = candidates(PoolKind.UPSCALE, evaluated).filter(pl.col("threshold").is_not_null())
    found = found.with_columns(
        # in integer fen (a Decimal(38, 2) is stored as its fen): exact, no float
        (pl.col("run_rate").to_physical().cast(pl.Int128) - pl.col("threshold").to_physical().cast(pl.Int128))
        .abs()
        .alias("distance_fen")
    ).sort(["town_id", "distance_fen", "run_rate", "enterprise_id"], descending=[False, False, True, False])
    ranked = found.with_columns(pl.int_range(1, pl.len() + 1).over("town_id").alias("rank"))
    return ranked.join(sizes, on="town_id").filter(pl.col("rank") <= pl.col("size")).drop("size")


def upscale_lists(evaluated: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """准规上 (near), 拟入库 (first) and 易退库 (drop): who is on each list this year."""
    return {name: evaluated.filter(pl.col(f"{code}:eligible")) for name, code in LISTS.items()}


def snapshot(row: dict) -> dict:
    """What a membership keeps of the facts the rules saw (text decimals, no floats)."""
    keys = ("run_rate", "months", "threshold", "sector", "main_revenue_prev", "revenue_prev", "revenue_prev3")
    out = {}
    for key in keys:
        value = row.get(key)
        if value is not None:
            out[key] = str(value) if isinstance(value, Decimal | float) else value
    if row.get("distance_fen") is not None:
        out["distance"] = str(Decimal(int(row["distance_fen"])).scaleb(-2))
    return out
