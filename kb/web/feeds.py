"""Feeds of newly accepted claims (Django's syndication framework), as Atom and as JSON Feed 1.1.

Four feeds, each in both formats: the whole knowledge base, one actor (the claims about it),
one source (the claims quoting it) and a saved search (``?q=``). Each item is a claim: its
paraphrase or quote as title, the claim's page as link, and as content the quote, its citation
and the records it backs. A feed reader signs in as nobody, so feeds hold accepted claims only.
"""

from __future__ import annotations

import json

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed, rfc3339_date
from django.utils.http import urlencode

from kb.models import Actor, Source
from kb.selectors import visible_sources
from kb.selectors.watch import FEED_ITEMS, latest_accepted_claims
from kb.web.forms import SearchFeedForm, form_problems

SITE_TITLE = "kb: Russia–North Korea relations"


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written from the same items as the Atom feed."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = self.feed
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(document, ensure_ascii=False, indent=1).encode(encoding))

    @staticmethod
    def _item(item: dict) -> dict:
        entry = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "content_html": item["description"],
            "date_published": rfc3339_date(item["pubdate"]) if item["pubdate"] else None,
            "date_modified": rfc3339_date(item["updateddate"]) if item["updateddate"] else None,
            "tags": list(item["categories"] or ()),
        }
        if item["author_name"]:
            entry["authors"] = [{"name": item["author_name"]}]
        return {key: value for key, value in entry.items() if value not in (None, [])}


class AcceptedClaimsFeed(Feed):
    """The newest accepted claims of the whole knowledge base."""

    feed_type = Atom1Feed
    description_template = "kb/feeds/claim.html"
    route = "kb:feed-claims-atom"

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj) -> str:
        return f"{SITE_TITLE}: newly accepted claims"

    def subtitle(self, obj) -> str:
        return f"The {FEED_ITEMS} claims most recently accepted by an editor, each with its quote and source."

    description = subtitle

    def link(self, obj) -> str:
        return reverse("kb:home")

    def feed_url(self, obj) -> str:
        return reverse(self.route, kwargs=self.route_kwargs(obj))

    def route_kwargs(self, obj) -> dict:
        return {}

    def items(self, obj):
        return latest_accepted_claims()

    def item_title(self, claim) -> str:
        text = claim.statement or claim.quote
        return text if len(text) <= 140 else text[:139].rsplit(" ", 1)[0] + "…"

    def item_link(self, claim) -> str:
        return claim.get_absolute_url()

    def item_pubdate(self, claim):
        return claim.reviewed_at or claim.created_at

    def item_updateddate(self, claim):
        return claim.updated_at

    def item_author_name(self, claim) -> str:
        return claim.source.byline or claim.source.publisher

    def item_categories(self, claim) -> list[str]:
        return [claim.get_modality_display(), *(actor.name for actor in claim.subjects.all())]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = context["claim"] = kwargs["item"]
        context["origin"] = kwargs["request"].build_absolute_uri("/").rstrip("/")
        context["citation_url"] = f"{context['origin']}{claim.source.get_absolute_url()}#q{claim.pk}"
        return context


class ActorFeed(AcceptedClaimsFeed):
    """The newest accepted claims about one actor."""

    route = "kb:feed-actor-atom"

    def get_object(self, request, slug: str):
        return get_object_or_404(Actor, slug=slug)

    def title(self, actor) -> str:
        return f"{SITE_TITLE}: {actor.name}"

    def subtitle(self, actor) -> str:
        return f"The {FEED_ITEMS} claims about {actor.name} most recently accepted by an editor."

    description = subtitle

    def link(self, actor) -> str:
        return actor.get_absolute_url()

    def route_kwargs(self, actor) -> dict:
        return {"slug": actor.slug}

    def items(self, actor):
        return latest_accepted_claims(actor=actor)


class SourceFeed(AcceptedClaimsFeed):
    """The newest accepted claims quoting one source."""

    route = "kb:feed-source-atom"

    def get_object(self, request, pk: int):
        return get_object_or_404(
            visible_sources(user=request.user, queryset=Source.objects.defer("text", "furniture_note")), pk=pk
        )

    def title(self, source) -> str:
        return f"{SITE_TITLE}: {source.title}"

    def subtitle(self, source) -> str:
        return f"The {FEED_ITEMS} claims quoting “{source.title}” most recently accepted by an editor."

    description = subtitle

    def link(self, source) -> str:
        return source.get_absolute_url()

    def route_kwargs(self, source) -> dict:
        return {"pk": source.pk}

    def items(self, source):
        return latest_accepted_claims(source=source)


class SearchFeed(AcceptedClaimsFeed):
    """A saved search: the newest accepted claims matching ``?q=``."""

    route = "kb:feed-search-atom"

    def __call__(self, request, *args, **kwargs):
        form = SearchFeedForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(" ".join(form_problems(form)), content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        form = SearchFeedForm(request.GET)
        form.is_valid()  # checked in __call__
        return form.cleaned_data["q"]

    def title(self, q) -> str:
        return f"{SITE_TITLE}: search “{q}”"

    def subtitle(self, q) -> str:
        return f"The {FEED_ITEMS} newest accepted claims matching “{q}”."

    description = subtitle

    def link(self, q) -> str:
        return f"{reverse('kb:search')}?{_query(q)}"

    def feed_url(self, q) -> str:
        return f"{reverse(self.route)}?{_query(q)}"

    def items(self, q):
        return latest_accepted_claims(q=q)


def _query(q: str) -> str:
    return urlencode({"q": q})


def json_variant(feed_class: type[AcceptedClaimsFeed]) -> type[AcceptedClaimsFeed]:
    """The same feed written as JSON Feed, at the route named like the Atom one with ``json``."""
    route = feed_class.route.replace("-atom", "-json")
    return type(feed_class.__name__ + "Json", (feed_class,), {"feed_type": JsonFeed, "route": route})


FEEDS = {
    "claims": AcceptedClaimsFeed,
    "actor": ActorFeed,
    "source": SourceFeed,
    "search": SearchFeed,
}
JSON_FEEDS = {name: json_variant(feed) for name, feed in FEEDS.items()}
