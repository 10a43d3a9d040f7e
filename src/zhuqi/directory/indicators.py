"""The periodic indicators an enterprise reports or a bureau feeds, in one registry.

Money is kept in yuan as Decimal; counts and areas as Decimal too so one column holds every indicator.
The Chinese label is also the column header of import files.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    key: str
    label_zh: str
    label: object
    unit: str  # yuan | person | mu | item


INDICATORS = [
    Indicator("revenue", "营业收入", _("Revenue"), "yuan"),
    Indicator("main_revenue", "主营业务收入", _("Main-business revenue"), "yuan"),
    Indicator("tax_paid", "纳税总额", _("Tax paid"), "yuan"),
    Indicator("city_retained_tax", "市级留成税收", _("City-retained tax"), "yuan"),
    Indicator("total_profit", "利润总额", _("Total profit"), "yuan"),
    Indicator("rd_expense", "研发费用", _("R&D expense"), "yuan"),
    Indicator("staff", "从业人数", _("Staff"), "person"),
    Indicator("rd_staff", "研发人员数", _("R&D staff"), "person"),
    Indicator("exports", "出口额", _("Exports"), "yuan"),
    Indicator("land_area", "用地面积(亩)", _("Land area (mu)"), "mu"),
    Indicator("added_value", "工业增加值", _("Industrial added value"), "yuan"),
    Indicator("invention_patents", "发明专利数", _("Invention patents"), "item"),
    Indicator("other_ip", "其他知识产权数", _("Other IP"), "item"),
]
BY_KEY = {i.key: i for i in INDICATORS}
BY_LABEL_ZH = {i.label_zh: i for i in INDICATORS}
CHOICES = [(i.key, i.label) for i in INDICATORS]
