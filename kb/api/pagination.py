"""Pagination for every list: numbered pages for the first rows, a cursor for walking a whole list.

Numbered pages (``?page=``, ``?page_size=`` from 1 to 200) answer ``{count, next, previous,
results}`` and reach the first ``KB_API_MAX_OFFSET`` rows (10,000): a deeper page would make
the database step over every row before it. ``?cursor=`` (empty to start) walks the whole
list in id order instead, ``{next, previous, results}``, each page read from the primary
key index wherever it starts; follow ``next`` until it is null.
"""

from django.conf import settings
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from kb.filtersets import as_id
from kb.selectors.cache import CachedCountPaginator


def requested_page_size(request, *, param: str, default: int, largest: int) -> int:
    """The page size ``request`` asks for in ``param``: a whole number from 1 to ``largest``."""
    raw = request.query_params.get(param, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= largest:
        raise ValidationError({param: [f"{raw[:20]!r} is not a page size; give a number from 1 to {largest}."]})
    return int(raw)


class KbCursorPagination(CursorPagination):
    """A list walked in id order (``?ordering=-id`` for the newest first), page after page."""

    ordering = ("id",)
    orderings = ("id", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    invalid_cursor_message = (
        "Invalid cursor: give an empty cursor to start, then the cursor of a `next` or `previous` link."
    )

    def get_page_size(self, request) -> int:
        param = self.page_size_query_param
        return requested_page_size(request, param=param, default=self.page_size, largest=self.max_page_size)

    @property
    def max_page_size(self) -> int:
        return getattr(settings, "KB_API_MAX_PAGE_SIZE", 200)

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        value = request.query_params.get("ordering", "").strip()
        if not value:
            return self.ordering
        if value not in self.orderings:
            message = f"A cursor walks a list by id: give ordering=id or ordering=-id, not {value[:40]!r}."
            raise ValidationError({"ordering": [message]})
        return (value,)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is an id that goes into the query: anything else is a forged cursor.
        if cursor is not None and cursor.position is not None and as_id(cursor.position) is None:
            raise NotFound(self.invalid_cursor_message)
        return cursor


class KbPagination(PageNumberPagination):
    # Totals are counted once per version of the data (kb/selectors/cache.py).
    django_paginator_class = CachedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, 1 to 200 (default 50)."
    page_query_description = "A page number; pages reach the first 10,000 results (see cursor)."
    cursor_query_param = "cursor"
    cursor_query_description = (
        "Walk the whole list in id order: give it empty to start, then follow `next`. "
        "The answer has no count. Not with `page`; `ordering` may be id or -id."
    )
    invalid_page_message = "Invalid page “{page_number}”: {message}"
    cursor = None

    @property
    def max_page_size(self) -> int:
        return getattr(settings, "KB_API_MAX_PAGE_SIZE", 200)

    @property
    def max_offset(self) -> int:
        """Numbered pages reach this many rows; deeper, the cursor walks on."""
        return getattr(settings, "KB_API_MAX_OFFSET", 10_000)

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in request.query_params:
            message = "Give either a page number or a cursor, not both."
            raise ValidationError({self.cursor_query_param: [message]})
        self.cursor = KbCursorPagination()
        page = self.cursor.paginate_queryset(queryset, request, view)
        self.display_page_controls = self.cursor.display_page_controls
        return page

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def to_html(self):
        return self.cursor.to_html() if self.cursor is not None else super().to_html()

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if len(str(number)) > 20:
            raise NotFound("Invalid page: the page number is too long.")
        digits = str(number).isascii() and str(number).isdigit()  # "²" is a digit to isdigit(), not to int()
        if digits and (int(number) - 1) * paginator.per_page >= self.max_offset:
            deepest = -(-self.max_offset // paginator.per_page)
            raise NotFound(
                f"Invalid page “{number}”: page numbers reach the first {self.max_offset:,} results "
                f"({deepest} pages of {paginator.per_page}); walk a whole list with ?cursor= instead."
            )
        return number

    def get_page_size(self, request) -> int:
        param = self.page_size_query_param
        return requested_page_size(request, param=param, default=self.page_size, largest=self.max_page_size)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Every result of the list; absent when walking with a cursor."
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": self.cursor_query_description,
                "schema": {"type": "string"},
            }
        )
        return parameters
