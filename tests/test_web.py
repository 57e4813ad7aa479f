"""Pages of the analyst UI: content, visibility, bad input, escaping and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re

import pytest
from django import forms as django_forms
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kb import exports, filtersets, services
from kb.choices import (
    ActorKind,
    AgreementKind,
    AgreementStatus,
    ClaimStatus,
    EventKind,
    RelationshipPredicate,
    TransferCategory,
    TransferStatus,
)
from kb.dates import PartialDate, span_in_list
from kb.models import Actor, ArmsTransfer
from kb.selectors import visible_claims
from kb.selectors.timeline import periods_between
from kb.web import common, forms
from kb.web.reader import annotate
from kb.web.svg import TimelineItem, timeline_layout
from kb.web.views import records
from tests.helpers import ARTICLE

pytestmark = pytest.mark.django_db

# The pages read the world of the ``kb`` fixture (tests/conftest.py), which tests/browser/ shares.


def get(client, name, *args, query=None, **kwargs):
    url = reverse(f"kb:{name}", args=args, kwargs=kwargs)
    return client.get(url, query or {})


# --- every page renders, for anonymous readers, without leaking proposed claims ---------------


def test_home(client, kb, django_assert_num_queries):
    # Every total in one query; the latest claims, agreements (with parties), transfers, events.
    with django_assert_num_queries(6):
        response = get(client, "home")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Treaty on Comprehensive Strategic Partnership" in html
    assert "152mm shells" in html
    assert "Kim–Putin summit at Vostochny" in html
    assert "<svg" in html
    assert "SECRET-PROPOSED" not in html
    assert "Hidden fuel loading at Sungri" not in html


def test_home_totals_are_cached_until_the_next_write(client, kb, editor, django_assert_num_queries):
    get(client, "home")
    with django_assert_num_queries(5):  # the totals come from the cache
        response = get(client, "home")
    assert response.context["counts"]["actors"] == Actor.objects.count()
    services.actor_create(user=editor, name="Rosoboronexport", kind=ActorKind.ORGANIZATION)
    assert get(client, "home").context["counts"]["actors"] == Actor.objects.count()


def test_actor_list_search_is_alias_aware(client, kb):
    response = get(client, "actor-list", query={"q": "dprk"})
    assert response.status_code == 200
    assert "North Korea" in response.content.decode()
    assert "Vladimir Putin" not in response.content.decode()
    response = get(client, "actor-list", query={"q": "kim jong-un"})
    assert "Kim Jong Un" in response.content.decode()


def test_actor_list_facets_and_query_count(client, kb, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = get(client, "actor-list")
    html = response.content.decode()
    assert "Person" in html and "RU" in html
    response = get(client, "actor-list", query={"kind": "person"})
    html = response.content.decode()
    assert "Kim Jong Un" in html and "Pyongyang</a></h2>" not in html
    # Facet links keep the other facet and drop their own (the tag writes its own "?").
    assert '<a href="/actors/?">All kinds</a>' in html
    assert '<a href="/actors/?kind=person&amp;country_code=RU">' in html
    assert "?kind=state" in html  # the other kinds stay on offer
    response = get(client, "actor-list", query={"country_code": "KP"})
    assert "Vladimir Putin" not in response.content.decode()


def test_actor_dossier(client, kb, django_assert_num_queries):
    # 10 reads (the agreements' parties bring the evidence of their steps) plus one for every total:
    # the 4 sections' and the claims' (which the claims' pager used to count apart), kept under the
    # data's version. Each section shows at most SECTION_LIMIT rows.
    with django_assert_num_queries(11):
        response = get(client, "actor-detail", slug=kb["kim"].slug)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kim Jong-un" in html  # alias
    assert "leader of" in html
    assert "Kim–Putin summit at Vostochny" in html
    assert "Treaty on Comprehensive Strategic Partnership" in html
    assert "Kim and Putin met at Vostochny" in html
    assert 'class="graph"' in html
    dprk = get(client, "actor-detail", slug=kb["dprk"].slug).content.decode()
    assert "152mm shells" in dprk and "Supplied by North Korea" in dprk
    assert "Hidden missile shipment" not in dprk
    # The dossier's timeline zooms to the years of its events, on the events page filtered to the actor.
    nav = re.search(r'<nav class="tl-zoom".*?</nav>', html, re.S)[0]
    years = {label for label in re.findall(r">(\d{4}s?)</a>", nav)}
    assert "2023" in years
    assert f'href="{reverse("kb:event-list")}?actor={kb["kim"].slug}&amp;date_from=2023&amp;date_to=2023"' in nav


def test_source_reader_highlights_claims(client, kb, django_assert_num_queries):
    # The source, its authors, every visible claim's offsets and grades as plain values (for the
    # highlights), the subjects of those claims (for the reader's choices), the page of claims
    # listed beside the text in full, and their subjects.
    with django_assert_num_queries(6):
        response = get(client, "source-detail", pk=kb["source"].pk)
    html = response.content.decode()
    for key in ("meeting", "nested", "shells", "treaty_claim", "script"):
        assert f'id="q{kb[key].pk}"' in html
        assert reverse("kb:claim-detail", args=[kb[key].pk]) in html
    assert f'id="q{kb["proposed"].pk}"' not in html
    assert "SECRET-PROPOSED" not in html
    # The nested claim gets its own link inside the outer one; the text stays whole.
    assert html.count("Vostochny Cosmodrome</a></mark>") == 1
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert "Summit &lt;b&gt;and&lt;/b&gt; shells" in html


def test_reader_lists_claims_a_page_at_a_time_and_highlights_them_all(client, kb, monkeypatch):
    from kb.web.views import sources

    monkeypatch.setattr(sources, "READER_CLAIMS", 2)
    visible = ("meeting", "nested", "shells", "treaty_claim", "script")
    first = get(client, "source-detail", pk=kb["source"].pk).content.decode()
    last = get(client, "source-detail", pk=kb["source"].pk, query={"page": 3}).content.decode()
    for html in (first, last):
        assert all(f'id="q{kb[key].pk}"' in html for key in visible)  # every claim is highlighted
        assert "5 claims in this article" in html
    # Beside the text: two claims a page, in reading order, with a pager.
    assert f'focus={kb["meeting"].pk}#q{kb["meeting"].pk}"' in first and f'#q{kb["shells"].pk}"' not in first
    assert f'focus={kb["script"].pk}#q{kb["script"].pk}"' in last and f'#q{kb["meeting"].pk}"' not in last
    assert "Page 1 of 3" in first and 'start="5"' in last
    assert get(client, "source-detail", pk=kb["source"].pk, query={"page": 9}).status_code == 400


def _highlighted(html: str) -> set[int]:
    """The claims whose highlight starts in the reader's text."""
    text = html.split('<div class="article-text">')[1].split("</div>")[0]
    return {int(pk) for pk in re.findall(r'id="q(\d+)"', text)}


def test_reader_highlights_only_the_chosen_modality_status_and_subject(client, kb, editor, django_assert_num_queries):
    pk = lambda *keys: {kb[key].pk for key in keys}  # noqa: E731
    url = reverse("kb:source-detail", args=[kb["source"].pk])
    html = get(client, "source-detail", pk=kb["source"].pk, query={"modality": "fact"}).content.decode()
    assert _highlighted(html) == pk("meeting", "treaty_claim")
    assert "<strong>2 of 5</strong> claims highlighted" in html and "2 of 5 claims highlighted</h2>" in html
    assert '<input type="checkbox" name="modality" value="fact" checked>' in html
    # Several modalities; a subject (the actor's slug); together they narrow.
    html = get(client, "source-detail", pk=kb["source"].pk, query={"modality": ["fact", "forecast"]}).content.decode()
    assert _highlighted(html) == pk("meeting", "treaty_claim", "shells")
    query = {"subject": kb["dprk"].slug}
    with django_assert_num_queries(6):
        html = get(client, "source-detail", pk=kb["source"].pk, query=query).content.decode()
    assert _highlighted(html) == pk("shells", "script") and "<strong>2 of 5</strong>" in html
    assert f'<option value="{kb["dprk"].slug}" selected>' in html
    html = get(client, "source-detail", pk=kb["source"].pk, query={**query, "modality": "opinion"}).content.decode()
    assert _highlighted(html) == pk("script")
    # The text stays whole when nothing is highlighted, and the page says how to show all again.
    html = get(client, "source-detail", pk=kb["source"].pk, query={**query, "modality": "fact"}).content.decode()
    assert _highlighted(html) == set() and "Summit &lt;b&gt;and&lt;/b&gt; shells" in html
    assert f'No claim matches these choices. <a href="{url}">Highlight all 5</a>' in html
    # Review status: editors see every claim and may keep to the proposed ones; readers see no such choice.
    assert 'name="status"' not in html
    client.force_login(editor)
    html = get(client, "source-detail", pk=kb["source"].pk, query={"status": "proposed"}).content.decode()
    assert kb["proposed"].pk in _highlighted(html) and not _highlighted(html) & pk("meeting", "shells")
    assert 'name="status" value="proposed" checked' in html


