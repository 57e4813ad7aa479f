"""Watching the knowledge base: feeds of newly accepted claims (Atom, JSON Feed) and the changes page."""

from __future__ import annotations

import datetime as dt
import json
import re

import feedparser
import pytest
from django.test import Client
from django.utils import timezone

from kb import services
from kb.choices import ClaimStatus
from kb.models import Actor, Claim
from tests.world import build_world

pytestmark = pytest.mark.django_db

FEEDS = ("atom", "json")


@pytest.fixture
def world(editor):
    """CORE with Putin and the Sŭngri refinery; the rumour about Sŭngri stays proposed."""
    return build_world(
        editor,
        *("dprk", "russia", "kim", "putin", "vostochny", "sungri", "source"),
        *("meeting", "shells", "treaty_claim", "proposed", "rumour", "summit", "transfer"),
        transfer={"evidence": ["shells"]},
    )


def read(client: Client, url: str, fmt: str) -> list[dict]:
    """The feed's items as a feed reader sees them: link, title, content, dates."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    if fmt == "atom":
        assert response["Content-Type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        return [
            {"url": e.link, "title": e.title, "content": e.summary, "published": e.published, "id": e.id}
            for e in parsed.entries
        ]
    assert response["Content-Type"].startswith("application/feed+json")
    document = json.loads(response.content)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"].endswith(url.split("?")[0] + ("?" + url.split("?")[1] if "?" in url else ""))
    return [
        {"url": i["url"], "title": i["title"], "content": i["content_html"], "published": i["date_published"]}
        for i in document["items"]
    ]


def claim_ids(items) -> list[int]:
    return [int(re.search(r"/claims/(\d+)/$", item["url"])[1]) for item in items]


def accept(claim, editor) -> None:
    services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)


@pytest.mark.parametrize("fmt", FEEDS)
def test_the_whole_base_feed_holds_accepted_claims_newest_accepted_first(world, editor, client, fmt):
    accept(world["rumour"], editor)  # accepted last: first in the feed, though created earlier than others
    items = read(client, f"/feeds/claims.{fmt}", fmt)
    ids = claim_ids(items)
    assert ids[0] == world["rumour"].pk
    assert world["proposed"].pk not in ids
    accepted = Claim.objects.filter(status=ClaimStatus.ACCEPTED).order_by("-reviewed_at", "-pk")
    assert ids == list(accepted.values_list("pk", flat=True))
    assert all(item["url"].startswith("http://testserver/claims/") for item in items)


@pytest.mark.parametrize("fmt", FEEDS)
def test_an_item_carries_its_quote_citation_and_the_records_it_backs(world, client, fmt):
    items = read(client, f"/feeds/claims.{fmt}", fmt)
    shells = next(item for item in items if claim_ids([item]) == [world["shells"].pk])
    content = shells["content"]
    assert "North Korea is expected to sell artillery shells to Russia." in content
    assert "<cite" in content and "Summit at Vostochny" in content and "(Test Wire, 1 July 2024)" in content
    assert f"/transfers/{world['transfer'].pk}/" in content  # the record it backs, linked
    assert shells["title"] == "Shells <i>expected</i>."  # the paraphrase, as text


@pytest.mark.parametrize("fmt", FEEDS)
def test_an_actors_feed_holds_the_accepted_claims_about_it(world, editor, client, fmt):
    ids = claim_ids(read(client, f"/actors/{world['kim'].slug}/claims.{fmt}", fmt))
    assert set(ids) == {world["meeting"].pk, world["treaty_claim"].pk}
    assert claim_ids(read(client, f"/actors/{world['sungri'].slug}/claims.{fmt}", fmt)) == []  # only proposed
    accept(world["rumour"], editor)
    assert claim_ids(read(client, f"/actors/{world['sungri'].slug}/claims.{fmt}", fmt)) == [world["rumour"].pk]


@pytest.mark.parametrize("fmt", FEEDS)
def test_a_sources_feed_and_a_saved_search(world, client, fmt):
    source_ids = claim_ids(read(client, f"/sources/{world['source'].pk}/claims.{fmt}", fmt))
    assert set(source_ids) == {world["meeting"].pk, world["shells"].pk, world["treaty_claim"].pk}
    search_ids = claim_ids(read(client, f"/search/claims.{fmt}?q=artillery+shells", fmt))
    assert search_ids == [world["shells"].pk]
    # A proposed claim matching the search stays out of it.
    assert claim_ids(read(client, f"/search/claims.{fmt}?q=continuous+supply", fmt)) == []


@pytest.mark.parametrize("fmt", FEEDS)
def test_feeds_are_the_same_for_editors(world, editor, fmt):
    """A feed reader signs in as nobody: a feed never holds what an editor alone may see."""
    client = Client()
    client.force_login(editor)
    ids = claim_ids(read(client, f"/actors/{world['russia'].slug}/claims.{fmt}", fmt))
    assert world["proposed"].pk not in ids


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/search/claims.atom", 400, "needs a query"),
        ("/search/claims.json?q=%20", 400, "needs a query"),
        ("/search/claims.atom?q=" + "x" * 201, 400, "at most 200"),
        ("/search/claims.atom?q=%21%21", 400, "no letter or digit"),
        ("/actors/no-such-actor/claims.atom", 404, ""),
        ("/sources/999999/claims.json", 404, ""),
    ],
)
def test_bad_feed_addresses(world, client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.content.decode()


def test_pages_announce_their_feeds(world, client):
    pages = {
        "/": "/feeds/claims.atom",
        f"/actors/{world['kim'].slug}/": f"/actors/{world['kim'].slug}/claims.atom",
        f"/sources/{world['source'].pk}/": f"/sources/{world['source'].pk}/claims.atom",
        "/search/?q=Kim": "/search/claims.atom?q=Kim",
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html, page
        assert f'href="{feed}"' in html, page
        assert f'href="{feed.replace(".atom", ".json")}"' in html, page


@pytest.mark.parametrize("fmt", FEEDS)
def test_a_feeds_queries_do_not_grow_with_its_items(world, editor, client, django_assert_num_queries, fmt):
    """The claims, their subjects, and the events, transfers (with their two actors), agreements and
    relationships (with theirs) they back: eight queries, however many items."""
    accept(world["rumour"], editor)
    with django_assert_num_queries(8):
        items = read(client, f"/feeds/claims.{fmt}", fmt)
    assert len(items) >= 4


# --- the changes page ----------------------------------------------------------------------


def changes(client, query: str = "") -> tuple[int, str]:
    response = client.get(f"/changes/{query}")
    return response.status_code, response.content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r"<h2>(?:<a href=\"[^\"]*\">)?(.*?)(?:</a>)?</h2>", html)


def test_changes_show_readers_accepted_records_only(world, editor, client, analyst):
    status, html = changes(client)
    assert status == 200
    assert "SECRET-PROPOSED" not in html and "continuous supply" not in html  # the proposed claim
    assert "Sŭngri refinery, a rumour said" not in html
    assert "Kim and Putin met at Vostochny in September 2023." in html
    as_editor = Client()
    as_editor.force_login(editor)
    _, html = changes(as_editor)
    assert "SECRET-PROPOSED" in html
    assert "by editor" in html  # editors see who made each change


def test_a_rejected_claims_earlier_accepted_versions_are_hidden(world, editor, client):
    services.claim_review(world["shells"], user=editor, status=ClaimStatus.REJECTED)
    _, html = changes(client)
    assert "artillery shells" not in html and "Shells &lt;i&gt;expected" not in html


def test_a_change_shows_the_fields_it_moved(world, editor, client):
    services.claim_update(world["meeting"], user=editor, statement="Kim met Putin at Vostochny.")
    _, html = changes(client, "?type=claim")
    assert "<dt>Statement</dt>" in html
    assert "<del>Kim and Putin met at Vostochny in September 2023.</del>" in html
    assert "<ins>Kim met Putin at Vostochny.</ins>" in html
    services.claim_update(world["meeting"], user=editor, subjects=[world["kim"], world["putin"]])
    _, html = changes(client, "?type=claim")
    assert "<dt>Subjects</dt><dd><del>Vostochny Cosmodrome</del>" in html


def test_changes_filter_by_actor_type_and_date(world, editor, client):
    _, html = changes(client, f"?actor={world['sungri'].slug}")
    assert titles(html) == [world["sungri"].name]  # its own creation; the rumour is proposed
    _, html = changes(client, f"?actor={world['sungri'].slug},{world['putin'].slug}")  # either of them
    assert {world["sungri"].name, world["putin"].name} <= set(titles(html))
    assert "Kim and Putin met at Vostochny in September 2023." in titles(html)  # a claim about Putin
    _, html = changes(client, "?type=arms-transfer")
    assert {"arms transfer"} == set(re.findall(r'<span class="badge">(.*?)</span>', html))
    future = (timezone.now() + dt.timedelta(days=400)).year
    status, html = changes(client, f"?since={future}")
    assert status == 200 and "No changes" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?since=2026-13", "is not a date"),
        ("?actor=nobody-at-all", "No actor has the id or slug “nobody-at-all”."),
        ("?before=yesterday", "not a place in the list of changes"),
        ("?type=planet", "Select a valid choice"),
    ],
)
def test_bad_parameters_of_the_changes_page(world, client, query, message):
    status, html = changes(client, query)
    assert status == 400
    assert message in html


def test_older_changes_page_through_every_version_once(world, editor, client, monkeypatch):
    monkeypatch.setattr("kb.web.views.watch.CHANGES_PER_PAGE", 4)
    as_editor = Client()
    as_editor.force_login(editor)
    seen, query, pages = [], "?type=claim&type=actor", 0
    while True:
        status, html = changes(as_editor, query)
        assert status == 200
        seen += re.findall(r'<time datetime="([^"]+)"', html)
        pages += 1
        older = re.search(r'<a rel="next" href="([^"]+)"', html)
        if not older:
            break
        query = older[1].replace("&amp;", "&")
    expected = Claim.history.count() + Actor.history.count()
    assert len(seen) == expected and pages == -(-expected // 4)
    assert seen == sorted(seen, reverse=True)


def test_the_changes_page_costs_what_it_shows(world, editor, client, django_assert_max_num_queries):
    """A few queries per record type (its versions, the look-back check, the versions before them, their
    lists' histories, the records' pages, the names), whatever the number of changes on the page.

    The source's second version (published when its first claim was accepted) brings the
    versions before it: three queries for the type, not one per change."""
    with django_assert_max_num_queries(38):
        status, html = changes(client)
    before = len(re.findall("<time ", html))
    for claim in (world["meeting"], world["shells"], world["treaty_claim"]):
        services.claim_update(claim, user=editor, credibility=1, statement="Edited.")
    with django_assert_max_num_queries(38):
        status, html = changes(client)
    assert status == 200 and len(re.findall("<time ", html)) == before + 3


def test_a_rare_actors_changes_are_found_past_the_look_back(world, editor, monkeypatch):
    """Each page looks through a bounded number of versions per type; "Older changes" goes on from there."""
    monkeypatch.setattr("kb.selectors.watch.CHANGES_SCAN", 2)
    as_editor = Client()
    as_editor.force_login(editor)
    query, seen, notices = f"?actor={world['sungri'].slug}", [], 0
    for _ in range(100):
        status, html = changes(as_editor, query)
        assert status == 200
        seen += re.findall(r'<time datetime="([^"]+)"', html)
        notices += "looks further back" in html
        older = re.search(r'<a rel="next" href="([^"]+)"', html)
        if not older:
            break
        query = older[1].replace("&amp;", "&")
    expected = Claim.history.filter(id=world["rumour"].pk).count() + Actor.history.filter(id=world["sungri"].pk).count()
    assert len(seen) == len(set(seen)) == expected
    assert notices > 0


def test_changes_link_evidence_claims_and_lead_back_to_the_latest(world, editor, client, monkeypatch):
    services.transfer_update(world["transfer"], user=editor, evidence=[world["shells"], world["meeting"]])
    _, html = changes(client, "?type=arms-transfer")
    assert f'<a href="/claims/{world["meeting"].pk}/">claim {world["meeting"].pk}</a>' in html
    monkeypatch.setattr("kb.web.views.watch.CHANGES_PER_PAGE", 1)
    _, first = changes(client)
    older = re.search(r'<a rel="next" href="([^"]+)"', first)[1].replace("&amp;", "&")
    _, second = changes(client, older)
    assert '<a href="/changes/">Latest changes</a>' in second and "Latest changes" not in first
