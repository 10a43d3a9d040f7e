"""Pages of long lists that stay fast at any depth (issue 16): the ids of the page first, then its rows.

One way for the pages (`DeferredJoinPaginator`) and the API (`core.http.Page`): `page_rows`."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


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


class DeferredJoinPaginator(Paginator):
    """Django's Paginator, reading each page with `page_rows`. The ordering needs its index (Appeal:
    `(created_at DESC, id DESC)`) for the first read to be an index walk."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)
