"""The API's own renderers: ``?format=csv`` (the rows come from ``kb.exports``, streamed by the list view)."""

from __future__ import annotations

import json

from rest_framework.renderers import BaseRenderer


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
