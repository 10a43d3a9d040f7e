"""The periodic indicators an enterprise reports or a bureau feeds, in one registry.

Money is kept in yuan as Decimal; counts and areas as Decimal too so one column holds every indicator.
The Chinese label is also the column header of import files.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message

# No enterprise reports a trillion yuan (the largest Chinese firms' revenue is about 3万亿 = 3e12);
# a figure beyond this is a unit or typing mistake. The column holds 16 digits before the point.
MONEY_MAX = Decimal("1e14")
COUNT_MAX = Decimal(10_000_000)  # staff or patents of one enterprise
LAND_MAX = Decimal(10_000_000)  # mu; Dongguan itself is about 3.7 million mu


@dataclass(frozen=True)
class Indicator:
    """An indicator and the values it may take: every import, API call and form checks them here."""

    key: str
    label_zh: str
    label: object
    unit: str  # yuan | person | mu | item
    minimum: Decimal = Decimal(0)
    maximum: Decimal = MONEY_MAX
    whole: bool = False  # people and items are counted, not measured

    def problem(self, value: Decimal) -> Message | None:
        """Why this value cannot be this indicator's, in both languages; None when it can."""
        if not self.minimum <= value <= self.maximum:
            return Message(
                _("%(label)s must be between %(min)s and %(max)s; %(value)s is not."),
                {
                    "label": self.label,
                    "min": f"{self.minimum:,f}",
                    "max": f"{self.maximum:,f}",
                    "value": value,
                },
            )
        if self.whole and value != value.to_integral_value():
            return Message(
                _("%(label)s is a whole number; %(value)s is not."), {"label": self.label, "value": value}
            )
        return None


INDICATORS = [
    Indicator("revenue", "营业收入", _("Revenue"), "yuan"),
    Indicator("main_revenue", "主营业务收入", _("Main-business revenue"), "yuan"),
    Indicator("tax_paid", "纳税总额", _("Tax paid"), "yuan"),
    Indicator("city_retained_tax", "市级留成税收", _("City-retained tax"), "yuan"),
    Indicator("total_profit", "利润总额", _("Total profit"), "yuan", minimum=-MONEY_MAX),  # a loss
    Indicator("rd_expense", "研发费用", _("R&D expense"), "yuan"),
    # Fed by the tax bureau (source 税务局): the R&D expense it assessed as deductible (可加计扣除),
    # what seed 001's R&D subsidy is computed on — not the enterprise's own R&D figure above.
    Indicator(
        "rd_expense_deductible",
        "税务核定可加计扣除研发费用",
        _("Tax-assessed deductible R&D expense"),
        "yuan",
    ),
    Indicator("staff", "从业人数", _("Staff"), "person", maximum=COUNT_MAX, whole=True),
    Indicator("rd_staff", "研发人员数", _("R&D staff"), "person", maximum=COUNT_MAX, whole=True),
    Indicator("exports", "出口额", _("Exports"), "yuan"),
    Indicator("land_area", "用地面积(亩)", _("Land area (mu)"), "mu", maximum=LAND_MAX),
    Indicator("added_value", "工业增加值", _("Industrial added value"), "yuan"),
    Indicator(
        "invention_patents", "发明专利数", _("Invention patents"), "item", maximum=COUNT_MAX, whole=True
    ),
    Indicator("other_ip", "其他知识产权数", _("Other IP"), "item", maximum=COUNT_MAX, whole=True),
]
BY_KEY = {i.key: i for i in INDICATORS}
BY_LABEL_ZH = {i.label_zh: i for i in INDICATORS}
CHOICES = [(i.key, i.label) for i in INDICATORS]
