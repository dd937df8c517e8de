"""The house pagination of every list operation: `?page=1&size=50`, at most 200 a page.

    {"count": 120, "page": 1, "size": 50, "next": "/api/periods?page=2&size=50",
     "previous": null, "items": [...]}

`next` / `previous` are the same request's path with the page changed (null at either end), so
a client follows `next` until it is null. A page past the end is empty, not an error, and its
`previous` is the last page; a size
over the cap is refused (422, `errors.size`), as the schema says.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.signature.utils import get_typed_signature

MAX_SIZE = 200
DEFAULT_SIZE = 50


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从 1 开始 / page number, from 1")
        size: int = Field(DEFAULT_SIZE, ge=1, le=MAX_SIZE,
                          description=f"每页条数，至多 {MAX_SIZE} / items a page, at most {MAX_SIZE}")

    class Output(Schema):
        count: int
        page: int
        size: int
        next: str | None
        previous: str | None
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        page, size = pagination.page, pagination.size
        count = self._items_count(queryset)
        start = (page - 1) * size
        return {
            "count": count, "page": page, "size": size,
            "next": _link(request, page + 1, size) if start + size < count else None,
            # Past the end, `previous` is the last page with rows, not another empty one.
            "previous": _link(request, min(page - 1, -(-count // size)), size) if page > 1 and count else None,
            "items": list(queryset[start:start + size]),
        }


def paged(func: Any) -> Any:
    """`@paginate(Pages)`, with the route's annotations resolved in the route's own module
    (ninja's wrapper lives in another, where `date` or a schema named only as a string under
    `from __future__ import annotations` cannot be found)."""
    wrapped = paginate(Pages)(func)
    wrapped.__signature__ = get_typed_signature(func)
    return wrapped


def _link(request: HttpRequest, page: int, size: int) -> str:
    query: QueryDict = request.GET.copy()
    query["page"], query["size"] = str(page), str(size)
    return f"{request.path}?{query.urlencode()}"


class Mapped:
    """A queryset whose rows a route turns into its output one by one, counted and sliced by
    the database: a page converts only its own rows."""

    def __init__(self, queryset: Any, convert: Any) -> None:
        self.queryset, self.convert = queryset, convert

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, part: slice) -> list[Any]:
        return [self.convert(row) for row in self.queryset[part]]
