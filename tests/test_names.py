"""Names people read: countries by name rather than ISO code, actor names sorted with accents folded, titles."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from kb import services
from kb.choices import ActorKind, TransferCategory, TransferStatus
from kb.countries import country_name
from kb.models import Actor
from kb.text import sentence_case
from tests.world import CORE, build_world


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("KP", "North Korea"),
        ("KR", "South Korea"),
        ("RU", "Russia"),
        ("IR", "Iran"),
        ("SY", "Syria"),
        ("GB", "United Kingdom"),
        ("CN", "China"),
        ("kp", "North Korea"),
        ("XX", "XX"),  # not a country: shown as stored
        ("", ""),
        (None, ""),
    ],
)
def test_country_name(code, name):
    assert country_name(code) == name


@pytest.fixture
def world(editor):
    return build_world(editor, *CORE, "putin", "vostochny", "pyongyang")


def test_actor_facets_and_badges_name_countries_and_keep_codes_in_addresses(client, world, django_assert_num_queries):
    with django_assert_num_queries(4):
        html = client.get(reverse("kb:actor-list")).content.decode()
    facets = re.findall(r'href="/actors/\?country_code=(\w+)"[^>]*>([^<]+)</a> <span class="count">(\d+)</span>', html)
    assert ("RU", "Russia", "3") in facets and ("KP", "North Korea", "2") in facets
    assert not re.search(r">(KP|RU) ?\d*<", html)  # no bare code where people read
    assert '<span class="badge" title="ISO code RU">Russia</span>' in html
    dossier = client.get(world["putin"].get_absolute_url()).content.decode()
    assert '<span class="badge" title="ISO code RU">Russia</span>' in dossier
    # The API keeps the code.
    body = client.get("/api/v1/actors/", {"country_code": "KP"}).json()
    assert {row["country_code"] for row in body["results"]} == {"KP"}


# --- actor names sort with accents and case folded ------------------------------------


def test_actor_names_sort_with_accents_folded(client, make_actor, django_assert_num_queries):
    for name in ("Syria", "Sŭngri refinery", "sakhalin", "Şamil", "Zhou", "Ålesund"):
        make_actor(name, ActorKind.PLACE)
    assert Actor.objects.get(name="Sŭngri refinery").sort_name == "sungri refinery"
    order = list(Actor.objects.values_list("name", flat=True))
    assert order == ["Ålesund", "sakhalin", "Şamil", "Sŭngri refinery", "Syria", "Zhou"]
    with django_assert_num_queries(4):
        html = client.get(reverse("kb:actor-list")).content.decode()
    shown = re.findall(r'<h2><a href="/actors/[^"]+/">([^<]+)</a></h2>', html)
    assert shown == order
    # The API's ?ordering=name sorts the same way.
    body = client.get("/api/v1/actors/", {"ordering": "name"}).json()
    assert [row["name"] for row in body["results"]] == order
    body = client.get("/api/v1/actors/", {"ordering": "-name"}).json()
    assert [row["name"] for row in body["results"]] == order[::-1]


def test_renaming_an_actor_moves_it(make_actor, editor):
    actor = make_actor("Zeta", ActorKind.PLACE)
    services.actor_update(actor, user=editor, name="Éta")
    actor.refresh_from_db()
    assert actor.sort_name == "eta"


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_sort_key_of_existing_actors():
    executor = MigrationExecutor(connection)
    executor.migrate([("kb", "0012_source_publisher_optional")])
    try:
        with connection.cursor() as cursor:
            for pk, name in [(1, "Syria"), (2, "Sŭngri refinery"), (3, "ÉCOLE")]:
                cursor.execute(
                    "INSERT INTO kb_actor (id, kind, name, slug, summary, country_code, start_on_precision, "
                    "end_on_precision, wikidata_id, created_at, updated_at) "
                    "VALUES (%s, 'place', %s, %s, '', '', '', '', '', %s, %s)",
                    [pk, name, f"a-{pk}", timezone.now(), timezone.now()],
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Actor.objects.values_list("name", "sort_name")) == {
        "Syria": "syria",
        "Sŭngri refinery": "sungri refinery",
        "ÉCOLE": "ecole",
    }
    assert list(Actor.objects.values_list("name", flat=True)) == ["ÉCOLE", "Sŭngri refinery", "Syria"]


# --- titles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arms (unspecified)", "Arms (unspecified)"),
        ("Artillery", "Artillery"),
        ("KN-23", "KN-23"),
        ("152mm shells", "152mm shells"),
        ("éclair", "Éclair"),
        ("", ""),
    ],
)
def test_sentence_case(text, expected):
    assert sentence_case(text) == expected


def test_a_claim_without_paraphrase_is_titled_by_its_quote(client, make_source, make_claim, accepted):
    quote = "North Korea is expected to sell artillery shells to Russia."
    long_text = "Officials in Seoul said that North Korea had shipped millions of shells and rockets to Russia by rail."
    source = make_source(text=f"{quote} {long_text}")
    plain = accepted(make_claim(source=source, quote=quote, statement=""))
    html = client.get(plain.get_absolute_url()).content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert h1 == f"“{quote}”"
    assert f"<title>“{quote}” · kb</title>" in html
    assert "Claim #" not in html
    long = accepted(make_claim(source=source, quote=long_text, statement=""))
    title = long.title
    assert title.endswith("…”") and len(title) <= 82
    assert long_text.startswith(title[1:-2])  # a cut at a word boundary, not inside a word
    assert long_text[len(title) - 3] == " "
    html = client.get(long.get_absolute_url()).content.decode()
    assert f"<h1>{title}</h1>" in html
    paraphrased = accepted(make_claim(source=source, quote="Seoul", statement="Seoul speaks."))
    html = client.get(paraphrased.get_absolute_url()).content.decode()
    assert '<h1><span class="h-statement">Seoul speaks.</span></h1>' in html
    reader = client.get(source.get_absolute_url()).content.decode()
    assert "Claim #" not in reader and "The claim’s page →" in reader


def test_transfer_titles_in_sentence_case(client, world, editor, django_assert_num_queries):
    transfer = services.transfer_create(
        user=editor,
        supplier=world["russia"],
        recipient=world["dprk"],
        category=TransferCategory.OTHER,
        designation="arms (unspecified)",
        description="Unspecified arms, by trade registers.",
        status=TransferStatus.REPORTED,
        evidence=[world["shells"]],
    )
    assert str(transfer) == "Arms (unspecified): Russia → North Korea"
    with django_assert_num_queries(6):
        html = client.get(reverse("kb:transfer-list")).content.decode()
    assert "<strong>Arms (unspecified)</strong>" in html and "arms (unspecified)" not in html
    detail = client.get(transfer.get_absolute_url()).content.decode()
    assert "<h1>Arms (unspecified): " in detail and "arms (unspecified)" not in detail
    home = client.get(reverse("kb:home")).content.decode()
    assert "arms (unspecified)" not in home
    # The API keeps the designation as recorded.
    assert client.get(f"/api/v1/arms-transfers/{transfer.pk}/").json()["designation"] == "arms (unspecified)"
