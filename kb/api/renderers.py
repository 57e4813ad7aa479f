"""The API's own renderers: ``?format=csv`` and ``?format=sipri`` (rows from ``kb.exports``), and STIX."""

from __future__ import annotations

import json

from rest_framework.exceptions import NotAcceptable
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
    """DRF's negotiation, with every format or Accept header it cannot serve answered 406.

    DRF answers an unknown ``?format=`` with 404 and takes an empty one for no value (carrying
    ``?format=`` into every link it writes); here both are 406, as an Accept header nothing
    serves is, and the answer names the formats and media types that are served.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if format_suffix:
            # A path such as /actors/1.5/ reads as id 1 in format "5": it names no resource (404).
            return super().select_renderer(request, renderers, format_suffix)
        asked = request.query_params.get(name) if name and name in request.query_params else None
        if asked is not None and not any(renderer.format == asked for renderer in renderers):
            if not asked:
                raise NotAcceptable(f"?{name}= is empty: name a format or leave it out; {served(renderers, name)}.")
            raise NotAcceptable(f"The format “{asked[:40]}” is not served here; {served(renderers, name)}.")
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable as exc:
            accept = request.META.get("HTTP_ACCEPT", "")[:100]
            raise NotAcceptable(f"Nothing here is served as “{accept}”; {served(renderers, name)}.") from exc


def served(renderers, name: str) -> str:
    """The formats and media types ``renderers`` serve, as a sentence's second half."""
    formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
    types = ", ".join(dict.fromkeys(renderer.media_type for renderer in renderers))
    return f"give ?{name}= one of {formats}, or accept one of {types}"
