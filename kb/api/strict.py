"""A strict API: a query parameter no view reads is a 400 naming it, not silently ignored.

What a view takes is read from what it really uses: its FilterSet's filters (``ordering``
and ``search`` among them), its paginator's parameters (``page``, ``page_size``, ``cursor``),
the format override (``format``) and the fields of the serializer a view validates its own
query with. A typo (``?subjects=russia``) therefore fails loudly instead of answering with
every record.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings


class UnknownParameters(APIException):
    """400: the query names parameters the endpoint does not take."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unknown_parameters"

    def __init__(self, unknown: list[str], allowed: list[str]):
        shown = ", ".join(f"“{name[:40]}”" for name in unknown[:10])
        plural = "s" if len(unknown) > 1 else ""
        takes = ", ".join(allowed) if allowed else "none"
        detail = {
            "detail": f"Unknown query parameter{plural} {shown}: this endpoint takes {takes}.",
            "unknown_parameters": [name[:200] for name in unknown],
            "allowed_parameters": allowed,
        }
        super().__init__(detail)


def paginator_parameters(paginator) -> list[str]:
    """The query parameters a paginator reads (page, page size, cursor), as it names them."""
    if paginator is None:
        return []
    names = ("page_query_param", "page_size_query_param", "cursor_query_param", "limit_query_param")
    return [getattr(paginator, name) for name in names if getattr(paginator, name, None)]


class StrictQueryMixin:
    """Refuse unknown query parameters, after the credentials and permissions are checked.

    A view says what else it reads by overriding ``query_parameters``; the format override is
    always taken.
    """

    def query_parameters(self) -> list[str]:
        return []

    def allowed_query_parameters(self) -> list[str]:
        names = list(self.query_parameters())
        if api_settings.URL_FORMAT_OVERRIDE:
            names.append(api_settings.URL_FORMAT_OVERRIDE)
        return sorted(dict.fromkeys(names))

    def check_query_parameters(self, request) -> None:
        allowed = self.allowed_query_parameters()
        unknown = [name for name in request.query_params if name not in allowed]
        if unknown:
            raise UnknownParameters(unknown, allowed)
        # The schema lists the sort keys; an empty one (?ordering=) names none of them.
        orderings = request.query_params.getlist("ordering") if "ordering" in allowed else []
        if orderings and not any(value.strip(", ") for value in orderings):
            raise ValidationError(
                {"ordering": ["An empty ordering names no sort key: give one of the list's keys, or leave it out."]}
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_parameters(request)
