"""Routing (seed 000, 三(四)): a matter of the town's departments goes to the department of the
enterprise's town that handles its category; a city-level matter to the city department that handles
it. A sub-category is matched before its parent. What no rule routes goes to the dispatch queue."""

from django.db.models import F, Q

from zhuqi.directory.models import Department, Enterprise, ServiceCategory


def route(enterprise: Enterprise, category: ServiceCategory) -> Department | None:
    chain = [category.pk] + ([category.parent_id] if category.parent_id else [])
    # One query for every candidate (submission is the hot path), ranked here: the town before the
    # city, then the sub-category before its parent, then the department code.
    candidates = (
        Department.objects.filter(categories__in=chain)
        .filter(Q(level=Department.Level.TOWN, town_id=enterprise.town_id) | Q(level=Department.Level.CITY))
        .annotate(matched_category=F("categories"))
    )
    ranked = sorted(
        candidates,
        key=lambda d: (d.level != Department.Level.TOWN, chain.index(d.matched_category), d.code),
    )
    return ranked[0] if ranked else None
