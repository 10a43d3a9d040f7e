"""Targets and progress of the tier ladder (seed 002 (二)6, (四)13 「完善创新型中小企业、省级“专精特新”中小企业、
国家级专精特新“小巨人”企业……梯度培育体系……力争新增5家」, (四)14 「力争全年新增规模以上工业企业22家」).

A target is the number of enterprises to reach a tier in the year (新增), city-wide or by town. What
counts as reached in year Y:

- 创新型 / 专精特新 / 小巨人: recognitions of that tier dated in Y (`tiers.Recognition`, issue #10
  items 1–2), counted once per enterprise, revoked ones left out;
- 规上: enterprises the directory tags 规上企业 whose main-business revenue of Y-1 was below their
  sector's threshold or not reported (they were not above scale last year): new 规上 of the year,
  read from the directory.

Counts are by the enterprise's town, over the enterprises the reader may see.
"""

from collections import defaultdict

import polars as pl
from django.db.models import Count

from zhuqi.cultivation import proposals
from zhuqi.cultivation.models import LadderTarget, Tier
from zhuqi.directory.models import Enterprise, Town
from zhuqi.tiers.models import Recognition

# What tiers.Recognition calls each tier of the ladder (stream C's model).
RECOGNITION_TIERS = {
    Tier.INNOVATIVE: "innovative",
    Tier.SPECIALISED: "specialised",
    Tier.LITTLE_GIANT: "little_giant",
}


def new_above_scale(year: int, evaluated: pl.DataFrame | None = None) -> pl.DataFrame:
    """enterprise_id, town_id of the enterprises new to 规上 in `year`."""
    evaluated = proposals.evaluate(year) if evaluated is None else evaluated
    return evaluated.filter(
        pl.col("above_scale")
        & (pl.col("main_revenue_prev").is_null() | (pl.col("main_revenue_prev") < pl.col("threshold")))
    ).select("enterprise_id", "town_id")


def reached_ids(year: int, tier: str, visible, evaluated=None) -> list[int]:
    """The enterprises (ids) that reached `tier` in `year`, among `visible` (a queryset)."""
    if tier == Tier.ABOVE_SCALE:
        ids = new_above_scale(year, evaluated)["enterprise_id"].to_list()
        return list(visible.filter(pk__in=ids).values_list("pk", flat=True))
    return list(
        Recognition.objects.filter(
            tier=RECOGNITION_TIERS[tier],
            recognised_on__year=year,
            revoked_on__isnull=True,
            enterprise__in=visible,
        )
        .values_list("enterprise_id", flat=True)
        .distinct()
    )


def progress(year: int, visible) -> list[dict]:
    """Per tier: the city-wide target, the sum of the town targets, what is reached, and per town
    (target, reached). Over the enterprises in `visible`."""
    evaluated = proposals.evaluate(year)
    targets = defaultdict(dict)
    for row in LadderTarget.objects.filter(year=year).values("tier", "town_id", "target"):
        targets[row["tier"]][row["town_id"]] = row["target"]
    towns = {t.pk: t for t in Town.objects.all()}
    result = []
    for tier in Tier:
        ids = reached_ids(year, tier, visible, evaluated)
        by_town = dict(
            Enterprise.objects.filter(pk__in=ids)
            .values("town_id")
            .annotate(n=Count("id"))
            .values_list("town_id", "n")
        )
        tier_targets = targets.get(tier.value, {})
        town_ids = sorted(
            set(by_town) | {t for t in tier_targets if t is not None}, key=lambda t: towns[t].code
        )
        rows = [
            {"town": towns[t], "target": tier_targets.get(t), "reached": by_town.get(t, 0)} for t in town_ids
        ]
        result.append(
            {
                "tier": tier,
                "target": tier_targets.get(None)
                if None in tier_targets
                else (sum(v for k, v in tier_targets.items() if k) or None),
                "reached": len(ids),
                "towns": rows,
            }
        )
    return result


def chart(rows: list[dict], *, target_label: str, reached_label: str) -> dict:
    """The ECharts option of the ladder: target and reached per tier."""
    return {
        "tooltip": {},
        "legend": {},
        "xAxis": {"type": "category", "data": [str(r["tier"].label) for r in rows]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": target_label, "type": "bar", "data": [r["target"] or 0 for r in rows]},
            {"name": reached_label, "type": "bar", "data": [r["reached"] for r in rows]},
        ],
    }
