"""GET /api/v1/: where everything in the API is, as absolute URLs (JSON, or the browsable page)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.schemas import DefaultSchema

from kb.api.strict import StrictQueryMixin

# Beside the resources the router registers: what else a client may want to find from the root.
ENTRY_POINTS = {
    "search": ("api:search", "Search every kind of record: GET with ?q=."),
    "ingest": ("api:ingest", "Store an article and propose claims from it (editors): POST."),
    "schema": ("api:schema", "The OpenAPI 3 schema of this API."),
    "docs": ("api:docs", "The browsable documentation of this API."),
}


class ApiRootView(StrictQueryMixin, routers.APIRootView):
    """Every resource list, search, ingest, the schema and the docs, each with its absolute URL."""

    schema = DefaultSchema()  # DRF's root leaves the schema; this one is documented like any endpoint

    @extend_schema(
        operation_id="api_root",
        responses={
            200: {
                "type": "object",
                "description": "Name → absolute URL: each resource list, then " + ", ".join(ENTRY_POINTS) + ".",
                "additionalProperties": {"type": "string", "format": "uri"},
                "required": list(ENTRY_POINTS),
            }
        },
    )
    def get(self, request, *args, **kwargs):
        links = {name: reverse(f"api:{route}", request=request) for name, route in (self.api_root_dict or {}).items()}
        links.update({name: reverse(route, request=request) for name, (route, _help) in ENTRY_POINTS.items()})
        return Response(links)


class Router(routers.DefaultRouter):
    """DRF's router, with the root above."""

    APIRootView = ApiRootView
