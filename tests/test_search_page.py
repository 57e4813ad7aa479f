"""The search page: one box, facets with counts (type, modality, date, source), permalinks, sorting, snippets."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kb.choices import ActorKind, Modality
from kb.web.views import overview


@pytest.fixture
def rason(make_actor, make_source, make_claim, accepted):
    """Three accepted claims about Rason port in two sources (2021, 2024) of two modalities, and the actor.

    The claims have no paraphrase: each is titled by its quote.
    """
    old = make_source(
        title="Old port report",
        text="Trade grew slowly. Rason port handled coal in 2021. Nothing else.",
        published_on="2021-03",
    )
    new = make_source(
        title="New port report",
        byline="Jane Roe",
        publisher="Port Wire",
        published_on="2024-07-01",
        text="Ships came often. Rason port will handle oil next year, officials said. Rason port was busy.",
    )
    claims = {
        "coal": accepted(
            make_claim(source=old, quote="Rason port handled coal in 2021.", modality=Modality.FACT, statement="")
        ),
        "oil": accepted(
            make_claim(
                source=new, quote="Rason port will handle oil next year", modality=Modality.FORECAST, statement=""
            )
        ),
        "busy": accepted(make_claim(source=new, quote="Rason port was busy.", modality=Modality.FACT, statement="")),
    }
    actor = make_actor(
        "Rason", ActorKind.PLACE, summary="A special economic zone in the far north-east, by the Russian border."
    )
    return {"old": old, "new": new, "actor": actor, **claims}


def search(client, **params):
    return client.get(reverse("kb:search"), params)


def test_one_search_box_on_the_search_page(client, rason):
    html = search(client, q="rason").content.decode()
    assert len(re.findall(r'<input[^>]*type="search"[^>]*name="q"', html)) == 1
    assert 'id="site-q"' not in html and 'id="search-q"' in html
    home = client.get(reverse("kb:home")).content.decode()
    assert 'id="site-q"' in home  # other pages keep the header's box


def test_facets_count_type_modality_date_and_source(client, rason):
    html = search(client, q="rason port").content.decode()
    assert '<a href="?q=rason+port&amp;modality=fact">Fact <span class="count">2</span></a>' in html
    assert '<a href="?q=rason+port&amp;modality=forecast">Forecast <span class="count">1</span></a>' in html
    assert '<a href="?q=rason+port&amp;period=2024">2024 <span class="count">' in html
    assert '<a href="?q=rason+port&amp;period=2021">2021 <span class="count">' in html
    assert (
        f'<a href="?q=rason+port&amp;source={rason["new"].pk}">New port report <span class="count">2</span></a>' in html
    )
    assert "Counts below are over every match." in html


def test_facet_links_narrow_and_can_be_removed(client, rason):
    html = search(client, q="rason port", modality="fact").content.decode()
    assert "Rason port handled coal" in html and "Rason port was busy" in html
    assert "will handle oil" not in html
    assert '<strong aria-current="true">Fact <span class="count">2</span></strong>' in html
    assert '<a href="?q=rason+port" aria-label="Remove the modality filter">✕</a>' in html
    assert 'class="clear-filters"' in html and 'href="?q=rason+port"' in html
    assert "hit-actor" not in html  # a modality is a claim's: other types drop out
    html = search(client, q="rason port", modality="fact", period="2024").content.decode()
    assert "Rason port was busy" in html and "handled coal" not in html
    html = search(client, q="rason port", source=rason["old"].pk).content.decode()
    assert "handled coal" in html and "Rason port was busy" not in html
    html = search(client, q="rason", period="2020s").content.decode()
    assert "handled coal" in html and "busy" in html and "hit-actor" not in html  # actors are undated
    # The page's box keeps the filters, so a new query stays narrowed.
    assert '<input type="hidden" name="period" value="2020s">' in html


def test_sort_by_date_puts_the_newest_first(client, rason):
    html = search(client, q="rason port", type="claim", sort="date").content.decode()
    assert html.index("Rason port was busy") < html.index("handled coal")
    assert '<option value="date" selected>' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"modality": "rumour"}, "Modality: "),
        ({"period": "last year"}, "“last year” is not a period: give a year such as 2024 or a decade such as 2020s."),
        ({"period": "2025s"}, "is not a period"),
        ({"source": "abc"}, "Source: "),
        ({"source": "99999"}, "no source has the id 99999; searching every source"),
        ({"sort": "oldest"}, "Sort: "),
        ({"type": "robot"}, "Type: "),
    ],
)
def test_bad_facet_values_are_a_readable_400(client, rason, params, message):
    response = search(client, q="rason", **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # The search runs without the value it cannot use: the words stay in the box, the hits are shown.
    assert 'value="rason"' in html and 'class="hit ' in html


def test_snippets_show_words_around_the_match(client, rason):
    html = search(client, q="rason").content.decode()
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html)
    assert snippets and all(s not in ("<mark>Rason</mark>", "") for s in snippets)
    # The actor matched by its name: its summary is shown, not its name again.
    assert "A special economic zone in the far north-east" in html
    long = "word " * 60 + "Rason port" + " more" * 60
    from kb.web.highlight import highlight

    snippet = str(highlight(long, "rason port"))
    assert snippet.startswith("…word ") and snippet.endswith(" more…") and "<mark>Rason port</mark>" in snippet


def test_claim_hits_are_titled_by_paraphrase_or_quote_without_repeating_it(client, rason, make_claim, accepted):
    html = search(client, q="rason port", type="claim").content.decode()
    busy = rason["busy"].get_absolute_url()
    assert f'<a href="{busy}">“Rason port was busy.”</a>' in html
    assert "<mark>Rason port</mark> was busy" not in html  # the whole quote is the title already
    said = accepted(make_claim(source=rason["new"], quote="Ships came often.", statement="Rason port is busy."))
    html = search(client, q="rason port", type="claim").content.decode()
    assert f'<a href="{said.get_absolute_url()}">Rason port is busy.</a>' in html


def test_claim_hits_cite_their_source(client, rason):
    html = search(client, q="rason port", type="claim").content.decode()
    assert 'Jane Roe</span>, <cite class="cite-title">New port report</cite> (Port Wire, 1 July 2024)' in html


def test_facets_say_when_they_count_a_bounded_set(client, rason, monkeypatch):
    monkeypatch.setattr(overview, "FACET_BOUND", 2)
    html = search(client, q="rason port").content.decode()
    assert "Counts below are over the newest 2 matches of each type." in html
    counts = [int(n) for n in re.findall(r'modality=\w+">\w[\w ]* <span class="count">(\d+)</span>', html)]
    assert sum(counts) == 2


def test_search_page_query_count_with_filters(client, rason, django_assert_num_queries):
    # The chosen source's title; the hits (the actors named, the claims with their sources); once
    # per version of the data the type counts (2) and the facets (the actors named, the claims, titles).
    with django_assert_num_queries(1 + 2 + 2 + 3):
        search(client, q="rason port", source=rason["new"].pk, modality="fact")
    with django_assert_num_queries(1 + 2):
        search(client, q="rason port", source=rason["new"].pk, modality="fact")