def test_reader_shades_only_the_focused_claim_and_reads_its_furniture_note_once(client, kb):
    source = kb["source"]
    html = get(client, "source-detail", pk=source.pk, query={"modality": "fact"}).content.decode()
    # The list's links keep the choices and name the claim to shade.
    meeting = kb["meeting"].pk
    assert f'href="?modality=fact&amp;focus={meeting}#q{meeting}"' in html
    assert " focus" not in html.split('<div class="article-text">')[1].split("</div>")[0]
    html = get(client, "source-detail", pk=source.pk, query={"modality": "fact", "focus": meeting}).content.decode()
    text = html.split('<div class="article-text">')[1].split("</div>")[0]
    shaded = re.findall(r'<mark class="([^"]*\bfocus\b[^"]*)" data-claims="([^"]*)"', text)
    assert shaded and all(str(meeting) in claims.split() for _, claims in shaded)
    assert all(
        "focus" not in classes
        for classes, claims in re.findall(r'<mark class="([^"]*)" data-claims="([^"]*)"', text)
        if str(meeting) not in claims.split()
    )
    # Numbers in the list are text, so two- and three-digit ones are never clipped.
    assert '<span class="num" aria-hidden="true">1.</span>' in html
    source.furniture_note = "Removed as page furniture: the masthead line and the photo caption."
    source.save(update_fields=["furniture_note"])
    html = get(client, "source-detail", pk=source.pk).content.decode()
    assert "Removed from the page: the masthead line and the photo caption.</p>" in html
    assert html.count("Removed") == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"modality": "rumour"}, "“rumour” is not a modality; choose among the ones listed."),
        ({"subject": "nobody"}, "No claim in this article is about “nobody”; choose one of the actors listed."),
        ({"status": "sealed"}, "“sealed” is not a review status; choose among the ones listed."),
        ({"focus": "x"}, "Claim shown: "),
    ],
)
def test_reader_bad_choices_are_explained(client, kb, query, message):
    response = get(client, "source-detail", pk=kb["source"].pk, query=query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "notice-error" in html
    assert len(_highlighted(html)) == 5  # the bad choice is left out; the rest of the page stands


def test_dossier_claims_reach_a_bounded_depth(client, kb, monkeypatch):
    from kb.selectors import dossiers

    monkeypatch.setattr(dossiers, "CLAIMS_REACH", 1)
    html = get(client, "actor-detail", slug=kb["kim"].slug).content.decode()
    assert "Claims (2)" in html
    assert "These pages reach the newest 1 of 2 claims" in html
    assert f"/api/v1/claims/?subject={kb['kim'].slug}&amp;cursor=" in html
    assert get(client, "actor-detail", slug=kb["kim"].slug, query={"page": 2}).status_code == 400


def test_dossier_graph_draws_the_most_linked_neighbours(client, kb, monkeypatch):
    from kb.web.views import actors

    full = get(client, "actor-detail", slug=kb["dprk"].slug).content.decode()
    assert "more are in the sections" not in full
    monkeypatch.setattr(actors, "GRAPH_NEIGHBOURS", 1)
    html = get(client, "actor-detail", slug=kb["dprk"].slug).content.decode()
    assert '<title id="ego-title">2 actors and' in html
    assert "The 1 neighbours with the most links on this page; 1 more are in the sections." in html


def test_source_list(client, kb, make_source, django_assert_num_queries):
    make_source(title="Second", public=True)
    make_source(title="Third", public=True)
    make_source(title="Fourth, waiting for review")
    with django_assert_num_queries(2):
        response = get(client, "source-list")
    html = response.content.decode()
    assert "Second" in html and "Third" in html and "Fourth" not in html


def test_claim_page(client, kb, django_assert_num_queries):
    with django_assert_num_queries(10):  # one a kind of record it backs, agreement parties' steps among them
        response = get(client, "claim-detail", pk=kb["meeting"].pk)
    html = response.content.decode()
    assert "Kim and Putin met at Vostochny in September 2023." in html
    assert "September 2023" in html
    assert "Kim–Putin summit at Vostochny" in html  # the event it backs
    assert "leader of" in html  # the relationship it backs
    assert "updates" in html  # the treaty claim updates it
    shells = get(client, "claim-detail", pk=kb["shells"].pk).content.decode()
    assert "152mm shells" in shells
    # The proposed claim that supports it stays hidden, though its words share the paragraph.
    assert reverse("kb:claim-detail", args=[kb["proposed"].pk]) not in shells
    assert "SECRET-PROPOSED" not in shells
    assert "Shells &lt;i&gt;expected&lt;/i&gt;." in shells


def test_proposed_claim_is_404_for_readers_and_visible_to_editors(client, kb, editor):
    assert get(client, "claim-detail", pk=kb["proposed"].pk).status_code == 404
    client.force_login(editor)
    response = get(client, "claim-detail", pk=kb["proposed"].pk)
    assert response.status_code == 200
    assert "SECRET-PROPOSED" in response.content.decode()
    reader = get(client, "source-detail", pk=kb["source"].pk).content.decode()
    assert f'id="q{kb["proposed"].pk}"' in reader


def test_agreements(client, kb, editor, django_assert_num_queries):
    services.agreement_create(
        user=editor,
        title="Second",
        kind=AgreementKind.AGREEMENT,
        status=AgreementStatus.SIGNED,
        evidence=[kb["meeting"]],
    )
    services.agreement_create(
        user=editor, title="Third", kind=AgreementKind.AGREEMENT, status=AgreementStatus.SIGNED, evidence=[kb["shells"]]
    )
    with django_assert_num_queries(4):
        response = get(client, "agreement-list")
    html = response.content.decode()
    assert "Treaty on Comprehensive Strategic Partnership" in html and "Third" in html
    assert "19 June 2024" in html and "Pyongyang" in html
    with django_assert_num_queries(
        6
    ):  # the agreement, its parties, their evidence, provisions, their evidence, its evidence
        response = get(client, "agreement-detail", slug=kb["treaty"].slug)
    html = response.content.decode()
    assert "Article 4" in html and "Mutual defence" in html
    assert "Vladimir Putin" in html and "4 December 2024" in html


def test_transfers_register_filters_and_csv(client, kb, editor, django_assert_num_queries):
    for n in range(3):
        services.transfer_create(
            user=editor,
            supplier=kb["dprk"],
            recipient=kb["russia"],
            category=TransferCategory.MISSILES,
            designation=f"KN-2{n}",
            description="Ballistic missiles.",
            status=TransferStatus.CONFIRMED,
            evidence=[kb["shells"]],
        )
    # Count, page, evidence; the menus' busiest actors (two counts and their names), cached after.
    with django_assert_num_queries(6):
        response = get(client, "transfer-list")
    with django_assert_num_queries(2):  # the page and its evidence
        response = get(client, "transfer-list")
    html = response.content.decode()
    assert "152mm shells" in html and "KN-22" in html and "Hidden missile shipment" not in html
    assert "Test Wire" in html  # who says so
    response = get(client, "transfer-list", query={"category": "ammunition", "supplier": kb["dprk"].slug})
    html = response.content.decode()
    assert "152mm shells" in html and "KN-21" not in html
    response = get(client, "transfer-list", query={"category": "ammunition", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # streamed row by row, like the API's CSV
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["designation"] for row in rows] == ["152mm shells"]
    assert rows[0]["supplier"] == "North Korea" and rows[0]["quantity_high"] == "3000000"
    assert rows[0]["period_start"] == "2023-08"
    assert rows[0]["reported_by"].startswith("'=")  # no spreadsheet formulas
    assert "Test Wire" in rows[0]["evidence_sources"]
    response = client.get("/transfers.csv")
    assert len(list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))) == 4


