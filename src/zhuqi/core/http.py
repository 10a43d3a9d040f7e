"""What every app's pages and endpoints answer with alike: one page size for API lists, one way to
send a spreadsheet and one way to answer a page's POST."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from zhuqi.core.errors import ZhuqiError
from zhuqi.core.pagination import page_and_count

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Page(PageNumberPagination):
    """API lists: 25 a page by default, at most 200; the page number is bounded so its offset stays
    a bigint. A long list's `count` may be the database's estimate (`count_estimated`, see
    core/pagination.py); `exact_count=true` asks for the exact one."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)
        exact_count: bool = Field(
            False, description="Count every row even when the list is long (slower on large lists)."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ..., description="How many rows the list has: exact, or an estimate when count_estimated."
        )
        count_estimated: bool = Field(
            False,
            description="True when `count` is the database's estimate (a list longer than "
            "ZHUQI_COUNT_ESTIMATE_ABOVE rows on PostgreSQL); exact_count=true asks for the exact count.",
        )

    def __init__(self, **kwargs):
        super().__init__(page_size=25, max_page_size=200, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        # The page's ids first, then its rows (core/pagination.py): deep pages of long lists stay fast.
        size = self._get_page_size(pagination.page_size)
        items, count, estimated = page_and_count(
            queryset, (pagination.page - 1) * size, size, exact=pagination.exact_count
        )
        return {self.items_attribute: items, "count": count, "count_estimated": estimated}


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx file to download, named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def form_post(
    request,
    call: Callable,
    *,
    then,
    success=None,
    form=None,
    refused: Callable | None = None,
    back: str | None = None,
    hide_forbidden: bool = False,
) -> HttpResponse:
    """One POST of a page, answered the same way everywhere: parse, call the service, then either
    flash `success` and go on to `then`, or show the refusal.

    - `call` parses what it needs and calls the service, returning its result. With `form` (a bound
      Django form) it runs only when the form is valid, as `call(form.cleaned_data)`.
    - `then`: where the browser goes next, a URL or a function of the result giving one. `success`:
      the message flashed, a text or a function of the result giving one (None: nothing).
    - A refusal (`ZhuqiError` from parsing or the service): with `hide_forbidden` a 403 answers 404,
      so a page does not tell what exists outside the user's scope. With a form, the message goes on
      the field the error names (`exc.field`), or above the form when it has no such field. Then
      `refused(exc)` answers — it renders the page again, and is called with None for a form that
      is not valid. Without `refused`, the message is flashed as an error and the browser goes
      `back` (by default to `then`, which must then be a URL).
    """
    if form is not None and not form.is_valid():
        return refused(None)
    try:
        result = call(form.cleaned_data) if form is not None else call()
    except ZhuqiError as exc:
        if hide_forbidden and exc.status == 403:
            raise Http404 from exc
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        if refused is not None:
            return refused(exc)
        messages.error(request, str(exc.message))
        return redirect(back or then)
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, str(text))
    return redirect(then(result) if callable(then) else then)
