"""CSV for every list: flat columns, related names spelled out, streamed row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

Column = tuple[str, Callable[[object], object]]
CHUNK = 500


class CSVRenderer(BaseRenderer):
    """Announces text/csv for ``?format=csv``; list views stream the rows themselves.

    Anything else that reaches this renderer (an error, say) is sent as JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell that starts like a formula would run in a spreadsheet; make it plain text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def names(items: Iterable) -> str:
    """Related records spelled out, separated by "; "."""
    return "; ".join(str(item) for item in items)


def rows(queryset: QuerySet, columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([header for header, _ in columns])
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow([_cell(get(obj)) for _, get in columns])


def csv_response(queryset: QuerySet, columns: list[Column], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows(queryset, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
