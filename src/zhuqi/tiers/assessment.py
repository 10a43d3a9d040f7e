"""The yearly tier assessment: every enterprise against the three tier packs in one Polars run (as
policies/matching.py does for the policy packs), stored as candidate lists.

Per tier an enterprise
- meets the tier (the pack's clause holds);
- could meet it (no requirement fails, but one needs a fact the platform does not have: the gap);
- lacks one or two requirements (NEAR_MAX), named, with any missing facts beside them;
- or is further away (not stored).
A requirement is one of the pack's `req_*` derived values; for 创新型 a direct route that holds makes
the enterprise meet the tier whatever its score.

The day assessed: the run's `day`, by default today when assessing the current year and the last day
of the year for an earlier one. Tier recognitions and tier facts are read as they stand on that day;
indicators are "上年度" (the year before) as the packs say.
"""

import time
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, bulk, permissions
from zhuqi.core.permissions import Capability
from zhuqi.policies import facts as facts_table
from zhuqi.rules import engine
from zhuqi.rules.model import Pack, load_pack
from zhuqi.tiers import packs as tier_packs
from zhuqi.tiers.models import Assessment, AssessmentRun, Outcome, Tier

NEAR_MAX = 2  # issue 10 (2): "those who lack one or two things"
_loaded: dict[str, Pack] = {}


def pack_of(tier: str) -> Pack:
    if tier not in _loaded:
        _loaded[tier] = load_pack(tier_packs.FILES[tier])
        facts_table.check_origins(_loaded[tier])
    return _loaded[tier]


def all_packs() -> dict[str, Pack]:
    return {tier: pack_of(tier) for tier in Tier.values}


def requirements(pack: Pack) -> list[str]:
    return [n for n in pack.derived if n.startswith("req_")]


