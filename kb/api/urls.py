"""Routes of the REST API: resources under /api/v1/, the OpenAPI schema and the browsable docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from kb.api import views
from kb.api.ingest import IngestView
from kb.api.root import Router
from kb.api.search import SearchView
from kb.api.stix import StixView
from kb.api.views_misc import not_found

app_name = "api"

router = Router()
router.register("actors", views.ActorViewSet, basename="actor")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("sources", views.SourceViewSet, basename="source")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("events", views.EventViewSet, basename="event")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("arms-transfers", views.ArmsTransferViewSet, basename="arms-transfer")
router.register("drafts", views.DraftViewSet, basename="draft")

urlpatterns = [
    path("v1/search/", SearchView.as_view(), name="search"),
    path("v1/ingest/", IngestView.as_view(), name="ingest"),
    path("v1/stix/", StixView.as_view(), name="stix"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so no inline script is needed.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc writes its styles into <style> elements at run time; only this page allows that.
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    re_path(r"^.*$", not_found, name="not-found"),
]
