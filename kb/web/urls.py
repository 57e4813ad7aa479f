"""Routes of the analyst UI."""

from django.urls import path

from kb.web import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement-detail"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers.csv", views.transfer_list, name="transfer-csv"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("graph/", views.graph, name="graph"),
    path("search/", views.search, name="search"),
]
