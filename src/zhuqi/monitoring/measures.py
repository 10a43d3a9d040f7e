"""What a target can be set on, in one registry: every indicator of the directory, and the measures of
seed 002 that are not a sum of indicator values.

kind   flow   a sum over the enterprises in scope, reported monthly: broken down to months, compared
              cumulatively month by month (revenue, tax, added value…)
       level  a figure of the year as a whole (a count, a coverage or a growth rate): no monthly
              breakdown, compared with the latest value
       none   no data in the platform measures it yet: the target is kept and shown as "not measurable
              yet" with the reason
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.directory import indicators

ABOVE_SCALE_TAG = "规上企业"


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    kind: str  # flow | level | none
    unit: str  # yuan | person | mu | item | count | percent
    source: str = ""  # the seed paragraph it comes from, when it does
    why_not: object = ""  # for kind "none": what is missing


MEASURES: dict[str, Measure] = {}
for _indicator in indicators.INDICATORS:
    MEASURES[_indicator.key] = Measure(_indicator.key, _indicator.label, "flow", _indicator.unit)

MEASURES |= {
    m.key: m
    for m in (
        Measure(
            "above_scale_count",
            _("Enterprises above designated size (规上)"),
            "level",
            "count",
            "万人助万企方案 二（四）14",
        ),
        Measure(
            "rd_coverage",
            _("R&D coverage of 规上 enterprises"),
            "level",
            "percent",
            "万人助万企方案 二（二）5",
        ),
        Measure(
            "rd_growth",
            _("Growth of enterprises' R&D expense"),
            "level",
            "percent",
            "万人助万企方案 二（二）5",
        ),
        Measure(
            "investment",
            _("Industrial investment"),
            "none",
            "yuan",
            why_not=_("No investment figure is recorded yet (key projects are another module)."),
        ),
        Measure(
            "tech_investment_growth",
            _("Growth of technical-transformation investment"),
            "none",
            "percent",
            "万人助万企方案 二（三）9",
            _("No technical-transformation investment is recorded yet."),
        ),
        Measure(
            "procurement_reserve",
            _("Share of public works procurement reserved for SMEs"),
            "none",
            "percent",
            "万人助万企方案 二（一）4",
            _("Procurement contracts are not recorded in the platform."),
        ),
        Measure(
            "industrial_land_share",
            _("Share of land supply for industry"),
            "none",
            "percent",
            "万人助万企方案 二（五）22",
            _("Land supply is not recorded in the platform."),
        ),
    )
}
FLOW = frozenset(k for k, m in MEASURES.items() if m.kind == "flow")
CHOICES = [(k, m.label) for k, m in MEASURES.items()]


def get(key: str) -> Measure | None:
    return MEASURES.get(key)
