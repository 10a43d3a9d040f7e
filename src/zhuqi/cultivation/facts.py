"""The facts of the cultivation pack for a year, for every enterprise in one frame (Polars).

Facts read from tags, enterprise fields and annual indicators come from `policies.facts.build`, the
table the policy matching reads. The pack's own facts (`from: cultivation:…`) are computed here:

- `sector`: which 规上 threshold applies, from the GB/T 4754 section of the industry code: B, C, D
  industry (工业); F51 wholesale; F52 retail; H hospitality (住宿和餐饮); any other section services.
  An enterprise without an industry code has no sector: the lists that need it are undecided for it.
- `run_rate`: this year's main-business revenue so far, annualised: the sum of the year's monthly,
  quarterly or half-year values × 12 ÷ the months they cover (the finest kind the enterprise reports:
  months before quarters before halves), rounded down to the fen. 主营业务收入 when the enterprise
  reports it for the year, else 营业收入. The best value of each period is the directory's (verified
  first, then 税务局 › 统计局 › 企业自报). A year whose annual figure is reported is complete: its run
  rate is that figure, over 12 months.
- `months`: the months that run rate covers (0: nothing reported this year).
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl
from django.db import connection

from zhuqi.directory.figures import SOURCE_RANK
from zhuqi.directory.models import Enterprise, IndicatorValue
from zhuqi.policies import facts as policy_facts
from zhuqi.rules.model import Pack, load_pack

PACK_FILE = Path(__file__).resolve().parent / "packs" / "cultivation_pools.yaml"
OWN = "cultivation:"
MONTHS_OF = {"month": 1, "quarter": 3, "half": 6, "year": 12}
SECTIONS = {"B": "industry", "C": "industry", "D": "industry", "H": "hospitality"}


@cache
def pack() -> Pack:
    """The shipped cultivation pack, loaded (and checked) once per process."""
    loaded = load_pack(PACK_FILE)
    policy_facts.check_origins(_standard(loaded))
    return loaded


@dataclass
class _Facts:
    facts: dict


def _standard(loaded: Pack) -> _Facts:
    """The pack's facts the policy side knows how to read (all but cultivation:…)."""
    return _Facts({n: f for n, f in loaded.facts.items() if not f.origin.startswith(OWN)})


def period(year: int) -> date:
    """The day the pack is evaluated for a year: its parameters in force on 1 January."""
    return date(year, 1, 1)


def sector_of(industry_code: str | None) -> str | None:
    code = (industry_code or "").strip().upper()
    if not code:
        return None
    if code.startswith("F51"):
        return "wholesale"
    if code.startswith("F52"):
        return "retail"
    return SECTIONS.get(code[0], "services")


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run_rates(year: int) -> pl.DataFrame:
    """enterprise_id, run_rate (Decimal yuan), months, run_indicator, for enterprises that reported
    revenue for some period of `year` shorter than the year."""
    rows = _query(
        f"SELECT enterprise_id, indicator, period_type, period_no, value, source, verified "
        f"FROM {IndicatorValue._meta.db_table} WHERE year = %s AND period_type IN ('month', 'quarter', 'half', 'year') "
        f"AND indicator IN ('main_revenue', 'revenue')",
        [year],
    )
    schema = {
        "enterprise_id": pl.Int64,
        "indicator": pl.String,
        "period_type": pl.String,
        "period_no": pl.Int64,
        "value": policy_facts.MONEY,
        "source": pl.String,
        "verified": pl.Boolean,
    }
    out_schema = {"enterprise_id": pl.Int64, "run_rate": policy_facts.MONEY, "months": pl.Int64}
    if not rows:
        return pl.DataFrame(schema=out_schema)
    frame = pl.DataFrame(
        [(e, i, t, n, policy_facts._exact(v), s, bool(ok)) for e, i, t, n, v, s, ok in rows],
        schema=schema,
        orient="row",
    )
    best = (
        frame.with_columns(
            pl.col("source").replace_strict(SOURCE_RANK, return_dtype=pl.Int8).alias("rank"),
            pl.col("period_type").replace_strict(MONTHS_OF, return_dtype=pl.Int64).alias("span"),
            (pl.col("indicator") == "main_revenue").alias("is_main"),
        )
        .sort(
            ["enterprise_id", "indicator", "period_type", "period_no", "verified", "rank"],
            descending=[False, False, False, False, True, False],
        )
        .unique(subset=["enterprise_id", "indicator", "period_type", "period_no"], keep="first")
    )
    # One indicator (main first) and one kind of period (the finest) per enterprise.
    chosen = best.group_by("enterprise_id").agg(
        pl.col("is_main").max().alias("use_main"),
    )
    best = best.join(chosen, on="enterprise_id").filter(pl.col("is_main") == pl.col("use_main"))
    # The annual figure when there is one (the year is complete), else the finest periods reported.
    finest = best.group_by("enterprise_id").agg(
        pl.when((pl.col("span") == 12).any()).then(12).otherwise(pl.col("span").min()).alias("finest")
    )
    best = best.join(finest, on="enterprise_id").filter(pl.col("span") == pl.col("finest"))
    totals = best.group_by("enterprise_id").agg(
        (pl.col("value").cast(pl.Decimal(38, 2)).to_physical().sum()).alias("fen"),
        (pl.len() * pl.col("span").first()).alias("months"),
    )
    return totals.select(
        "enterprise_id",
        # × 12 ÷ months, in integer fen, rounded down (floor division of non-negative fen)
        (
            (pl.col("fen") * 12 // pl.col("months")).cast(pl.Decimal(38, 2))
            / pl.lit(100).cast(pl.Decimal(38, 2))
        )
        .cast(policy_facts.MONEY)
        .alias("run_rate"),
        pl.col("months").cast(pl.Int64),
    )


def build(year: int) -> pl.DataFrame:
    """One row per enterprise: enterprise_id, town_id, industry_code and every fact of the pack for
    `year`."""
    loaded = pack()
    frame = policy_facts.build([_standard(loaded)], year)
    places = pl.DataFrame(
        _query(f"SELECT id, town_id FROM {Enterprise._meta.db_table}", []),
        schema={"enterprise_id": pl.Int64, "town_id": pl.Int64},
        orient="row",
    )
    frame = frame.join(places, on="enterprise_id", how="left")
    if "industry_code" not in frame.columns:
        codes = pl.DataFrame(
            _query(f"SELECT id, industry_code FROM {Enterprise._meta.db_table}", []),
            schema={"enterprise_id": pl.Int64, "industry_code": pl.String},
            orient="row",
        )
        frame = frame.join(codes, on="enterprise_id", how="left")
    rates = run_rates(year)
    code = pl.col("industry_code").str.strip_chars().str.to_uppercase()
    sector = (
        pl.when(code.is_null() | (code == ""))
        .then(pl.lit(None, dtype=pl.String))
        .when(code.str.starts_with("F51"))
        .then(pl.lit("wholesale"))
        .when(code.str.starts_with("F52"))
        .then(pl.lit("retail"))
        .when(code.str.slice(0, 1).is_in(["B", "C", "D"]))
        .then(pl.lit("industry"))
        .when(code.str.starts_with("H"))
        .then(pl.lit("hospitality"))
        .otherwise(pl.lit("services"))
    )
    return frame.join(rates, on="enterprise_id", how="left").with_columns(
        pl.col("months").fill_null(0), sector.alias("sector")
    )