def default_day(year: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def outcomes(pack: Pack, table: pl.DataFrame, day: date) -> pl.DataFrame:
    """enterprise_id, outcome (meets/could/near or null), score (fen or null), and what is lacking and
    missing as bit masks over requirements(pack) and gap_facts(pack) (names(): the lists)."""
    clause = pack.clauses[0]
    reqs = requirements(pack)
    extra = [n for n in ("score", "direct_route") if n in pack.derived]
    if not clause.in_force(day):
        return pl.DataFrame(schema={"enterprise_id": pl.Int64})
    out = engine.batch(pack, table, day, [clause], derived=reqs + extra)
    code = clause.code
    failed = [(pl.col(f"derived:{r}") == False).fill_null(False) for r in reqs]  # noqa: E712
    lacking = pl.sum_horizontal(*(f.cast(pl.Int64) * (1 << i) for i, f in enumerate(failed)))
    count = pl.sum_horizontal(*(f.cast(pl.Int8) for f in failed))
    # The gap: the facts missing under a requirement that is undecided (a direct route's facts are no
    # gap: the route would only add a way in).
    reading = {r: pack.reads(r) & set(pack.facts) for r in reqs}
    gaps = gap_facts(pack)
    missing_bits = []
    for i, fact in enumerate(gaps):
        undecided = pl.any_horizontal(*(pl.col(f"derived:{r}").is_null() for r in reqs if fact in reading[r]))
        absent = pl.col(fact).is_null() if fact in table.columns else pl.lit(True)
        missing_bits.append((absent & undecided).cast(pl.Int64) * (1 << i))
    missing = pl.sum_horizontal(*missing_bits) if missing_bits else pl.lit(0, dtype=pl.Int64)
    direct = pl.col("derived:direct_route").fill_null(False) if "direct_route" in extra else pl.lit(False)
    present = [f for f in gaps if f in table.columns]
    frame = pl.concat([table.select("enterprise_id", *present), out], how="horizontal")
    meets = pl.col(f"{code}:eligible") | direct
    outcome = (
        pl.when(meets)
        .then(pl.lit(Outcome.MEETS.value))
        .when(count == 0)
        .then(pl.lit(Outcome.COULD.value))
        .when(count <= NEAR_MAX)
        .then(pl.lit(Outcome.NEAR.value))
        .otherwise(None)
    )
    score = pl.col("derived:score") if "score" in extra else pl.lit(None, dtype=pl.Int64)
    return frame.select(
        "enterprise_id",
        outcome.alias("outcome"),
        score.alias("score"),
        pl.when(meets).then(0).otherwise(lacking).alias("lacking"),
        pl.when(meets).then(0).otherwise(missing).alias("missing"),
    )


def gap_facts(pack: Pack) -> list[str]:
    """The facts the requirements read, in a fixed order (the bits of `missing`)."""
    read = set().union(*(pack.reads(r) & set(pack.facts) for r in requirements(pack)))
    return sorted(read - {"period_year", "granted_this_year"})


def names(mask: int, names_in_order: list[str]) -> list[str]:
    return [n for i, n in enumerate(names_in_order) if mask >> i & 1]


def evaluate(
    year: int, day: date, enterprise_ids=None, table: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """Every enterprise (or those in `enterprise_ids`) against the three packs: per tier the outcomes."""
    packs = all_packs()
    if table is None:
        table = facts_table.build(list(packs.values()), year, enterprise_ids, day=day)
    return {tier: outcomes(pack, table, day) for tier, pack in packs.items()}


def assess(
    *, year: int, day: date | None = None, acting_user=None, enterprise_ids=None, progress=None
) -> AssessmentRun:
    """Assesses every enterprise for `year` and stores the candidates in one transaction, in chunks
    of settings.ZHUQI_BATCH_CHUNK enterprises by id range (policies/facts.chunks: memory stays flat);
    `progress(done, total)` is told after each chunk."""
    if acting_user is not None:
        permissions.require(
            acting_user, Capability.MANAGE_TIERS, _("Only the coordinating office runs the tier assessment.")
        )
    started = time.perf_counter()
    day = day or default_day(year)
    counts = {tier: dict.fromkeys(Outcome.values, 0) for tier in Tier.values}
    with transaction.atomic():
        spans = [enterprise_ids] if enterprise_ids is not None else facts_table.chunks()
        run = AssessmentRun.objects.create(
            year=year,
            period=day,
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
            enterprises=0,
            counts=counts,
        )
        for done, span in enumerate(spans, 1):
            found = evaluate(year, day, span)
            long = []
            for tier, frame in found.items():
                kept = frame.filter(pl.col("outcome").is_not_null())
                for o in Outcome.values:
                    counts[tier][o] += int((kept["outcome"] == o).sum())
                long.append(kept.with_columns(pl.lit(tier).alias("tier")))
            run.enterprises += next(iter(found.values())).height if found else 0
            _write(pl.concat(long) if long else None, run.pk, year)
            if progress is not None:
                progress(done, len(spans))
        run.counts = counts
        run.seconds = Decimal(str(round(time.perf_counter() - started, 3)))
        run.save(update_fields=["enterprises", "counts", "seconds"])
        audit.record(
            actor=acting_user,
            verb="tier_assessment_run",
            obj=run,
            data={"year": year, "enterprises": run.enterprises},
        )
    return run


def _write(frame: pl.DataFrame | None, run_id: int, year: int) -> None:
    """Bulk insert (core/bulk.py: COPY on PostgreSQL, executemany on SQLite)."""
    if frame is None or frame.is_empty():
        return
    import json

    columns = ("run_id", "enterprise_id", "year", "tier", "outcome", "score", "lacking", "missing")
    bits = {tier: (requirements(pack_of(tier)), gap_facts(pack_of(tier))) for tier in Tier.values}
    texts: dict[tuple, str] = {}

    def text(tier: str, which: int, mask: int) -> str:
        key = (tier, which, mask)
        if key not in texts:
            texts[key] = json.dumps(names(mask, bits[tier][which]))
        return texts[key]

    rows = (
        (
            run_id,
            e,
            year,
            tier,
            outcome,
            engine.yuan_of_fen(score),
            text(tier, 0, lacking),
            text(tier, 1, missing),
        )
        for e, outcome, score, lacking, missing, tier in frame.select(
            "enterprise_id", "outcome", "score", "lacking", "missing", "tier"
        ).iter_rows()
    )
    bulk.insert_rows(Assessment, columns, rows)
