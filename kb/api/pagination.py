"""Page-number pagination for every list: {count, next, previous, results}, ?page= and a bounded ?page_size=."""

from django.conf import settings
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from kb.selectors.cache import CachedCountPaginator


class KbPagination(PageNumberPagination):
    # Totals are counted once per version of the data (kb/selectors/cache.py).
    django_paginator_class = CachedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, 1 to 200 (default 50)."
    invalid_page_message = "Invalid page “{page_number}”: {message}"

    @property
    def max_page_size(self) -> int:
        return getattr(settings, "KB_API_MAX_PAGE_SIZE", 200)

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if len(str(number)) > 20:
            raise NotFound("Invalid page: the page number is too long.")
        return number

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= self.max_page_size:
            message = f"{raw[:20]!r} is not a page size; give a number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)