def register_csv(client) -> dict[str, dict[str, str]]:
    body = b"".join(client.get("/transfers.csv").streaming_content).decode()
    return {row["id"]: row for row in csv.DictReader(io.StringIO(body))}


def test_transfer_register_csv_is_one_query_with_evidence_in_source_order(
    client, kb, editor, make_source, make_claim, accepted, monkeypatch, django_assert_num_queries
):
    # Two rows a chunk, fetched and written: the transfers below span several chunks.
    monkeypatch.setattr(exports, "CHUNK", 2)
    # Django asks the database once per connection whether it has JSON functions (the rows' evidence
    # ids come as a JSON array); asked here, so that the count is the export's whichever test runs first.
    assert connection.features.supports_json_field
    with django_assert_num_queries(1):
        assert len(register_csv(client)) == 1
    # Sources published in either order of their ids, one undated; claims in either order of
    # their place in the article; one claim proposed (only editors see it).
    sources = [
        make_source(publisher="Wire A", published_on="2024-07-01"),
        make_source(publisher="Wire B", published_on="2021-03"),
        make_source(publisher="Wire C", published_on=None),
    ]
    quotes = [paragraph.split(". ")[0].rstrip(".") + "." for paragraph in ARTICLE.split("\n\n")]
    claims = [make_claim(quote=quote, source=source) for source in sources for quote in reversed(quotes)]
    for claim in claims[:-1]:
        accepted(claim)
    for n in range(5):
        services.transfer_create(
            user=editor,
            supplier=kb["dprk"],
            recipient=kb["russia"],
            category=TransferCategory.MISSILES,
            designation=f"R-{n}",
            description="Missiles.",
            status=TransferStatus.REPORTED,
            evidence=claims[n:] if n % 2 else claims[::-1][n:],
        )
    with django_assert_num_queries(1):
        rows = register_csv(client)
    assert len(rows) == 6
    client.force_login(editor)
    every = register_csv(client)
    assert len(every) == 7  # and the hidden transfer
    # As the record's page lists them: by the sources' publication, then source and place in it.
    for user, found in ((None, rows), (editor, every)):
        for transfer in ArmsTransfer.objects.filter(pk__in=[int(pk) for pk in found]):
            evidence = list(
                visible_claims(user=user, queryset=transfer.evidence.select_related("source")).order_by(
                    "source__published_on", "source_id", "start"
                )
            )
            row = found[str(transfer.pk)]
            assert row["evidence_claims"] == " ".join(
                f"http://testserver{reverse('kb:claim-detail', kwargs={'pk': claim.pk})}" for claim in evidence
            )
            sources_named = dict.fromkeys(f"{claim.source.publisher}: {claim.source.title}" for claim in evidence)
            assert row["evidence_sources"] == "; ".join(sources_named)
            assert row["url"] == f"http://testserver{reverse('kb:transfer-detail', kwargs={'pk': transfer.pk})}"


def test_transfer_menus_offer_the_busiest_actors_and_the_chosen_ones(client, kb, editor, monkeypatch):
    monkeypatch.setattr(records, "MENU_ACTORS", 1)
    busy = services.actor_create(user=editor, name="Busy Supplier", kind=ActorKind.ORGANIZATION)
    for n in range(2):
        services.transfer_create(
            user=editor,
            supplier=busy,
            recipient=kb["russia"],
            category=TransferCategory.MISSILES,
            designation=f"B-{n}",
            description="Missiles.",
            status=TransferStatus.REPORTED,
            evidence=[kb["shells"]],
        )
    menu = get(client, "transfer-list").context["filterset"].form.fields["supplier"].widget.choices
    assert [name for _slug, name in menu] == ["Any", "Russia"]  # in three transfers, all others in fewer
    response = get(client, "transfer-list", query={"supplier": kb["dprk"].slug})
    menu = response.context["filterset"].form.fields["supplier"].widget.choices
    assert [name for _slug, name in menu] == ["Any", "North Korea", "Russia"]


