"""Yearly quotas of matchmaking events and each organiser's progress against them through the year.

Seed 002 (温县 万人助万企 2023 方案) sets them; each is stored per year as a `Quota` row, so a
county edits or adds its own without code:

- 二(一)4 「全年开展产销对接活动10场以上，其中县科技和工业信息化局牵头组织各相关单位开展产销对接活动2场以上，
  各乡镇（街道）确保年度开展产销对接活动1场以上」: at least 10 产销 events in the whole area; at least 2
  organised by the industry department (县科技和工业信息化局; in the demo city 市工信局, code `miit`);
  at least 1 organised by each town. Reading: 「其中」 makes the department's 2 part of the 10, and the
  towns' events count towards the 10 as well — the area total counts every organiser's events.
- 二(五)23 「全年组织校园或人力资源市场招工活动10场次以上，力争全县开展用工对接活动30场以上」: at least 10
  招工 (campus or job-market recruitment fairs) and at least 30 用工对接 events in the whole area.
  Reading: a recruitment fair is a kind of 用工对接, so the 30 counts 用工 and 招工 events together
  (the 10 fairs are part of the 30), while the 10 counts only fairs. The other reading (30 besides the
  10) is a quota whose `counts` is ["labour"] alone.

Only events recorded as held, on or before the day asked, count. Progress through the year: by the
end of month m an organiser should have held ⌈minimum × m / 12⌉ events (an even pace); it is
"met" once it reaches the minimum, "on track" at or above the pace, "behind" below it.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

SEED_002 = [
    # (kind, scope, department code or None, minimum, kinds counted, source)
    ("supply", "total", None, 10, ["supply"], "温县万人助万企方案 二(一)4"),
    ("supply", "department", "industry", 2, ["supply"], "温县万人助万企方案 二(一)4"),
    ("supply", "each_town", None, 1, ["supply"], "温县万人助万企方案 二(一)4"),
    ("labour", "total", None, 30, ["labour", "recruitment"], "温县万人助万企方案 二(五)23"),
    ("recruitment", "total", None, 10, ["recruitment"], "温县万人助万企方案 二(五)23"),
]

MET, ON_TRACK, BEHIND = "met", "on_track", "behind"
STATUS_LABELS = {MET: _("Met"), ON_TRACK: _("On track"), BEHIND: _("Behind")}


def expected_by(minimum: int, month: int) -> int:
    """Events an organiser should have held by the end of `month` at an even pace."""
    return math.ceil(minimum * month / 12)


@dataclass
class Row:
    quota: object  # Quota
    organiser: object  # a Department, a Town, or None for the whole area
    done: int
    expected: int
    by_month: list[int] = field(default_factory=list)  # cumulative count at the end of each month

    @property
    def status(self) -> str:
        if self.done >= self.quota.minimum:
            return MET
        return ON_TRACK if self.done >= self.expected else BEHIND

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def share(self) -> int:
        """Percent of the minimum held (at most 100), for the bar."""
        return min(100, round(100 * self.done / self.quota.minimum)) if self.quota.minimum else 100


def progress(
    year: int, as_of: date, *, quotas=None, towns=None, department_ids=None, town_ids=None
) -> list[Row]:
    """Each organiser against each quota of `year`, counted on `as_of`: one aggregate query of
    the events (kind, organiser, month), then arithmetic. `department_ids`/`town_ids` limit the rows
    to those organisers (a department sees its own rows); None: all."""
    from zhuqi.chains.models import Event, Quota
    from zhuqi.directory.models import Town

    quotas = list(
        (quotas if quotas is not None else Quota.objects.filter(year=year)).select_related("department")
    )
    last_day = min(as_of, date(year, 12, 31))
    months_elapsed = 0 if last_day.year < year else last_day.month
    counts: dict[tuple, list[int]] = {}
    rows = (
        Event.objects.filter(state="held", held_on__year=year, held_on__lte=last_day)
        .annotate(m=ExtractMonth("held_on"))
        .values("kind", "organiser_department_id", "organiser_town_id", "m")
        .annotate(n=Count("id"))
    )
    for r in rows:
        for key in (
            (r["kind"], "total", None),
            (r["kind"], "department", r["organiser_department_id"]),
            (r["kind"], "town", r["organiser_town_id"]),
        ):
            counts.setdefault(key, [0] * 12)[r["m"] - 1] += r["n"]

    def series(kinds, scope, organiser_id) -> list[int]:
        monthly = [0] * 12
        for kind in kinds:
            for i, n in enumerate(counts.get((kind, scope, organiser_id), ())):
                monthly[i] += n
        running, out = 0, []
        for n in monthly[: max(months_elapsed, 0)]:
            running += n
            out.append(running)
        return out

    all_towns = list(towns if towns is not None else Town.objects.order_by("code"))
    result = []
    for quota in quotas:
        kinds = quota.counts or [quota.kind]
        expected = expected_by(quota.minimum, months_elapsed) if months_elapsed else 0
        if quota.scope == "total":
            targets = [(None, series(kinds, "total", None))]  # the area's total: everyone sees it
        elif quota.scope == "department":
            if department_ids is not None and quota.department_id not in department_ids:
                continue
            targets = [(quota.department, series(kinds, "department", quota.department_id))]
        else:
            targets = [
                (town, series(kinds, "town", town.pk))
                for town in all_towns
                if town_ids is None or town.pk in town_ids
            ]
        for organiser, by_month in targets:
            result.append(Row(quota, organiser, by_month[-1] if by_month else 0, expected, by_month))
    return result
