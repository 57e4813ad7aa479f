"""Routes of the analyst UI."""

from django.urls import path
from django.views.decorators.http import require_safe

from kb.web import views
from kb.web.feeds import FEEDS, JSON_FEEDS
from kb.web.views import desk

app_name = "kb"
# Every page but the review desk only reads: any method but GET and HEAD gets 405 with "Allow: GET, HEAD".
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
    path("changes/", require_safe(views.changes), name="changes"),
    # The editors' review desk (kb/web/views/desk.py): the only pages that write, editors only.
    path("review/", desk.desk, name="review"),
    path("review/claims/<int:pk>/", desk.decide, name="review-decide"),
    path("review/claims/<int:pk>/draft/", desk.draft_from_claim, name="review-draft-from-claim"),
    path("review/drafts/<int:pk>/", desk.decide_draft, name="review-draft"),
    # Feeds of newly accepted claims, each as Atom and as JSON Feed (kb/web/feeds.py).
    path("feeds/claims.atom", require_safe(FEEDS["claims"]()), name="feed-claims-atom"),
    path("feeds/claims.json", require_safe(JSON_FEEDS["claims"]()), name="feed-claims-json"),
    path("actors/<slug:slug>/claims.atom", require_safe(FEEDS["actor"]()), name="feed-actor-atom"),
    path("actors/<slug:slug>/claims.json", require_safe(JSON_FEEDS["actor"]()), name="feed-actor-json"),
    path("sources/<int:pk>/claims.atom", require_safe(FEEDS["source"]()), name="feed-source-atom"),
    path("sources/<int:pk>/claims.json", require_safe(JSON_FEEDS["source"]()), name="feed-source-json"),
    path("search/claims.atom", require_safe(FEEDS["search"]()), name="feed-search-atom"),
    path("search/claims.json", require_safe(JSON_FEEDS["search"]()), name="feed-search-json"),
]