def test_transfer_detail(client, kb, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = get(client, "transfer-detail", pk=kb["transfer"].pk)
    html = response.content.decode()
    assert "1000000–3000000 rounds" in html
    assert "North Korea is expected to sell artillery shells to Russia." in html


def test_events_timeline(client, kb, django_assert_num_queries):
    # The events grouped by year (number, span), the events to draw, a page of the list.
    with django_assert_num_queries(3):
        response = get(client, "event-list")
    html = response.content.decode()
    assert "Kim–Putin summit at Vostochny" in html and "Hidden fuel loading at Sungri" not in html
    # A day is a point; February 2022 is a span over the whole month.
    assert "<circle" in html and "precision-month" in html
    assert "tl-bar" not in html
    response = get(client, "event-list", query={"date_from": "2023-09", "date_to": "2023-09"})
    html = response.content.decode()
    assert "Kim–Putin summit" in html and "Russian invasion of Ukraine</a>" not in html
    # A zoom says how to zoom out: to the year around the month, or to all dates.
    assert 'href="?date_from=2023&amp;date_to=2023" rel="up">2023</a>' in html
    assert f'href="{reverse("kb:event-list")}" rel="up">all dates</a>' in html


def _events(editor, kb, starts, *, kind=EventKind.MEETING, title="Meeting"):
    """Events that readers see (backed by an accepted claim), one per partial date in ``starts``."""
    claim = _backing(kb)
    return [
        services.event_create(user=editor, title=f"{title} {n}", kind=kind, start_on=start, evidence=[claim])
        for n, start in enumerate(starts)
    ]


def test_events_list_is_paginated_and_keeps_its_filters(client, kb, editor):
    starts = [f"2023-{month:02d}" for month in range(1, 13)] * 3
    _events(editor, kb, starts, kind=EventKind.SUMMIT, title="Summit")
    response = get(client, "event-list", query={"kind": "summit", "q": "summit"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "37 events" in html and "Russian invasion of Ukraine</a>" not in html
    assert "Page 1 of 2" in html and "(1–25 of 37)" in html
    assert 'href="?kind=summit&amp;q=summit&amp;page=2"' in html
    assert html.count('<li><span class="when">') == 25
    response = client.get(reverse("kb:event-list"), {"kind": "summit", "q": "summit", "page": "2"})
    html = response.content.decode()
    assert "Page 2 of 2" in html and html.count('<li><span class="when">') == 12
    assert 'href="?kind=summit&amp;q=summit&amp;page=1"' in html
    # The picture draws every event the filters find, not just the page's.
    assert _wide(html).count('class="tl-item') == 37


def _wide(html: str) -> str:
    """The page up to the timeline's narrow picture (the same items, drawn again for a phone)."""
    return html.split('class="tl-narrow"')[0]


def _bars(html: str) -> dict[str, tuple[dict, int]]:
    """The counted timeline's bars with events: period name -> (zoom parameters, count), from links and tooltips."""
    found = re.findall(r'<a href="\?([^"]+)" class="tl-bar">\s*<title>([^<]+): ([\d,]+) events?</title>', html)
    return {name: (QueryDict(url.replace("&amp;", "&")).dict(), int(count)) for url, name, count in found}


def test_many_events_are_counted_per_year_and_each_year_zooms_to_them(client, kb, editor, monkeypatch):
    monkeypatch.setattr(records, "TIMELINE_EVENTS", 5)
    _events(editor, kb, ["2019-03-01", "2019-07", "2020", "2021-05-05", "2023-01", "2023-02-02"])
    services.event_create(
        user=editor, title="Long war", kind=EventKind.WAR, start_on="2019-06", end_on="2021", evidence=[_backing(kb)]
    )
    response = get(client, "event-list")
    html = response.content.decode()
    assert "8 events, counted per year; choose a year to see its events" in html
    assert "tl-item" not in html and "Hidden event" not in html
    # The span of the data and no more: 2019 to 2023, the empty 2022 drawn without a link.
    assert re.findall(r'<text class="period"[^>]*>(\d+)</text>', _wide(html)) == [
        "2019",
        "2020",
        "2021",
        "2022",
        "2023",
    ]
    assert re.search(r'<g class="tl-bar empty">\s*<title>2022: 0 events</title>', html)
    bars = _bars(html)
    assert bars["2019"] == ({"date_from": "2019", "date_to": "2019"}, 3)
    # A year counts the events under way in it: the war in 2019, 2020 and 2021.
    assert {name: count for name, (_, count) in bars.items()} == {"2019": 3, "2020": 2, "2021": 2, "2023": 3}
    # Each bar leads to exactly the events it counts (the list filters by overlap, as the bars count).
    for name, (query, count) in bars.items():
        zoomed = get(client, "event-list", query=query).content.decode()
        assert f'id="timeline-summary">{count} events ·' in zoomed, name
        assert _wide(zoomed).count('class="tl-item') == count
        assert f'rel="up">the {name[:3]}0s</a>' in zoomed


def test_a_zoomed_year_is_counted_per_month(client, kb, editor, monkeypatch):
    monkeypatch.setattr(records, "TIMELINE_EVENTS", 5)
    _events(editor, kb, ["2023-01-05", "2023-01-20", "2023-03", "2023-09-01", "2023-09-30", "2023-11"])
    _events(editor, kb, ["2022"], title="Elsewhere")
    response = get(client, "event-list", query={"date_from": "2023", "date_to": "2023", "kind": "meeting"})
    html = response.content.decode()
    assert "6 events, counted per month" in html
    bars = _bars(html)
    assert list(bars) == [f"{month} 2023" for month in ("January", "March", "September", "November")]
    assert bars["September 2023"] == ({"kind": "meeting", "date_from": "2023-09", "date_to": "2023-09"}, 2)
    assert re.findall(r'<text class="period"[^>]*>(\w+)</text>', html)[:3] == ["Jan", "Feb", "Mar"]
    zoomed = get(client, "event-list", query=bars["September 2023"][0]).content.decode()
    assert "2 events" in zoomed and _wide(zoomed).count('class="tl-item') == 2 and "Elsewhere" not in zoomed


@pytest.mark.parametrize(("threshold", "created", "queries"), [(60, 3, 3), (60, 40, 3), (5, 20, 2), (5, 70, 2)])
def test_events_page_query_count_does_not_grow_with_the_events(
    client, kb, editor, monkeypatch, django_assert_num_queries, threshold, created, queries
):
    # Drawn: the events grouped by year, the events to draw, the page. Counted per year: no events to draw.
    monkeypatch.setattr(records, "TIMELINE_EVENTS", threshold)
    _events(editor, kb, [f"{2000 + n % 20}-{n % 12 + 1:02d}" for n in range(created)])
    with django_assert_num_queries(queries):
        assert get(client, "event-list").status_code == 200
    # Asked again before the data changes: the timeline is kept under the data's version; only the page is read.
    with django_assert_num_queries(1):
        assert get(client, "event-list").status_code == 200


def _backing(kb):
    """An accepted claim to back new events with: the summit's."""
    return kb["summit"].evidence.get()


def test_events_timeline_stops_at_today(client, kb, editor):
    today = timezone.localdate()
    decade = today.year // 10 * 10
    services.event_create(
        user=editor, title="Border closure", kind=EventKind.OTHER, start_on=f"{decade}s", evidence=[_backing(kb)]
    )
    html = get(client, "event-list").content.decode()
    assert "Border closure" in html
    # The axis ends with this year: its last tick is no later, and the decade's span stops inside it.
    years = [int(year) for year in re.findall(r'text-anchor="(?:start|middle|end)">(\d{4})</text>', html)]
    assert years and max(years) <= today.year
    rect = r'<title>Border closure — the \d{4}s</title>\s*<rect x="([\d.]+)" y="[\d.-]+" width="([\d.]+)"'
    span = re.search(rect, html)
    assert float(span[1]) + float(span[2]) <= 960 - 12


def test_timeline_layout_stops_periods_at_today_and_fits_the_axis():
    today = dt.date(2026, 12, 6)
    layout = timeline_layout(
        [
            TimelineItem("Korean War", "/a", PartialDate.parse("1950"), PartialDate.parse("1953")),
            TimelineItem("Covid-19 border closure", "/b", PartialDate.parse("2020s")),
            TimelineItem("Planned summit", "/c", PartialDate.parse("2027-03")),
        ],
        today=dt.date(2025, 6, 1),
    )
    items = {item.label: item for item in layout.items}
    # Not past today, except for what starts later: the planned summit keeps its month.
    assert items["Planned summit"].x + items["Planned summit"].width <= layout.width - 12
    layout = timeline_layout(
        [
            TimelineItem("Korean War", "/a", PartialDate.parse("1950"), PartialDate.parse("1953")),
            TimelineItem("Covid-19 border closure", "/b", PartialDate.parse("2020s")),
        ],
        today=today,
    )
    labels = [tick.label for tick in layout.ticks]
    assert labels[0] == "1950" and "2020" in labels and "2030" not in labels
    covid = next(item for item in layout.items if item.label.startswith("Covid"))
    # The axis ends with 2026, and the decade stops at 6 December 2026: a few days short of the edge.
    right = covid.x + covid.width
    assert layout.width - 12 - 3 < right < layout.width - 12
    # A zoom cuts the axis and the items to its window.
    zoomed = timeline_layout(
        [TimelineItem("Covid-19 border closure", "/b", PartialDate.parse("2020s"))],
        today=today,
        window=(dt.date(2023, 9, 1), dt.date(2023, 9, 30)),
    )
    assert [tick.label for tick in zoomed.ticks] == ["Sep 2023", "8", "15", "22"]
    assert zoomed.items[0].x == 12 and zoomed.items[0].x + zoomed.items[0].width == zoomed.width - 12


def test_timeline_axis_spans_the_events_shown_without_padding():
    today = dt.date(2026, 12, 6)
    items = [
        TimelineItem("Death of Kim Il-sung", "/a", PartialDate.parse("1994-07-08")),
        TimelineItem("Covid-19 border closure", "/b", PartialDate.parse("2020s")),
    ]
    for layout in (timeline := timeline_layout(items, today=today), timeline.narrow):
        # From the earliest start's year to today's: not back to 1990 nor on to 2030.
        assert (layout.first, layout.last) == (dt.date(1994, 1, 1), dt.date(2026, 12, 31))
        shown = [tick.label for tick in layout.ticks if tick.label]
        assert shown[0] == "1994" and "1990" not in shown and "2030" not in shown
        assert all(12 <= tick.x <= layout.width - 12 for tick in layout.ticks)
        # Tick labels that are shown never run into each other.
        spans = [
            {"start": (t.x, t.x + len(t.label) * 6.2), "end": (t.x - len(t.label) * 6.2, t.x)}.get(
                t.anchor, (t.x - len(t.label) * 3.1, t.x + len(t.label) * 3.1)
            )
            for t in layout.ticks
            if t.label
        ]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        covid = layout.items[1]
        # The ongoing decade ends at today, a few days short of the axis's end.
        assert layout.width - 12 - 3 < covid.x + covid.width < layout.width - 12


def test_events_page_zooms_to_the_decades_and_years_that_hold_events(client, kb, editor):
    for title, start in (
        ("Armistice", "1953-07-27"),
        ("Summit in Hanoi", "2019-02-27"),
        ("Treaty signed", "2024-06-19"),
    ):
        services.event_create(
            user=editor, title=title, kind=EventKind.SANCTIONS, start_on=start, evidence=[_backing(kb)]
        )

    def zoom(html):
        nav = re.search(r'<nav class="tl-zoom".*?</nav>', html, re.S)[0]
        return [
            (label, href.replace("&amp;", "&"), bool(cur))
            for href, cur, label in re.findall(r'<a href="([^"]+)"( aria-current="true")?>([^<]+)</a>', nav)
        ]

    links = zoom(get(client, "event-list", query={"kind": "sanctions"}).content.decode())
    # The decades and (few enough) years that hold events; no link to one without events.
    assert [label for label, _, _ in links] == ["1950s", "2010s", "2020s", "1953", "2019", "2024"]
    # A zoom link keeps the other filters.
    href = links[2][1]
    assert "kind=sanctions" in href and "date_from=2020s" in href and "date_to=2020s" in href
    html = get(
        client, "event-list", query={"kind": "sanctions", "date_from": "2020s", "date_to": "2020s"}
    ).content.decode()
    assert ("2024", "?kind=sanctions&date_from=2024&date_to=2024", False) in zoom(html)
    assert "2019" not in [label for label, _, _ in zoom(html)]
    # The list under a year's heading does not say the year again.
    year = re.search(r"<h3>2024</h3>.*?</ul>", html, re.S)[0]
    assert re.findall(r'<span class="when">([^<]*)</span>', year) == ["19 June"]
    # The current zoom is marked.
    html = get(
        client, "event-list", query={"kind": "sanctions", "date_from": "2024", "date_to": "2024"}
    ).content.decode()
    assert [label for label, _, current in zoom(html) if current] == ["2024"]


def _boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_timeline_labels_are_whole_wrapped_and_never_overlap(client, kb, editor):
    today = dt.date(2026, 12, 6)
    titles = [
        "Kim Jong Un–Donald Trump summit in Vietnam",
        "North Korea’s dialogue with the United States and South Korea",
        "Kim Jong Un and Vladimir Putin inspect the launch complex at the Vostochny Cosmodrome",
        "Semi-privatisation of North Korean industries",
    ]
    items = [
        TimelineItem(titles[0], "/a", PartialDate.parse("2019-02-27"), PartialDate.parse("2019-02-28")),
        TimelineItem(titles[1], "/b", PartialDate.parse("2018"), PartialDate.parse("2019")),
        TimelineItem(titles[2], "/c", PartialDate.parse("2023-09-13")),
        TimelineItem(titles[3], "/d", PartialDate.parse("2000s")),
        TimelineItem("Korean War", "/e", PartialDate.parse("1950"), PartialDate.parse("1953")),
    ]
    layout = timeline_layout(items, today=today)
    for picture in (layout, layout.narrow):
        boxes = []
        for item in picture.items:
            # The whole title, in order, over one or more lines; never an ellipsis.
            assert " ".join(text for _, text in item.label_lines) == item.label
            assert "…" not in item.label
            left, _, right, bottom = item.label_box
            assert left >= 0 and right <= picture.width and bottom <= picture.height
            boxes.append(item.label_box)
            # A label does not cover another item's mark.
            for other in picture.items:
                mark = (other.x - 5, other.y - 5, other.x + other.width + 5, other.y + 5)
                assert other is item or not _boxes_overlap(item.label_box, mark)
        assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert layout.narrow.width == 340 and max(len(item.label_lines) for item in layout.narrow.items) > 1
    services.event_create(
        user=editor, title=titles[2], kind=EventKind.VISIT, start_on="2023-09-13", evidence=[_backing(kb)]
    )
    html = get(client, "event-list").content.decode()
    # Hover and focus show the full title and the date; the label itself is whole, in tspans.
    assert f"<title>{titles[2]} — 13 September 2023</title>" in html
    labels = [
        " ".join(re.findall(r">([^<]*)</tspan>", m)) for m in re.findall(r'<text text-anchor="\w+">(.*?)</text>', html)
    ]
    assert labels.count(titles[2]) == 2  # in the wide picture and in the narrow one
    assert "…</text>" not in html and "…</tspan>" not in html
    # Both pictures scale to their box (a viewBox, no fixed width); no horizontal scroll box.
    assert html.count('class="tl-picture"') == 2 and 'class="scroll-x"' not in html.split('id="in-order"')[0]
    assert re.search(r'<svg viewBox="0 0 340 \d+" class="tl-picture"', html)


def test_periods_follow_the_span():
    def units(first, last):
        periods = periods_between(dt.date.fromisoformat(first), dt.date.fromisoformat(last), most=40)
        return periods[0].unit, len(periods), str(periods[0].first), str(periods[-1].last)

    assert units("2023-09-01", "2023-09-30") == ("day", 30, "2023-09-01", "2023-09-30")
    assert units("2023-01-01", "2023-12-31") == ("month", 12, "2023-01", "2023-12")
    assert units("2000-01-01", "2026-12-06") == ("year", 27, "2000", "2026")
    assert units("1950-01-01", "2026-12-06") == ("decade", 8, "1950s", "2020s")
    assert units("0001-01-01", "2026-12-06") == ("century", 21, "0001", "2090s")
    assert units("0001-01-01", "9999-12-31") == ("millennium", 10, "0001", "9990s")


def test_event_detail(client, kb, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = get(client, "event-detail", slug=kb["summit"].slug)
    html = response.content.decode()
    assert "13 September 2023" in html and "Vostochny Cosmodrome" in html and "Vladimir Putin" in html


def drawn(response) -> list[str]:
    """The actors a graph page draws, by the address of their dossiers."""
    return re.findall(r'<a href="/actors/([^"/]+)/" class="node', response.content.decode())


def showing(response) -> tuple[int, int]:
    found = re.search(r"Showing (\d+) of (\d+) actors?", response.content.decode())
    return int(found[1]), int(found[2])


@pytest.fixture
def crowd(kb, editor, make_actor):
    """Sixty envoys, each a member of Russia's delegation; the first five also of North Korea's."""
    envoys = [make_actor(f"Envoy {n:02}", ActorKind.PERSON) for n in range(60)]
    for n, envoy in enumerate(envoys):
        services.relationship_create(
            user=editor,
            subject=envoy,
            predicate=RelationshipPredicate.MEMBER_OF,
            object=kb["russia"],
            evidence=[kb["meeting"]],
        )
        if n < 5:
            services.relationship_create(
                user=editor,
                subject=envoy,
                predicate=RelationshipPredicate.MEMBER_OF,
                object=kb["dprk"],
                evidence=[kb["meeting"]],
            )
    return envoys


def test_graph(client, kb, django_assert_num_queries):
    # The most linked actors, each type of link among them, their names.
    with django_assert_num_queries(5):
        response = get(client, "graph")
    html = response.content.decode()
    assert "<svg" in html and "Kim Jong Un" in html and "leader of" in html
    assert "arms: Ammunition" in html and "Treaty on Comprehensive Strategic Partnership" in html
    assert "arms: Missiles" not in html  # backed by a proposed claim only
    assert showing(response) == (4, 4)
    with django_assert_num_queries(0):  # drawn already, and the data has not changed since
        assert get(client, "graph").content == response.content
    response = get(client, "graph", query={"kind": "person", "show": "relationships"})
    assert response.status_code == 200
    assert 'class="node kind-state' not in response.content.decode()


def test_graph_is_bounded_by_top(client, crowd):
    response = get(client, "graph", query={"top": "10"})
    assert response.status_code == 200
    actors = drawn(response)
    assert len(actors) == 10
    # The hubs first, the envoys linked to both, then the actors with one link, the older first.
    assert {"russia", "north-korea", "envoy-00", "envoy-04", "kim-jong-un", "vladimir-putin", "envoy-05"} <= set(actors)
    assert "envoy-06" not in actors
    assert showing(response) == (10, 64)
    assert len(drawn(get(client, "graph"))) == 40  # the default
    assert len(drawn(get(client, "graph", query={"top": "100"}))) == 64


def test_graph_query_count_does_not_grow_with_the_base(client, kb, editor, make_actor, django_assert_num_queries):
    def draw(query):
        cache.clear()
        # Around an actor: its id, the count of linked actors (cached apart), then each ring.
        with django_assert_num_queries(5 if "actor" not in query else 8):
            return get(client, "graph", query=query)

    small = [draw({}), draw({"actor": "kim-jong-un", "depth": "2"})]
    for n in range(30):
        envoy = make_actor(f"Envoy {n}", ActorKind.PERSON)
        services.relationship_create(
            user=editor,
            subject=envoy,
            predicate=RelationshipPredicate.ALLY_OF,
            object=kb["dprk"],
            evidence=[kb["meeting"]],
        )
    large = [draw({}), draw({"actor": "kim-jong-un", "depth": "2"})]
    assert [len(drawn(r)) for r in small] == [4, 3]
    assert [len(drawn(r)) for r in large] == [34, 33]
    # Another size under the same filters reuses the degrees: only the links and names are read.
    with django_assert_num_queries(4):
        assert len(drawn(get(client, "graph", query={"top": "10"}))) == 10


def test_graph_neighbourhood_by_actor_and_depth(client, crowd):
    response = get(client, "graph", query={"actor": "kim-jong-un"})
    assert sorted(drawn(response)) == ["kim-jong-un", "north-korea"]
    assert showing(response) == (2, 64)
    # Depth 2: North Korea's neighbours too, most linked to it first (Russia: a transfer and the treaty).
    response = get(client, "graph", query={"actor": "kim-jong-un", "depth": "2", "top": "4"})
    assert sorted(drawn(response)) == ["envoy-00", "kim-jong-un", "north-korea", "russia"]
    # Several actors, repeated or comma-separated; the cap counts them too. North Korea and Russia
    # are as close and as linked (a transfer, the treaty, a leader): the older actor is drawn.
    both = get(client, "graph", query={"actor": ["vladimir-putin", "kim-jong-un"], "top": "3"})
    assert Actor.objects.get(slug="north-korea").pk < Actor.objects.get(slug="russia").pk
    assert sorted(drawn(both)) == ["kim-jong-un", "north-korea", "vladimir-putin"]
    assert drawn(get(client, "graph", query={"actor": "vladimir-putin,kim-jong-un", "top": "3"})) == drawn(both)
    # The kinds filter every actor drawn: Russia's people are drawn with Russia among the states.
    response = get(client, "graph", query={"actor": "russia", "kind": ["person", "state"], "top": "5"})
    assert sorted(drawn(response)) == ["envoy-00", "envoy-01", "north-korea", "russia", "vladimir-putin"]
    # An actor with no visible link under the filters is named, not drawn.
    response = get(client, "graph", query={"actor": ["russia", "kim-jong-un"], "kind": "person"})
    assert response.status_code == 200 and drawn(response) == []
    assert "No link to draw for Russia, Kim Jong Un under these filters." in response.content.decode()


def test_graph_filters_keep_it_bounded(client, crowd):
    response = get(client, "graph", query={"kind": ["person", "state"], "show": "relationships", "top": "7"})
    assert len(drawn(response)) == 7
    assert 'class="edge edge-agreement"' not in response.content.decode()
    assert showing(response) == (7, 64)
    response = get(client, "graph", query={"kind": "state", "top": "7"})
    assert sorted(drawn(response)) == ["north-korea", "russia"]
    assert showing(response) == (2, 2)
    response = get(client, "graph", query={"kind": "person", "show": "relationships"})
    assert drawn(response) == [] and "No links between actors of these kinds" in response.content.decode()


def test_graph_shows_a_write_at_once(client, kb, editor, make_actor, django_assert_num_queries):
    assert "Envoy" not in get(client, "graph").content.decode()
    envoy = make_actor("Special Envoy", ActorKind.PERSON)
    services.relationship_create(
        user=editor,
        subject=envoy,
        predicate=RelationshipPredicate.MEMBER_OF,
        object=kb["russia"],
        evidence=[kb["meeting"]],
    )
    response = get(client, "graph")
    assert "special-envoy" in drawn(response) and showing(response) == (5, 5)
    # Reviewing a claim changes what readers see: the hidden transfer appears once its claim is accepted.
    assert "arms: Missiles" not in response.content.decode()
    services.claim_review(kb["proposed"], user=editor, status=ClaimStatus.ACCEPTED)
    assert "arms: Missiles" in get(client, "graph").content.decode()


def test_graph_is_cached_per_audience(client, kb, editor):
    assert "arms: Missiles" not in get(client, "graph").content.decode()
    client.force_login(editor)
    assert "arms: Missiles" in get(client, "graph").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"top": "0"}, "The picture holds from 1 to 100 actors."),
        ({"top": "100000"}, "The picture holds from 1 to 100 actors."),
        ({"top": "many"}, "Enter a whole number."),
        ({"depth": "9", "actor": "kim-jong-un"}, "The depth is 1 (the actors’ neighbours) or 2"),
        ({"actor": "atlantis"}, "No actor has the id or slug “atlantis”."),
        ({"actor": "kim-jong-un,russia", "top": "1"}, "2 actors were chosen; the picture holds 1."),
    ],
)
def test_graph_bad_parameters(client, kb, query, expected):
    response = get(client, "graph", query=query)
    assert response.status_code == 400
    html = response.content.decode()
    assert expected in html
    assert "<svg" in html  # the rest of the page is drawn with the defaults


