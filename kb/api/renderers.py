"""The API's own renderers: ``?format=csv`` and ``?format=sipri`` (rows from ``kb.exports``), and STIX."""

from __future__ import annotations

import json

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
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


class StixRenderer(BaseRenderer):
    """STIX 2.1 JSON (``application/stix+json;version=2.1``); errors are sent as plain JSON."""

    # Without the version, so that any Accept of STIX (or */*) chooses it; the answer names the version.
    media_type = "application/stix+json"
    format = "stix"
    charset = None
    content_type = "application/stix+json;version=2.1"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = self.content_type if response.status_code < 400 else "application/json"
        return json.dumps(data, ensure_ascii=False, indent=2).encode()


class SipriRenderer(CSVRenderer):
    """Announces text/csv for ``?format=sipri`` on arms transfers: SIPRI's Trade Register layout."""

    format = "sipri"


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with an empty ``?format=`` answered as any format it does not serve (404).

    DRF would take the empty value for no value and carry ``?format=`` into every link it writes.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if not format_suffix and name and name in request.query_params and not request.query_params[name]:
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise Http404(f"Give ?{name}= one of the formats served here ({formats}) or leave it out.")
        return super().select_renderer(request, renderers, format_suffix)
