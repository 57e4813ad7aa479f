"""JSON bodies within bounds: a body nested deeper than the API reads is refused with 400."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def json_depth_over(value, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested more than ``KB_API_MAX_JSON_DEPTH`` levels.

    Python's json module recurses once per level: a 2 KB body of a thousand brackets raised
    RecursionError (a server error) instead of a parse error. No kb body nests more than four
    levels (an agreement's parties), so the limit is generous and cheap to check.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.KB_API_MAX_JSON_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - the body nests too deeply: at most {limit} levels.") from None
        if json_depth_over(data, limit):
            raise ParseError(f"JSON parse error - the body nests more than {limit} levels of lists and objects.")
        return data