def test_graph_page_is_deterministic(client, kb):
    first = get(client, "graph").content
    cache.clear()
    assert get(client, "graph").content == first


def test_search(client, kb, make_actor, make_source, make_claim, accepted, django_assert_num_queries):
    # The actors named "Vostochny", the newest matches of each type with the names that matched,
    # and the text of the sources whose snippet comes from it (9); then, once per version of the
    # data, the actors named and the matches of each type counted up to the cap (8), and the
    # facets: the actors named, the newest matches of each dated type, the sources' titles (7).
    with django_assert_num_queries(9 + 8 + 7):
        response = get(client, "search", query={"q": "Vostochny"})
    with django_assert_num_queries(9):
        get(client, "search", query={"q": "Vostochny"})
    for n in range(3):
        make_actor(f"Vostochny launch pad {n}", ActorKind.FACILITY)
        source = make_source(text=f"A rocket left Vostochny on day {n}.", title=f"Launch {n}")
        accepted(make_claim(source=source, quote=f"A rocket left Vostochny on day {n}.", subjects=[kb["vostochny"]]))
    with django_assert_num_queries(9 + 8 + 7):  # more hits, no more queries
        html = get(client, "search", query={"q": "Vostochny"}).content.decode()
    assert html.count('href="/actors/vostochny-launch-pad-') == 3
    assert html.count("A rocket left <mark>Vostochny</mark> on day") == 6  # each claim and its source
    assert '<a href="?q=Vostochny&amp;type=actor">actors <span class="count">4</span></a>' in html
    claims = get(client, "search", query={"q": "Vostochny", "type": "claim"}).content.decode()
    assert '<strong aria-current="true">' in claims and '<a href="?q=Vostochny">every type</a>' in claims
    assert 'class="hit hit-claim"' in claims and 'class="hit hit-actor"' not in claims
    assert get(client, "search", query={"q": "Vostochny", "type": "robot"}).status_code == 400
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Vostochny</mark>" in html
    assert reverse("kb:actor-detail", args=[kb["vostochny"].slug]) in html
    assert reverse("kb:event-detail", args=[kb["summit"].slug]) in html
    assert "SECRET-PROPOSED" not in get(client, "search", query={"q": "continuous supply"}).content.decode()
    script = get(client, "search", query={"q": "<script>"}).content.decode()
    assert "<script>alert" not in script


