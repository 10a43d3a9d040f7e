"""Pages of long lists that stay fast at any depth (issue 16): the ids of the page first, then its rows,
and a count that does not scan a million rows when nobody asked for it.

One way for the pages (`list_page`, `DeferredJoinPaginator`) and the API (`core.http.Page`):
`page_rows` reads a page, `page_and_count` reads it with its count.

Counts: on PostgreSQL, a list the planner expects to hold more than ZHUQI_COUNT_ESTIMATE_ABOVE rows
is counted by the planner's estimate (`EXPLAIN` of the list's query: no row is read), shown as
"about"; the exact count is read on request (`?count=exact` on pages, `exact_count=true` in the API).
A page that reaches the end of the list knows its exact count whatever the estimate said. Smaller
lists, and every list on SQLite, are counted exactly."""

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def page_rows(rows, bottom: int, top: int) -> list:
    """Rows `bottom`..`top` of `rows` in its order. For a model query, the page's ids are read first —
    a walk of the ordering's index with no joins, so an OFFSET of 500,000 skips index entries, not
    joined rows — and then only those rows with their joins and annotations, put back in the ids'
    order. Anything else (a list, a `values()` query, a union) is sliced as it is."""
    plain = (
        not isinstance(rows, QuerySet)
        or rows.query.combinator
        or rows._fields is not None  # values() / values_list()
        or rows.query.distinct_fields
    )
    if plain:
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def estimated_count(rows) -> int | None:
    """The PostgreSQL planner's estimate of how many rows the query `rows` gives (the statistics
    ANALYZE and autovacuum keep; no row is read). None for a list or on another database."""
    if not isinstance(rows, QuerySet) or connections[rows.db].vendor != "postgresql":
        return None
    try:
        text = rows.order_by().explain(format="json")
    except EmptyResultSet:  # a query Django knows gives nothing (`none()`, `pk__in=[]`)
        return 0
    if not text:
        return 0
    plan = json.loads(text)
    plan = plan[0] if isinstance(plan, list) else plan
    return int(plan["Plan"]["Plan Rows"])


def count_of(rows, *, exact: bool = False) -> tuple[int, bool]:
    """How many rows `rows` has, and whether that is an estimate: the planner's, when it expects
    more than ZHUQI_COUNT_ESTIMATE_ABOVE rows and `exact` was not asked; else `count()`."""
    if not exact:
        estimate = estimated_count(rows)
        if estimate is not None and estimate > settings.ZHUQI_COUNT_ESTIMATE_ABOVE:
            return estimate, True
    return (rows.count() if isinstance(rows, QuerySet) else len(rows)), False


def _page_past_estimate(rows, bottom: int, size: int, estimate: int) -> tuple[list, int, bool] | None:
    """A page of a list counted by an estimate, with what the page learnt of the count. One row more
    is read to know whether another page follows: a full page gives a count of at least one row
    past it (an estimate below what the page saw is raised), a page that ends the list the exact
    count. None past the end."""
    items = page_rows(rows, bottom, bottom + size + 1)
    if len(items) > size:
        return items[:size], max(estimate, bottom + size + 1), True
    if items or bottom == 0:
        return items, bottom + len(items), False
    return None


def page_and_count(rows, bottom: int, size: int, *, exact: bool = False) -> tuple[list, int, bool]:
    """Rows `bottom`..`bottom + size` of `rows`, how many rows it has, and whether that count is an
    estimate (`count_of`). Past the end of an estimated list, the count is read exactly."""
    count, estimated = count_of(rows, exact=exact)
    if not estimated:
        return page_rows(rows, bottom, bottom + size), count, False
    read = _page_past_estimate(rows, bottom, size, count)
    return read if read is not None else ([], count_of(rows, exact=True)[0], False)


class DeferredJoinPaginator(Paginator):
    """Django's Paginator, reading each page with `page_rows` and counting with `count_of` (an
    estimate for a long list unless `exact_count`). The ordering needs its index (Appeal:
    `(created_at DESC, id DESC)`) for the first read to be an index walk.

    With an estimated count, any page number is read (up to the page the estimate or the bound
    allows): the page's own rows say whether it is the last, and a number past the real end
    answers the real last page, as Django's `get_page` does."""

    MAX_PAGE = 1_000_000  # as the API's `page`: the offset stays a bigint

    def __init__(self, object_list, per_page, *, exact_count: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.exact_count = exact_count
        self.estimated = False

    @cached_property
    def count(self):
        count, self.estimated = count_of(self.object_list, exact=self.exact_count)
        return count

    def _known(self, count: int, *, estimated: bool) -> None:
        # What a page read learnt about the count; the number of pages follows it.
        self.count, self.estimated = count, estimated
        self.__dict__.pop("num_pages", None)

    def validate_number(self, number):
        if self.count and self.estimated:
            # The estimate bounds nothing: the page read decides (`page`).
            try:
                number = int(number)
            except (TypeError, ValueError) as exc:
                raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
            if not 1 <= number <= self.MAX_PAGE:
                raise EmptyPage(self.error_messages["no_results"])
            return number
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.estimated:
            read = _page_past_estimate(self.object_list, bottom, self.per_page, self.count)
            if read is None:  # past the end: `get_page` answers the last page
                self._known(count_of(self.object_list, exact=True)[0], estimated=False)
                raise EmptyPage(self.error_messages["no_results"])
            items, count, estimated = read
            self._known(count, estimated=estimated)
            return self._get_page(items, number, self)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)

    def get_page(self, number):
        """As Django's: a number that is not a page answers the first page, one past the end the
        last — for an estimated count, the real last page, counted exactly."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            if self.estimated:
                self._known(count_of(self.object_list, exact=True)[0], estimated=False)
            return self.page(self.num_pages)


def list_page(request, rows, per_page: int = 25, *, param: str = "page") -> Page:
    """The page of `rows` the request asks for (`?page=`, or `param` for a second list on the same
    page; a number that is not a page answers the first or the last, as Django's `get_page`), counted
    exactly when it asks (`?count=exact`, for every list of the page)."""
    paginator = DeferredJoinPaginator(rows, per_page, exact_count=request.GET.get("count") == "exact")
    return paginator.get_page(request.GET.get(param))
