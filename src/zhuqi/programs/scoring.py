"""The criteria the experts mark, and how marks become scores (seed 000 二(四)4(2)).

Desk review (书面审核): the seven criteria the seed names, each marked 0–100 by each expert; an
expert's score is the weighted mean with the weights the office sets for the round (DEFAULT_WEIGHTS
until it does). Site check (现场核查, the shortlist only): two criteria, equally weighted.

Readings taken: an application's desk (or site) score is the mean of its experts' scores; its combined
score is the desk score, or, once checked on site, desk × (1 − w) + site × w with the round's site
weight w; the spread is the highest expert score minus the lowest, at the desk review.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

DESK_CRITERIA = {
    "fundamentals": _("Production and operation fundamentals (生产经营基本面)"),
    "scale": _("Industrial scale (产业规模)"),
    "management": _("Management (管理水平)"),
    "innovation": _("Innovation capability (创新能力)"),
    "market": _("Market development (市场开拓能力)"),
    "informatisation": _("Informatisation (信息化水平)"),
    "capacity": _("Capacity utilisation (产能利用率)"),
}
DEFAULT_WEIGHTS = {
    "fundamentals": 25,
    "scale": 15,
    "management": 15,
    "innovation": 15,
    "market": 10,
    "informatisation": 10,
    "capacity": 10,
}
SITE_CRITERIA = {
    "verification": _("Originals of the declared material checked (核对申报材料原件)"),
    "diagnosis": _("Diagnosis of the weak points (短板问题诊断)"),
}
SITE_WEIGHTS = {"verification": 50, "diagnosis": 50}
MARK_MAX = 100
WEIGHT_MAX = 100
CENT = Decimal("0.01")


def criteria(stage: str) -> dict:
    return DESK_CRITERIA if stage == "desk" else SITE_CRITERIA


def weights_of(round_, stage: str) -> dict[str, int]:
    if stage != "desk":
        return dict(SITE_WEIGHTS)
    return {k: int((round_.weights or {}).get(k, DEFAULT_WEIGHTS[k])) for k in DESK_CRITERIA}


def weighted(marks: dict[str, Decimal], weights: dict[str, int]) -> Decimal:
    total_weight = sum(weights.values())
    if not total_weight:
        return Decimal(0)
    value = sum(Decimal(marks[k]) * weights[k] for k in weights) / Decimal(total_weight)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def combined(desk: Decimal | None, site: Decimal | None, site_weight_percent: int) -> Decimal | None:
    if desk is None:
        return None
    if site is None:
        return desk
    w = Decimal(site_weight_percent) / 100
    return (desk * (1 - w) + site * w).quantize(CENT, rounding=ROUND_HALF_UP)
