from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

from zhuqi.core import audit_text, formats

register = template.Library()

# One way to show each kind of value (zhuqi.core.formats): {{ d|day }}, {{ t|moment }},
# {{ paid|yuan }}, {{ total|money }}, {{ v|amount:unit }}, {{ y|year }}, {{ median|days }}.
register.filter("day", formats.day)
register.filter("moment", formats.moment)
register.filter("yuan", formats.yuan)
register.filter("money", formats.money)
register.filter("amount", formats.amount)
register.filter("year", formats.year)
register.filter("days", formats.days)
# A count the database estimated (core/pagination.py): {{ page.paginator.count|about }}.
register.filter("about", formats.about)
# An audit event in words: {{ e|audit_action }}, {{ e|audit_details }}.
register.filter("audit_action", audit_text.action)
register.filter("audit_details", audit_text.details)


@register.filter
def period_label(code):
    """A reporting period's code as a Chinese document names it: 2026Q3 → 2026年第三季度."""
    from zhuqi.assessment import periods
    from zhuqi.core.errors import ZhuqiError

    try:
        return periods.parse(str(code)).label
    except ZhuqiError:
        return code


@register.filter
def wan(value):
    """Yuan shown in 万元 (ten thousands), the unit Chinese ledgers use."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)) / Decimal(10000):,.1f}"


@register.filter
def yi(value):
    """Yuan shown in 亿元 (hundred millions)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)) / Decimal(100_000_000):,.2f}"


@register.filter
def pct(value):
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:+.1f}%"


@register.filter
def percent(value):
    """A ratio shown as a percentage with one decimal (0.0523 → 5.2%)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def number(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, str):  # an exact amount kept as text in JSON (policy offers' facts)
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    return f"{value:,.0f}"


@register.simple_tag(takes_context=True)
def page_url(context, page, param=None):
    """The current list URL with another page number, filters kept. `param` names the page's
    parameter of a second list on the same page (`list_page`), `page` when empty."""
    query = context["request"].GET.copy()
    query[param or "page"] = page
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def exact_count_url(context):
    """The current URL asking for the exact count of its long list (core/pagination.py)."""
    query = context["request"].GET.copy()
    query["count"] = "exact"
    return "?" + query.urlencode()


@register.filter
def unit_label(unit):
    return {"yuan": _("yuan"), "person": _("persons"), "mu": _("mu"), "item": _("items")}.get(unit, unit)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return (mapping or {}).get(key)
