from django import template

from zhuqi.core import formats
from zhuqi.monitoring import measures

register = template.Library()


@register.filter
def measure_label(key):
    found = measures.get(key)
    return found.label if found else key


@register.filter
def measure_amount(value, key):
    """A target's or an actual's figure in its measure's unit: money by magnitude, counts, percentages."""
    found = measures.get(key)
    if value is None or found is None:
        return formats.amount(value)
    if found.unit == "percent":
        return f"{formats.amount(value)}%"
    if found.unit == "count":
        return formats.amount(value, "")
    return formats.amount(value, found.unit)


@register.filter
def threshold_label(name):
    from zhuqi.monitoring.rules import THRESHOLD_LABELS

    return THRESHOLD_LABELS.get(name, name)


@register.filter
def threshold_value(value):
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


@register.filter
def threshold_input(value):
    """A threshold as the rules form shows it for editing: 1/0, a list joined by 、, or the number."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value
