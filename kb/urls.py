"""URL configuration: the analyst UI at /, the REST API under /api/, the admin at /admin/."""

from django.urls import include, path

from kb.admin import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("api/", include("kb.api.urls")),
    path("", include("kb.web.urls")),
]
