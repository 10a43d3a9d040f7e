"""What every app's pages and endpoints answer with alike: one page size for API lists and one way to
send a spreadsheet."""

from django.http import HttpResponse
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from zhuqi.core.pagination import page_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Page(PageNumberPagination):
    """API lists: 25 a page by default, at most 200; the page number is bounded so its offset stays
    a bigint."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)

    def __init__(self, **kwargs):
        super().__init__(page_size=25, max_page_size=200, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        # The page's ids first, then its rows (core/pagination.py): deep pages of long lists stay fast.
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        return {
            self.items_attribute: page_rows(queryset, offset, offset + size),
            "count": self._items_count(queryset),
        }


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx file to download, named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
