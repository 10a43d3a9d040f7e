"""Routing (seed 000, 三(四)): a matter of the town's departments goes to the department of the
enterprise's town that handles its category; a city-level matter to the city department that handles
it. A sub-category is matched before its parent. What no rule routes goes to the dispatch queue."""

from zhuqi.directory.models import Department, Enterprise, ServiceCategory


def route(enterprise: Enterprise, category: ServiceCategory) -> Department | None:
    chain = [category] + ([category.parent] if category.parent_id else [])
    for level_filter in (
        {"level": Department.Level.TOWN, "town_id": enterprise.town_id},
        {"level": Department.Level.CITY},
    ):
        for cat in chain:
            found = Department.objects.filter(categories=cat, **level_filter).order_by("code").first()
            if found is not None:
                return found
    return None