# --- list filters: each page filters through its FilterSet and draws that FilterSet's form -------------


def test_list_filters_draw_the_filtersets_form(client, kb):
    html = get(client, "transfer-list", query={"supplier": kb["dprk"].slug, "category": "ammunition"}).content.decode()
    assert '<label for="f-supplier">Supplier</label>' in html
    assert f'<option value="{kb["dprk"].slug}" selected>North Korea</option>' in html
    assert '<option value="ammunition" selected>Ammunition</option>' in html
    assert 'name="date_from" placeholder="2023"' in html and 'type="search" name="q"' in html
    html = get(client, "event-list", query={"kind": "summit"}).content.decode()
    assert '<label for="f-kind">Kind</label>' in html and '<option value="summit" selected>' in html
    # The actors page keeps its facets' choices when the search is sent again.
    html = get(client, "actor-list", query={"kind": "person", "country_code": "KP"}).content.decode()
    assert '<label for="f-q">Name or alias</label>' in html
    assert '<input type="hidden" name="kind" value="person"' in html
    assert '<input type="hidden" name="country_code" value="KP"' in html


@pytest.mark.parametrize(
    ("filterset_class", "form_class"),
    [
        (filtersets.ActorFilterSet, forms.ActorFilterForm),
        (filtersets.SourceFilterSet, forms.SourceFilterForm),
        (filtersets.AgreementFilterSet, forms.AgreementFilterForm),
        (filtersets.ArmsTransferFilterSet, forms.TransferFilterForm),
        (filtersets.EventFilterSet, forms.EventFilterForm),
    ],
)
def test_filter_forms_draw_only_their_filtersets_filters(filterset_class, form_class):
    form = filterset_class(QueryDict(), form_class=form_class).form
    assert set(form.shown) | set(form.kept) <= set(filterset_class.base_filters)
    assert all(form[name].label for name in form.shown)


