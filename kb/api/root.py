"""GET /api/v1/: where everything in the API is, as absolute URLs (JSON, or the browsable page)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from kb.api.schema import KbAutoSchema
from kb.api.strict import StrictQueryMixin

# Beside the resources the router registers: what else a client may want to find from the root.
ENTRY_POINTS = {
    "search": ("api:search", "Search every kind of record: GET with ?q=."),
    "ingest": ("api:ingest", "Store an article and propose claims from it (editors): POST."),
    "stix": ("api:stix", "The knowledge base as STIX 2.1 bundles, a page at a time."),
    "schema": ("api:schema", "The OpenAPI 3 schema of this API."),
    "docs": ("api:docs", "The browsable documentation of this API."),
}


class RootSchema(KbAutoSchema):
    """The root's operation, named apart from its ``.json``/``.api`` twin that the router adds."""

    def get_operation_id(self) -> str:
        return "api_root_formatted" if "{format}" in self.path else "api_root"


class ApiRootView(StrictQueryMixin, routers.APIRootView):
    """Every resource list, search, ingest, STIX, the schema and the docs, each with its absolute URL."""

    schema = RootSchema()  # DRF's root leaves the schema; this one is documented like any endpoint

    @extend_schema(
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
