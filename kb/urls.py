"""URL configuration: the analyst UI at /, the REST API under /api/, the admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("kb.api.urls")),
    path("", include("kb.web.urls")),
]