def test_a_filter_form_cannot_change_how_a_parameter_is_read():
    class Wrong(forms.FilterForm):
        widgets = {"kind": django_forms.TextInput()}  # would read "?kind=a&kind=b" as "b" alone

    with pytest.raises(TypeError, match="kind"):
        filtersets.ActorFilterSet(QueryDict(), form_class=Wrong).form  # noqa: B018


def test_list_filters_read_parameters_as_the_api_does(client, kb, editor):
    for n in range(2):
        services.transfer_create(
            user=editor,
            supplier=kb["dprk"],
            recipient=kb["russia"],
            category=TransferCategory.MISSILES,
            designation=f"KN-2{n}",
            description="Ballistic missiles.",
            status=TransferStatus.CONFIRMED,
            evidence=[kb["shells"]],
        )
    repeated = client.get("/transfers/?category=ammunition&category=missiles").content.decode()
    commas = client.get("/transfers/?category=ammunition,missiles").content.decode()
    for html in (repeated, commas):
        assert "152mm shells" in html and "KN-21" in html


def test_sources_and_agreements_filter_through_their_filtersets(client, kb, editor, make_source):
    make_source(title="An official statement", kind="official", published_on="2023-05-02", public=True)
    html = get(client, "source-list", query={"kind": "official"}).content.decode()
    assert "An official statement" in html and "Summit &lt;b&gt;and&lt;/b&gt; shells" not in html
    assert '<option value="official" selected>' in html
    html = get(client, "source-list", query={"date_from": "2024"}).content.decode()
    assert "An official statement" not in html and "Summit &lt;b&gt;and&lt;/b&gt; shells" in html
    services.agreement_create(
        user=editor,
        title="A memorandum",
        kind=AgreementKind.MEMORANDUM,
        status=AgreementStatus.SIGNED,
        evidence=[kb["meeting"]],
    )
    html = get(client, "agreement-list", query={"status": "signed"}).content.decode()
    assert "A memorandum" in html and "Treaty on Comprehensive Strategic Partnership" not in html
    html = get(client, "agreement-list", query={"party": kb["dprk"].slug}).content.decode()
    assert "A memorandum" not in html and "Treaty on Comprehensive Strategic Partnership" in html
    html = get(client, "agreement-list", query={"status": "lapsed"}).content.decode()
    assert "No agreement matches these filters" in html


