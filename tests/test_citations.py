"""Citations in the analyst UI: "Author, Title (Publisher, date)" wherever a source is cited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kb import services
from kb.choices import TransferCategory, TransferStatus
from kb.templatetags.citations import citation_html
from tests.world import CORE, build_world


@pytest.fixture
def world(editor):
    return build_world(editor, *CORE, "putin")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"byline": "Jane Roe", "publisher": "Test Wire", "published_on": "2024-07-01"},
            'Jane Roe, <cite class="cite-title">T</cite> (Test Wire, 1 July 2024)',
        ),
        ({"byline": "", "publisher": "Test Wire", "published_on": "2024-06"}, "<cite>T</cite> (Test Wire, June 2024)"),
        ({"byline": "Jane Roe", "publisher": "", "published_on": "2024"}, "Jane Roe, <cite>T</cite> (2024)"),
        ({"byline": "Jane Roe", "publisher": "", "published_on": None}, "Jane Roe, <cite>T</cite>"),
        ({"byline": "", "publisher": "Wire", "published_on": None}, "<cite>T</cite> (Wire)"),
    ],
)
def test_citation_leaves_out_what_is_unknown(make_source, fields, expected):
    source = make_source(title="T", **fields)
    text = re.sub(
        r"<(/?)(span|cite)[^>]*>", lambda m: f"<{m[1]}{m[2]}>" if m[2] == "cite" else "", citation_html(source)
    )
    expected = re.sub(r'<cite class="cite-title">', "<cite>", expected)
    assert text == expected
    assert "None" not in text and "#" not in text


def test_citation_escapes_and_links(make_source):
    source = make_source(title="<b>T</b>", byline="A & B", publisher="Wire")
    html = str(citation_html(source, "/sources/1/#q2"))
    assert '<a href="/sources/1/#q2">&lt;b&gt;T&lt;/b&gt;</a>' in html and "A &amp; B" in html


def _evidence_links(html: str) -> list[tuple[str, str, str]]:
    """(href, label, quote shown on hover/focus) of each evidence link."""
    found = re.findall(
        r'<a class="quote-link" href="([^"]+)">([^<]*)<span class="quote-tip">“([^<]*)”</span></a>', html
    )
    return [(href, label.strip(), quote) for href, label, quote in found]


def test_transfer_register_cites_sources_and_shows_quotes(client, world, editor, django_assert_num_queries):
    with django_assert_num_queries(6):  # as before: the evidence is read with its sources in one query
        html = client.get(reverse("kb:transfer-list")).content.decode()
    shells = world["shells"]
    assert '<cite class="cite-title">Summit at Vostochny</cite> (Test Wire, 1 July 2024)' in html
    links = _evidence_links(html)
    assert (shells.get_absolute_url(), "quote", shells.quote) in links
    assert not re.search(r">#\d+<", html)  # no bare ids
    assert "Publisher not named" not in html


def test_several_claims_of_one_source_are_numbered(client, world, editor, django_assert_num_queries):
    services.transfer_create(
        user=editor,
        supplier=world["dprk"],
        recipient=world["russia"],
        category=TransferCategory.MISSILES,
        description="Ballistic missiles.",
        status=TransferStatus.CONFIRMED,
        evidence=[world["shells"], world["meeting"]],
    )
    html = client.get(reverse("kb:transfer-list")).content.decode()
    labels = [label for _href, label, _quote in _evidence_links(html)]
    assert "quote 1" in labels and "quote 2" in labels


def test_every_evidence_list_cites(client, world, editor):
    """Claim cards (home, event, agreement, actor pages), the claim page and the reader cite the same way."""
    cite = '<cite class="cite-title"><a href="'
    where = " (Test Wire, 1 July 2024)"
    pages = [
        reverse("kb:home"),
        world["summit"].get_absolute_url(),
        world["treaty"].get_absolute_url(),
        world["transfer"].get_absolute_url(),
        world["kim"].get_absolute_url(),
        world["shells"].get_absolute_url(),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert cite in html and where in html, url
        assert "Test Wire, “" not in html, url  # the old "Publisher, “Title”" form
    reader = client.get(world["source"].get_absolute_url()).content.decode()
    assert (
        'Cite as: <span class="citation"><cite class="cite-title">Summit at Vostochny</cite> (Test Wire, 1 July 2024)'
        in reader
    )


def test_relationship_evidence_on_a_dossier_shows_quotes(client, world):
    html = client.get(world["kim"].get_absolute_url()).content.decode()
    assert (world["meeting"].get_absolute_url(), "quote", world["meeting"].quote) in _evidence_links(html)


def test_a_source_without_publisher_is_cited_without_placeholder(client, make_source, make_claim, accepted):
    source = make_source(title="No bromance", publisher="", byline="Virginie Grzelczyk", published_on="2024-07-01")
    claim = accepted(make_claim(source=source, quote="North Korea is expected to sell artillery shells to Russia."))
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Virginie Grzelczyk</span>, <cite" in html and "No bromance</a></cite> (1 July 2024)" in html
    assert "(, " not in html and "not named" not in html


def test_the_corpus_names_no_placeholder_publisher():
    sources = Path(settings.BASE_DIR) / "fixtures" / "corpus" / "sources"
    for path in sources.glob("*.toml"):
        assert "not named on the page" not in path.read_text().split("furniture_note")[0], path.name


def test_quote_tips_show_on_hover_and_focus():
    css = (Path(settings.BASE_DIR) / "kb" / "static" / "kb" / "kb.css").read_text()
    assert ".quote-link:hover .quote-tip" in css and ".quote-link:focus .quote-tip" in css
