"""Routing (seed 000, 三(四)): a matter of the town's departments goes to the department of the
enterprise's town that handles its category; a city-level matter to the city department that handles
it. A sub-category is matched before its parent. What no rule routes goes to the dispatch queue."""

from collections import defaultdict

from zhuqi.core import reference
from zhuqi.directory.models import Department, Enterprise, ServiceCategory


@reference.cached("routes")
def _routes() -> dict[int, list[Department]]:
    """The departments handling each category: read once per process and change (core.reference),
    as submission is the hot path."""
    table = defaultdict(list)
    for link in Department.categories.through.objects.select_related("department"):
        table[link.servicecategory_id].append(link.department)
    return dict(table)


def route(enterprise: Enterprise, category: ServiceCategory) -> Department | None:
    """The department (a cached, shared object: read it, never change it), or None."""
    chain = [category.pk] + ([category.parent_id] if category.parent_id else [])
    routes = reference.get("routes")
    # Ranked: the town before the city, then the sub-category before its parent, then the code.
    candidates = [
        (d.level != Department.Level.TOWN, rank, d.code, d)
        for rank, category_id in enumerate(chain)
        for d in routes.get(category_id, ())
        if d.level == Department.Level.CITY or d.town_id == enterprise.town_id
    ]
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None