# --- unknown records and malformed parameters ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("actor-detail", {"slug": "nobody"}),
        ("source-detail", {"pk": 999999}),
        ("claim-detail", {"pk": 999999}),
        ("agreement-detail", {"slug": "nothing"}),
        ("transfer-detail", {"pk": 999999}),
        ("event-detail", {"slug": "never"}),
    ],
)
def test_unknown_records_are_404_pages(client, kb, name, kwargs):
    response = get(client, name, **kwargs)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_hidden_records_are_404_for_readers(client, kb):
    assert get(client, "event-detail", slug=kb["hidden_event"].slug).status_code == 404


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("actor-list", {"page": "abc"}, "not a whole number"),
        ("actor-list", {"page": "99"}, "There is no page 99"),
        ("actor-list", {"kind": "bogus"}, "bogus"),
        ("source-list", {"page": "-1"}, "pages start at 1"),
        ("source-list", {"kind": "blog"}, "blog"),
        ("source-list", {"date_from": "2024-13"}, "“2024-13” is not a date: months run 1–12."),
        ("agreement-list", {"page": "x"}, "not a whole number"),
        ("agreement-list", {"status": "dead"}, "dead"),
        ("agreement-list", {"party": "atlantis"}, "atlantis"),
        ("transfer-list", {"category": "lasers"}, "lasers"),
        ("transfer-list", {"supplier": "atlantis"}, "atlantis"),
        ("transfer-list", {"date_from": "2023-13"}, "“2023-13” is not a date: months run 1–12."),
        ("transfer-list", {"date_from": "2024", "date_to": "2023"}, "before"),
        ("transfer-list", {"format": "csv", "status": "rumoured"}, "rumoured"),
        ("event-list", {"date_from": "yesterday"}, "“yesterday” is not a date. Write a year (2023)"),
        ("event-list", {"kind": "party"}, "party"),
        ("event-list", {"date_from": "2024", "date_to": "2023"}, "“2023” comes before"),
        ("event-list", {"date_to": "2023-13"}, "months run 1–12"),
        ("event-list", {"date_from": "2023-02-30"}, "February 2023 has 28 days"),
        ("event-list", {"date_from": "2020ss"}, "“2020ss” is not a date."),
        ("event-list", {"page": "two"}, "not a whole number"),
        ("graph", {"kind": "robot"}, "robot"),
        ("search", {"q": "x" * 300}, "at most 200"),
    ],
)
def test_malformed_parameters_give_a_friendly_message(client, kb, name, query, expected):
    response = get(client, name, query=query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert expected in response.content.decode()


def test_page_numbers_reach_a_bounded_depth(rf, monkeypatch):
    monkeypatch.setattr("kb.web.common.MAX_ROWS", 4)
    rows = list(range(10))
    problems = common.Problems()
    page = common.paginate(rf.get("/", {"page": "2"}), rows, problems, per_page=2)
    assert list(page) == [2, 3] and page.last_reachable == 2 and not problems
    page = common.paginate(rf.get("/", {"page": "4"}), rows, problems, per_page=2)
    assert list(page) == [2, 3]
    assert problems.messages == [
        "Pages reach the first 4 of 10: narrow the filters to see the rest "
        "(the CSV download and the API list every row). Showing page 2."
    ]
    problems = common.Problems()
    page = common.paginate(rf.get("/", {"page": "9"}), rows, problems, per_page=2)
    assert page.number == 2 and "There is no page 9; there are 5. Showing page 2." in problems.messages
    pager = render_to_string("kb/partials/pagination.html", {"page": page}, request=rf.get("/", {"page": "9"}))
    assert "(pages reach the first 2)" in pager and 'rel="next"' not in pager


def test_dossier_bad_page(client, kb):
    response = get(client, "actor-detail", slug=kb["kim"].slug, query={"page": "zz"})
    assert response.status_code == 400
    assert "Kim Jong Un" in response.content.decode()


def test_user_text_is_escaped_everywhere(client, kb, editor):
    evil = services.actor_create(user=editor, name="<img src=x onerror=alert(1)>", kind=ActorKind.PERSON)
    services.claim_update(kb["script"], user=editor, subjects=[evil])
    pages = [
        reverse("kb:actor-list"),
        evil.get_absolute_url(),
        reverse("kb:search") + "?q=img",
        kb["script"].get_absolute_url(),
        reverse("kb:source-detail", args=[kb["source"].pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<img src=x" not in html, url


# --- the pure parts ------------------------------------------------------------------------------


class _C:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def test_annotate_splits_overlapping_claims_deterministically():
    text = "abcdefghij\nklmno"
    paragraphs = annotate(text, [_C(1, 0, 6), _C(2, 3, 9), _C(3, 4, 5), _C(4, 8, 14)])
    first = paragraphs[0]
    assert "".join(s.text for s in first) == "abcdefghij"
    assert [(s.text, [c.pk for c in s.claims]) for s in first] == [
        ("abc", [1]),
        ("d", [1, 2]),
        ("e", [1, 2, 3]),
        ("f", [1, 2]),
        ("gh", [2]),
        ("i", [2, 4]),
        ("j", [4]),
    ]
    assert [s.primary.pk for s in first] == [1, 1, 3, 1, 2, 2, 4]  # equal lengths: the lower id
    assert [s.anchors for s in first] == [["q1"], ["q2"], ["q3"], [], [], ["q4"], []]
    # A claim running into the next paragraph continues there without a second anchor.
    assert [(s.text, s.anchors) for s in paragraphs[1]] == [("klm", []), ("no", [])]


def test_timeline_draws_coarse_dates_as_spans():
    layout = timeline_layout(
        [
            TimelineItem("day", "/a", PartialDate.parse("2023-09-13")),
            TimelineItem("month", "/b", PartialDate.parse("2023-09")),
            TimelineItem("year", "/c", PartialDate.parse("2023")),
        ],
        today=dt.date(2026, 12, 6),
    )
    shapes = {i.label: (i.shape, i.width) for i in layout.items}
    assert shapes["day"][0] == "point"
    assert shapes["month"][0] == "span" and shapes["year"][0] == "span"
    assert shapes["year"][1] > shapes["month"][1] * 10


def test_graph_layout_is_deterministic_and_inside_the_picture():
    from kb.web.svg import GraphBuilder, spring_layout

    class A:
        def __init__(self, pk, name, kind="state"):
            self.pk, self.name, self.kind = pk, name, kind

        def get_absolute_url(self):
            return f"/actors/{self.pk}/"

    def build():
        builder = GraphBuilder()
        actors = [A(i, f"Actor {i}", "person" if i % 3 else "state") for i in range(12)]
        for i in range(1, 9):
            builder.edge(actors[0], actors[i], "relationship", "ally of")
        builder.edge(actors[10], actors[11], "transfer", "arms")  # a separate group
        builder.edge(actors[0], actors[1], "relationship", "ally of")  # merged with the first
        return spring_layout(builder)

    first, second = build(), build()
    assert [(n.key, n.x, n.y) for n in first.nodes] == [(n.key, n.x, n.y) for n in second.nodes]
    assert len(first.edges) == 9
    assert all(0 <= n.x <= first.width and 0 <= n.y <= first.height for n in first.nodes)


def _graph_boxes_do_not_overlap(graph) -> None:
    """No two names, link labels or link numbers overlap; none covers a dot; all stay in the picture."""
    names = [n.label_box for n in graph.nodes if n.label_box]
    links = [e.label_box for e in graph.edges if e.label_box]
    dots = [(n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in graph.nodes]
    boxes = names + links
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= graph.width and a[3] <= graph.height
        assert not any(_boxes_overlap(a, b) for b in boxes[i + 1 :]), a
        assert not any(_boxes_overlap(a, dot) for dot in dots), a


def test_graph_labels_are_whole_and_never_overlap():
    from kb.web.svg import GraphBuilder, ego_layout, spring_layout

    class A:
        def __init__(self, pk, name, kind="state"):
            self.pk, self.name, self.kind = pk, name, kind

        def get_absolute_url(self):
            return f"/actors/{self.pk}/"

    long = "School of Social Sciences and Humanities, Aston University"
    names = ["North Korea", "Russia", long, "Korean People's Army", "North Korean military industry", "Iran", "Syria"]
    names += [f"Envoy {n}" for n in range(20)]
    actors = [A(i, name, "person" if i > 6 else "state") for i, name in enumerate(names)]

    def build():
        builder = GraphBuilder()
        for other in actors[1:]:
            builder.edge(actors[0], other, "relationship", "ally of")
        # Parallel labels that cannot all sit on one short line, as the arms links between two states.
        for label in ("Military technology and know-how", "Missiles", "Ammunition", "Artillery"):
            builder.edge(actors[1], actors[0], "transfer", f"arms: {label}")
            builder.edge(actors[0], actors[1], "agreement", f"Agreement on {label}")
        for n in range(7, 17):
            builder.edge(actors[n], actors[n + 1], "relationship", "worked with")
        return builder

    spring, ego = spring_layout(build()), ego_layout(build(), 0)
    # A long name is wrapped rather than cut.
    assert any(len(n.label_lines) > 1 for n in spring.nodes if n.label == long)
    for graph in (spring, ego):
        _graph_boxes_do_not_overlap(graph)
        for n in graph.nodes:
            # A name is whole (wrapped at spaces) wherever it is drawn.
            assert not n.label_lines or " ".join(text for _, text in n.label_lines) == n.label
        # Only a name that fits nowhere is left to the tooltip and the table (one, on the crowded star).
        assert sum(not n.label_lines for n in graph.nodes) <= 1
        # Every link is numbered as its row in the table; a label is whole on the line or replaced by the number.
        assert [e.number for e in graph.edges] == list(range(1, len(graph.edges) + 1))
        for e in graph.edges:
            assert not (e.label_lines and e.marker)
            assert not e.label_lines or " ".join(text for _, text in e.label_lines) == e.label
        assert any(e.marker for e in graph.edges) and any(e.label_lines for e in graph.edges)


def test_graph_pages_scale_the_picture_and_list_every_actor_and_link(client, kb):
    for html in (
        get(client, "graph").content.decode(),
        get(client, "actor-detail", slug=kb["dprk"].slug).content.decode(),
    ):
        assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="graph-picture"', html)
        assert "scroll-x" not in html.split('<figure class="graph">')[1].split("</figure>")[0]
        nodes = re.findall(r'<a href="([^"]+)" class="node kind-', html)
        table = html.split('<div class="graph-tables">')[1].split("</div>")[0]
        links = re.findall(r'<td class="num">(\d+)</td><td><a href="([^"]+)">', table)
        actors = re.findall(r'<tr><td><a href="([^"]+)">', table)
        assert sorted(actors) == sorted(nodes)
        assert [int(number) for number, _ in links] == list(range(1, html.count('<g class="edge edge-') + 1))
        # The full name is on hover, and in the table, never cut.
        assert "…" not in html.split('<figure class="graph">')[1].split("</figure>")[0]


def test_review_note_is_shown_to_editors_only(client, make_claim, editor):
    claim = services.claim_review(make_claim(), user=editor, status="accepted", note="Checked against the wire copy.")
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "Accepted" in page and "Checked against the wire copy." not in page
    client.force_login(editor)
    assert "Checked against the wire copy." in client.get(f"/claims/{claim.pk}/").content.decode()


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("2024-06-19", None, "19 June"),
        ("2023-09-12", "2023-09-17", "12–17 September"),
        ("2024-06", "2024-07-03", "June – 3 July"),
        ("2023", None, ""),
        ("1950", "1953", "1950–1953"),
        ("2018-06-12", "2019", "12 June 2018 – 2019"),
        ("2010s", None, ""),
        ("2010s", "2019", "the 2010s – 2019"),
    ],
)
def test_a_span_in_the_events_list_is_said_once_under_its_heading(start, end, said):
    assert span_in_list(PartialDate.parse(start), end and PartialDate.parse(end)) == said


def test_the_events_list_heads_decades_apart_and_says_nothing_twice(client, kb, editor):
    services.event_create(user=editor, title="A decade of change", kind=EventKind.OTHER, start_on="2010s")
    client.force_login(editor)  # no accepted claim backs it: editors alone see it
    html = get(client, "event-list").content.decode()
    listed = html[html.index('<li class="year">') :]
    assert "<h3>the 2010s</h3>" in listed
    assert "the year" not in listed and "undated</span>" not in listed
