"""The 降规 warning (seed 002 (四)14 「建立企业退库预警监测机制……防止规模以上企业降规退库」): kind
`drop_out_risk`, one finding per enterprise on the 易退库 list, per year.

The provider only finds; the warnings centre (issue #12) raises each finding once per kind, subject
and period — the period is the year, so an enterprise is warned at most once a year however often
the centre asks — notifies the town (its officers see it through `town_id`) and the enterprise's
helper (服务专员, `user_ids`), and resolves the warning when the enterprise leaves the list.
"""

from collections.abc import Iterator
from datetime import date

import polars as pl
from django.utils import translation
from django.utils.translation import gettext as _

from zhuqi.core import formats
from zhuqi.core.findings import Finding
from zhuqi.cultivation import proposals
from zhuqi.cultivation.models import Membership, PoolKind
from zhuqi.directory.models import Enterprise

KIND = "drop_out_risk"


def helpers_of(year: int, enterprise_ids: list[int]) -> dict[int, list[int]]:
    """The helpers of each enterprise's memberships of the year, 小升规 first."""
    found: dict[int, list[int]] = {}
    rows = (
        Membership.objects.filter(year=year, enterprise_id__in=enterprise_ids, helper__isnull=False)
        .order_by("enterprise_id", "-kind")  # upscale sorts last alphabetically: reversed
        .values_list("enterprise_id", "kind", "helper_id")
    )
    for enterprise_id, _kind, helper_id in sorted(rows, key=lambda r: (r[0], r[1] != PoolKind.UPSCALE)):
        found.setdefault(enterprise_id, [])
        if helper_id not in found[enterprise_id]:
            found[enterprise_id].append(helper_id)
    return found


def drop_findings(today: date, evaluated: pl.DataFrame | None = None) -> Iterator[Finding]:
    """One finding per enterprise on this year's 易退库 list (the provider's contract)."""
    year = today.year
    evaluated = proposals.evaluate(year) if evaluated is None else evaluated
    drop = proposals.upscale_lists(evaluated)[PoolKind.DROP].unique(subset=["enterprise_id"], keep="first")
    if drop.is_empty():
        return
    ids = drop["enterprise_id"].to_list()
    names = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "name"))
    helpers = helpers_of(year, ids)
    with translation.override("zh-hans"):
        for row in drop.iter_rows(named=True):
            below = (
                row["run_rate"] is not None
                and row["threshold"] is not None
                and row["run_rate"] < row["threshold"]
            )
            text = _(
                "%(name)s: this year's main revenue runs at %(rate)s a year (threshold %(threshold)s, "
                "last year %(last)s): at risk of dropping out of 规上."
            ) % {
                "name": names.get(row["enterprise_id"], ""),
                "rate": formats.money(row["run_rate"]),
                "threshold": formats.money(row["threshold"]),
                "last": formats.money(row["main_revenue_prev"]),
            }
            yield Finding(
                kind=KIND,
                subject_type="directory.enterprise",
                subject_id=row["enterprise_id"],
                period=str(year),
                level="red" if below else "yellow",
                text=text,
                since=today,
                link=f"/cultivation/pools/drop/?year={year}",
                town_id=row["town_id"],
                user_ids=tuple(helpers.get(row["enterprise_id"], ())),
            )


def provider(today: date) -> Iterator[Finding]:
    return drop_findings(today)
