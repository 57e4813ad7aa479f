"""Routes of the analyst UI."""

from django.urls import path
from django.views.decorators.http import require_safe

from kb.web import views

app_name = "kb"
# Every page only reads: any method but GET and HEAD gets 405 with "Allow: GET, HEAD".
urlpatterns = [
    path("", require_safe(views.home), name="home"),
    path("actors/", require_safe(views.actor_list), name="actor-list"),
    path("actors/<slug:slug>/", require_safe(views.actor_detail), name="actor-detail"),
    path("sources/", require_safe(views.source_list), name="source-list"),
    path("sources/<int:pk>/", require_safe(views.source_detail), name="source-detail"),
    path("claims/<int:pk>/", require_safe(views.claim_detail), name="claim-detail"),
    path("agreements/", require_safe(views.agreement_list), name="agreement-list"),
    path("agreements/<slug:slug>/", require_safe(views.agreement_detail), name="agreement-detail"),
    path("transfers/", require_safe(views.transfer_list), name="transfer-list"),
    path("transfers.csv", require_safe(views.transfer_list), name="transfer-csv"),
    path("transfers.sipri.csv", require_safe(views.transfer_list), name="transfer-sipri"),
    path("transfers/<int:pk>/", require_safe(views.transfer_detail), name="transfer-detail"),
    path("events/", require_safe(views.event_list), name="event-list"),
    path("events/<slug:slug>/", require_safe(views.event_detail), name="event-detail"),
    path("graph/", require_safe(views.graph), name="graph"),
    path("search/", require_safe(views.search), name="search"),
]
