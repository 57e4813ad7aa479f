"""Sources wait for review: a freshly stored source is seen by editors alone, everywhere, until an editor
accepts one of its claims or publishes it; then everyone sees it."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from kb import services
from kb.choices import ClaimStatus
from kb.models import Source
from tests.helpers import V1, admin_url, ingest

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "analyst")
ROLES = (*READERS, "editor")
WORD = "Quuxfield"
TEXT = (
    f"Kim Jong-un visited the {WORD} munitions plant in March 2024.\n\n"
    f"North Korea is expected to ship {WORD} artillery shells to Russia."
)


@pytest.fixture
def clients(analyst, editor) -> dict[str, Client]:
    made = {role: Client() for role in ROLES}
    made["analyst"].force_login(analyst)
    made["editor"].force_login(editor)
    return made


@pytest.fixture
def fresh(kb, editor) -> Source:
    """An article just ingested: a source and its proposed claims, none accepted."""
    result = ingest(editor, TEXT, filename="dispatch.txt", title=f"{WORD} dispatch", published_on="2024-03-20")
    assert result.created and result.source.published_at is None
    assert result.claims and all(claim.status == ClaimStatus.PROPOSED for claim in result.claims)
    return result.source


def accept_one(source: Source, editor) -> None:
    claim = source.claims.order_by("pk").first()
    services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)


def shown_to(clients, check) -> dict[str, bool]:
    return {role: check(client) for role, client in clients.items()}


HIDDEN = {"anonymous": False, "analyst": False, "editor": True}
SHOWN = {"anonymous": True, "analyst": True, "editor": True}


# --- one check per surface: True when the role sees the source there ----------------------------


def on_list_page(source):
    return lambda client: f"{WORD} dispatch" in client.get("/sources/").content.decode()


def on_reader_page(source):
    return lambda client: client.get(source.get_absolute_url()).status_code == 200


def in_feeds(source):
    def check(client):
        atom = client.get(f"/sources/{source.pk}/claims.atom").status_code
        json_feed = client.get(f"/sources/{source.pk}/claims.json").status_code
        assert atom == json_feed, (atom, json_feed)
        return atom == 200

    return check


def in_api_list(source):
    return lambda client: source.pk in {row["id"] for row in client.get(f"{V1}/sources/").json()["results"]}


def in_api_detail(source):
    return lambda client: client.get(f"{V1}/sources/{source.pk}/").status_code == 200


def in_api_csv(source):
    def check(client):
        response = client.get(f"{V1}/sources/?format=csv")
        rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
        return str(source.pk) in {row["id"] for row in rows}

    return check


def in_search_page(source):
    def check(client):
        html = client.get("/search/", {"q": WORD, "type": "source"}).content.decode()
        return f"{WORD} dispatch" in html

    return check


def in_api_search(source):
    def check(client):
        results = client.get(f"{V1}/search/", {"q": WORD}).json()["results"]
        return any(hit["type"] == "source" and hit["id"] == source.pk for hit in results)

    return check


def as_a_filter(source):
    """Filters that take a source: the claims list's and STIX's (an unknown id is a 400)."""

    def check(client):
        claims = client.get(f"{V1}/claims/", {"source": source.pk}).status_code
        stix = client.get(f"{V1}/stix/", {"source": source.pk}).status_code
        search = client.get("/search/", {"q": "Kim", "source": source.pk}).status_code
        assert claims == stix == search, (claims, stix, search)
        assert claims in (200, 400)
        return claims == 200

    return check


def on_changes_page(source):
    def check(client):
        html = client.get("/changes/", {"type": "source", "since": "2000-01-01"}).content.decode()
        return f"{WORD} dispatch" in html

    return check


SURFACES = {
    "list page": on_list_page,
    "reader": on_reader_page,
    "feeds": in_feeds,
    "API list": in_api_list,
    "API detail": in_api_detail,
    "API CSV": in_api_csv,
    "search page": in_search_page,
    "API search": in_api_search,
    "source filters": as_a_filter,
    "changes page": on_changes_page,
}


@pytest.mark.parametrize("surface", SURFACES)
def test_a_fresh_source_is_hidden_until_a_claim_is_accepted(clients, fresh, editor, surface):
    check = SURFACES[surface](fresh)
    assert shown_to(clients, check) == HIDDEN
    accept_one(fresh, editor)
    assert shown_to(clients, check) == SHOWN


@pytest.mark.parametrize("surface", ["list page", "reader", "API list", "API detail", "search page"])
def test_a_fresh_source_is_shown_once_published(clients, fresh, editor, surface):
    check = SURFACES[surface](fresh)
    services.source_publish(fresh, user=editor)
    assert shown_to(clients, check) == SHOWN


def test_home_page_counts_the_sources_each_reader_may_see(clients, kb, editor):
    def count(client) -> int:
        return client.get("/").context["counts"]["sources"]

    before = shown_to(clients, count)
    source = services.source_create(user=editor, title="Draft", text="A draft nobody reviewed.")
    assert shown_to(clients, count) == {role: n + (role == "editor") for role, n in before.items()}
    services.source_publish(source, user=editor)
    assert shown_to(clients, count) == {role: n + 1 for role, n in before.items()}


# --- the review state itself --------------------------------------------------------------------


def test_accepting_publishes_once_with_history_and_unaccepting_keeps_it_public(fresh, editor):
    accept_one(fresh, editor)
    fresh.refresh_from_db()
    first = fresh.published_at
    assert first is not None and fresh.published_by == editor
    assert fresh.history.first().history_change_reason.endswith("of it was accepted")
    # A second accepted claim keeps the first time; sending every claim back keeps the source public.
    services.claims_review(user=editor, claims=fresh.claims.all(), status=ClaimStatus.ACCEPTED)
    services.claims_review(user=editor, claims=fresh.claims.all(), status=ClaimStatus.PROPOSED)
    fresh.refresh_from_db()
    assert fresh.published_at == first


def test_claims_created_accepted_publish_their_source(kb, editor, make_source):
    one, other = make_source(), make_source()
    services.claim_create(user=editor, source=one, quote="Vostochny Cosmodrome", status=ClaimStatus.ACCEPTED)
    services.claims_propose(user=editor, source=other, claims=[{"quote": "artillery shells"}], status="accepted")
    assert [s.published_at is not None for s in Source.objects.filter(pk__in=[one.pk, other.pk])] == [True, True]


def test_moving_an_accepted_claim_to_a_hidden_source_publishes_it(kb, editor, make_source):
    hidden = make_source()
    services.claim_update(kb["meeting"], user=editor, source=hidden)
    hidden.refresh_from_db()
    assert hidden.published_at is not None


def test_unpublishing_is_refused_while_a_claim_is_accepted(kb, editor, fresh):
    with pytest.raises(ValidationError) as caught:
        services.source_unpublish(kb["source"], user=editor)
    assert "accepted" in str(caught.value)
    assert Source.objects.get(pk=kb["source"].pk).published_at is not None
    services.source_publish(fresh, user=editor)
    services.source_unpublish(fresh, user=editor)
    assert Source.objects.get(pk=fresh.pk).published_at is None


def test_editors_publish_and_unpublish_through_the_api(as_editor, anon, kb, fresh):
    url = f"{V1}/sources/{fresh.pk}/"
    response = as_editor.patch(url, {"public": True}, format="json")
    assert response.status_code == 200 and response.json()["public"] is True
    assert response.json()["published_at"]
    assert anon.get(url).status_code == 200
    response = as_editor.patch(url, {"public": False}, format="json")
    assert response.status_code == 200 and response.json()["public"] is False
    assert anon.get(url).status_code == 404
    # The article with accepted claims cannot be hidden: 400 naming the field, nothing changed.
    response = as_editor.patch(f"{V1}/sources/{kb['source'].pk}/", {"public": False}, format="json")
    assert response.status_code == 400 and "public" in response.json(), response.content
    assert anon.get(f"{V1}/sources/{kb['source'].pk}/").status_code == 200


def test_the_admin_shows_the_state_and_publishes(client, admin_user, kb, fresh):
    client.force_login(admin_user)
    changelist = admin_url("kb_source_changelist")
    waiting = client.get(changelist, {"public": "no"}).content.decode()
    assert f"{WORD} dispatch" in waiting and "Summit at Vostochny" not in waiting
    response = client.post(changelist, {"action": "publish", "_selected_action": [fresh.pk]})
    assert response.status_code == 302
    assert Source.objects.get(pk=fresh.pk).published_at is not None
    # Unpublishing a source with an accepted claim: refused with a message, nothing changed.
    response = client.post(
        changelist, {"action": "unpublish", "_selected_action": [fresh.pk, kb["source"].pk]}, follow=True
    )
    assert "No source was changed" in response.content.decode()
    assert Source.objects.filter(pk__in=[fresh.pk, kb["source"].pk], published_at__isnull=True).count() == 0


def test_the_migration_publishes_every_source_with_an_accepted_claim(kb, fresh, editor):
    Source.objects.update(published_at=None, published_by=None)
    migration = importlib.import_module("kb.migrations.0018_source_review")
    migration.publish_sources_with_accepted_claims(apps, None)
    assert Source.objects.get(pk=kb["source"].pk).published_at == kb["meeting"].reviewed_at
    assert Source.objects.get(pk=kb["source"].pk).published_by == editor
    assert Source.objects.get(pk=fresh.pk).published_at is None
