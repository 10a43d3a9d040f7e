"""The tier card of the home page: an enterprise sees its tier, the next one and what it lacks (from
the year's stored assessment); staff see the recognitions expiring within six months. Two queries; none for staff whose home page
read the count with its 小升规 counts (web/queues.cultivation_home)."""

from django import template
from django.utils import timezone

from zhuqi.core import permissions
from zhuqi.core.permissions import Capability
from zhuqi.tiers import selectors, status
from zhuqi.tiers.models import Assessment, Recognition, Tier, next_tier

register = template.Library()


@register.inclusion_tag("tiers/_home.html", takes_context=True)
def tier_home(context):
    user = context["request"].user
    today = timezone.localdate()
    if getattr(user, "enterprise_id", None):
        held = list(Recognition.objects.in_force(today).filter(enterprise_id=user.enterprise_id))
        top = status.top_tier(held)
        following = next_tier(top)
        found = (
            Assessment.objects.filter(enterprise_id=user.enterprise_id, tier=following)
            .order_by("-year", "-run_id")
            .first()
            if following
            else None
        )
        labels = {}
        if found is not None:
            from zhuqi.tiers import assessment

            pack = assessment.pack_of(found.tier)
            labels = {n: d.label for n, d in pack.derived.items()}
        return {
            "mode": "enterprise",
            "top": Tier(top).label if top else None,
            "next": Tier(following).label if following else None,
            "found": found,
            "lacking": [labels.get(r, r) for r in (found.lacking if found else [])],
        }
    if permissions.has(user, Capability.READ_TIERS):
        expiring = context.get("tier_expiring")  # read by the home page with its 小升规 counts
        if expiring is None:
            expiring = selectors.expiring_count(user, today)
        return {"mode": "staff", "expiring": expiring}
    return {"mode": ""}
