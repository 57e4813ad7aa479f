"""The REST API through its public surface: endpoints, filters, visibility, permissions, writes, CSV, query counts."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from kb import services
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
from kb.models import Actor, ArmsTransfer, Claim, Event, Provision, Relationship, Source
from kb.selectors import visible_records
from tests.helpers import API_LISTS, ARTICLE, V1, ids
from tests.world import CORE, World, build_world

pytestmark = pytest.mark.django_db

TEXT = f"{ARTICLE}\n\nTankers loaded fuel at the Sŭngri refinery, a rumour said."  # the world's article


@pytest.fixture
def corpus(editor) -> World:
    """CORE with Putin and the Sŭngri refinery: accepted claims back the records, the proposed rumour backs a
    hidden event and is more evidence for the treaty. The transfer is dated by year."""
    return build_world(editor, *CORE, "putin", "sungri", "rumour", "hidden_event", transfer={"start_on": "2023"})


@pytest.fixture
def as_analyst(analyst):
    client = APIClient()
    client.force_login(analyst)
    return client


@pytest.fixture
def as_admin(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    return client


# --- endpoints ----------------------------------------------------------------------


@pytest.mark.parametrize("resource", API_LISTS)
def test_every_list_is_paginated_and_every_row_has_id_and_url(anon, corpus, resource):
    body = anon.get(f"{V1}/{resource}/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1
    for row in body["results"]:
        detail = anon.get(row["url"])
        assert detail.status_code == 200, detail.content
        assert detail.json()["id"] == row["id"]


def test_api_root_lists_the_resources(anon):
    body = anon.get(f"{V1}/").json()
    assert set(body) == {*API_LISTS, "drafts", "search", "ingest", "stix", "schema", "docs"}


def test_pagination_next_and_page_size(anon, make_actor):
    for n in range(5):
        make_actor(f"State {n}")
    first = anon.get(f"{V1}/actors/?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    second = anon.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert anon.get(f"{V1}/actors/?page_size=2&page=3").json()["next"] is None


def walk(client, url: str, link: str = "next") -> list[list[int]]:
    """The ids of every page from ``url`` on, following ``link``."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}  # a cursor page does not count the list
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
    return pages


@pytest.mark.parametrize("resource", API_LISTS)
def test_a_cursor_walks_a_whole_list_in_id_order_and_back(anon, as_editor, many, resource):
    for client in (anon, as_editor):
        every = sorted(row["id"] for row in client.get(f"{V1}/{resource}/?page_size=200").json()["results"])
        pages = walk(client, f"{V1}/{resource}/?cursor=&page_size=3")
        assert [row for page in pages for row in page] == every
        assert all(len(page) == 3 for page in pages[:-1])
        newest_first = walk(client, f"{V1}/{resource}/?cursor=&page_size=4&ordering=-id")
        assert [row for page in newest_first for row in page] == every[::-1]
        # From the last page back to the first.
        last = client.get(f"{V1}/{resource}/?cursor=&page_size=3")
        for _ in pages[1:]:
            last = client.get(last.json()["next"])
        back = walk(client, last.json()["previous"], link="previous")
        assert back == pages[-2::-1]


def test_a_cursor_keeps_the_filters_and_reads_no_count(anon, many, django_assert_num_queries):
    dprk = many["dprk"]
    expected = sorted(ids(anon.get(f"{V1}/claims/?subject={dprk.slug}&page_size=200")))
    assert len(expected) > 3
    assert [c for page in walk(anon, f"{V1}/claims/?subject={dprk.slug}&cursor=&page_size=3") for c in page] == expected
    # The actor filter's lookup, the page, its subjects and its links: no count.
    with django_assert_num_queries(4):
        anon.get(f"{V1}/claims/?subject={dprk.slug}&cursor=&page_size=3")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("cursor=bm9uc2Vuc2U", 404, "detail"),  # not a cursor kb made
        ("cursor=cD1hYmM%3D", 404, "detail"),  # a position that is not an id
        ("cursor=&page=2", 400, "cursor"),
        ("cursor=&ordering=credibility", 400, "ordering"),
        ("cursor=&page_size=500", 400, "page_size"),
    ],
)
def test_bad_cursors_are_clear_errors(anon, corpus, query, status, field):
    response = anon.get(f"{V1}/claims/?{query}")
    assert response.status_code == status, response.content
    assert response.json()[field]


@override_settings(KB_API_MAX_OFFSET=6)
def test_page_numbers_reach_a_bounded_depth_and_point_to_the_cursor(anon, many):
    assert len(anon.get(f"{V1}/claims/?page_size=3&page=2").json()["results"]) == 3
    response = anon.get(f"{V1}/claims/?page_size=3&page=3")
    assert response.status_code == 404
    assert "first 6 results" in response.json()["detail"] and "?cursor=" in response.json()["detail"]
    assert anon.get(f"{V1}/claims/?page_size=2&page=3").status_code == 200
    assert anon.get(f"{V1}/claims/?page_size=2&page=last").status_code == 404


def test_actor_detail_has_aliases_counts_and_links(anon, corpus):
    body = anon.get(f"{V1}/actors/{corpus['dprk'].pk}/").json()
    assert body["slug"] == "north-korea"
    assert set(body["aliases"]) == {"North Korea", "DPRK"}
    related = body["related"]
    # The rumour about North Korea is proposed: it does not count for anonymous users.
    assert related["claims"]["count"] == 1
    assert related["agreements"]["count"] == 1
    assert related["transfers_supplied"]["count"] == 1
    assert related["transfers_received"]["count"] == 0
    assert related["relationships"]["count"] == 1
    assert related["events"]["count"] == 0
    assert ids(anon.get(related["claims"]["url"])) == {corpus["shells"].pk}
    assert ids(anon.get(related["transfers_supplied"]["url"])) == {corpus["transfer"].pk}


def test_actor_counts_include_proposed_claims_for_editors(as_editor, corpus):
    related = as_editor.get(f"{V1}/actors/{corpus['dprk'].pk}/").json()["related"]
    assert related["claims"]["count"] == 2


def test_records_carry_brief_related_records_and_evidence(anon, corpus):
    treaty = anon.get(f"{V1}/agreements/{corpus['treaty'].pk}/").json()
    assert treaty["signed_on"] == "2024-06-19" and treaty["signed_on_precision"] == "day"
    assert [p["actor"]["name"] for p in treaty["parties"]] == ["North Korea", "Russia"]
    assert treaty["parties"][0]["signatory"]["slug"] == corpus["kim"].slug
    assert set(treaty["parties"][0]["actor"]) == {"id", "url", "slug", "name", "kind"}
    assert treaty["provisions"][0]["kind"] == "mutual_defence"
    # Only the accepted claim is evidence for anonymous users.
    assert [c["id"] for c in treaty["evidence"]] == [corpus["treaty_claim"].pk]
    transfer = anon.get(f"{V1}/arms-transfers/{corpus['transfer'].pk}/").json()
    assert transfer["supplier"]["name"] == "North Korea" and transfer["recipient"]["name"] == "Russia"
    assert transfer["start_on"] == "2023" and transfer["start_on_precision"] == "year"
    claim = anon.get(f"{V1}/claims/{corpus['meeting'].pk}/").json()
    assert claim["source"]["title"] == "Summit at Vostochny"
    assert claim["about_on"] == "2023-09" and claim["about_on_precision"] == "month"
    assert TEXT[claim["start"] : claim["end"]] == claim["quote"]
    source = anon.get(f"{V1}/sources/{corpus['source'].pk}/").json()
    assert source["text"] == TEXT and source["claim_count"] == 3
    assert [c["id"] for c in source["claims"]] == [corpus[k].pk for k in ("meeting", "shells", "treaty_claim")]
    event = anon.get(f"{V1}/events/{corpus['summit'].pk}/").json()
    assert {p["name"] for p in event["participants"]} == {"Kim Jong Un", "Vladimir Putin"}
    rel = anon.get(f"{V1}/relationships/{corpus['leader'].pk}/").json()
    assert rel["subject"]["name"] == "Kim Jong Un" and rel["predicate"] == "leader_of"


def test_a_source_nests_its_first_claims_and_links_to_them_all(anon, corpus, monkeypatch):
    monkeypatch.setattr("kb.api.serializers.sources.NESTED_CLAIMS", 2)
    source = anon.get(f"{V1}/sources/{corpus['source'].pk}/").json()
    assert source["claim_count"] == 3
    assert [c["id"] for c in source["claims"]] == [corpus[k].pk for k in ("meeting", "shells")]
    listed = anon.get(source["claims_url"]).json()["results"]
    assert [c["id"] for c in listed] == [corpus[k].pk for k in ("meeting", "shells", "treaty_claim")]


# --- visibility ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anon", "as_analyst"])
def test_non_editors_see_accepted_claims_and_the_records_they_back(request, corpus, who):
    client = request.getfixturevalue(who)
    assert ids(client.get(f"{V1}/claims/")) == {corpus[k].pk for k in ("meeting", "shells", "treaty_claim")}
    assert client.get(f"{V1}/claims/{corpus['rumour'].pk}/").status_code == 404
    assert ids(client.get(f"{V1}/claims/?status=proposed")) == set()
    assert ids(client.get(f"{V1}/events/")) == {corpus["summit"].pk}
    assert client.get(f"{V1}/events/{corpus['hidden_event'].pk}/").status_code == 404
    assert client.get(f"{V1}/sources/{corpus['source'].pk}/").json()["claim_count"] == 3
    assert corpus["rumour"].pk not in {h["id"] for h in client.get(f"{V1}/search/?q=sungri").json()["results"]}


@pytest.mark.parametrize("who", ["as_editor", "as_admin"])
def test_editors_see_everything(request, corpus, who):
    client = request.getfixturevalue(who)
    assert corpus["rumour"].pk in ids(client.get(f"{V1}/claims/"))
    assert ids(client.get(f"{V1}/claims/?status=proposed")) == {corpus["rumour"].pk}
    assert ids(client.get(f"{V1}/events/")) == {corpus["summit"].pk, corpus["hidden_event"].pk}
    evidence = client.get(f"{V1}/agreements/{corpus['treaty'].pk}/").json()["evidence"]
    assert {c["id"] for c in evidence} == {corpus["treaty_claim"].pk, corpus["rumour"].pk}


# --- writes through the services -----------------------------------------------------


def test_editor_creates_updates_and_deletes_each_kind(as_editor, corpus, editor):
    dprk, russia, kim, source = corpus["dprk"], corpus["russia"], corpus["kim"], corpus["source"]
    actor = as_editor.post(
        f"{V1}/actors/", {"name": "Choe Son-hui", "kind": "person", "aliases": ["Choe Son Hee"]}, format="json"
    )
    assert actor.status_code == 201, actor.content
    assert actor["Location"].endswith(f"/api/v1/actors/{actor.json()['id']}/")
    assert set(actor.json()["aliases"]) == {"Choe Son-hui", "Choe Son Hee"}
    actor_id = actor.json()["id"]
    renamed = as_editor.patch(
        f"{V1}/actors/{actor_id}/", {"summary": "Foreign minister.", "start_on": "1964"}, format="json"
    )
    assert renamed.json()["start_on"] == "1964" and renamed.json()["start_on_precision"] == "year"
    more = as_editor.patch(f"{V1}/actors/{actor_id}/", {"name": "Choe Sonhui", "aliases": ["CSH"]}, format="json")
    assert set(more.json()["aliases"]) == {"Choe Son-hui", "Choe Son Hee", "Choe Sonhui", "CSH"}

    claim = as_editor.post(
        f"{V1}/claims/",
        {
            "source": source.pk,
            "quote": "Russia’s need for a “continuous supply” of weapons is growing.",
            "modality": "assessment",
            "subjects": [russia.pk],
            "about_on": "2024-07",
            "credibility": 3,
        },
        format="json",
    )
    assert claim.status_code == 201, claim.content
    body = claim.json()
    assert body["status"] == "proposed" and TEXT[body["start"] : body["end"]] == body["quote"]
    accepted = as_editor.patch(f"{V1}/claims/{body['id']}/", {"status": "accepted"}, format="json").json()
    assert accepted["status"] == "accepted" and accepted["reviewed_by"] == editor.username

    event = as_editor.post(
        f"{V1}/events/",
        {"title": "Lavrov visit", "kind": "visit", "start_on": "2024-11", "participants": [kim.pk]},
        format="json",
    )
    assert event.status_code == 201, event.content
    assert event.json()["slug"] == "lavrov-visit" and event.json()["start_on"] == "2024-11"

    agreement = as_editor.post(
        f"{V1}/agreements/",
        {
            "title": "Visa agreement",
            "kind": "agreement",
            "status": "signed",
            "signed_on": "2024",
            "parties": [{"actor": dprk.pk}, {"actor": russia.pk, "signatory": corpus["putin"].pk}],
            "provisions": [{"label": "Art. 1", "kind": "other", "summary": "Visa-free travel."}],
        },
        format="json",
    )
    assert agreement.status_code == 201, agreement.content
    assert len(agreement.json()["parties"]) == 2 and agreement.json()["provisions"][0]["label"] == "Art. 1"
    changed = as_editor.patch(
        f"{V1}/agreements/{agreement.json()['id']}/",
        {
            "parties": [{"actor": russia.pk}],
            "provisions": [
                {"label": "Art. 1", "kind": "other", "summary": "Visa-free travel for 90 days."},
                {"label": "Art. 2", "kind": "labour", "summary": "Work permits."},
            ],
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert [p["actor"]["id"] for p in changed.json()["parties"]] == [russia.pk]
    assert [p["label"] for p in changed.json()["provisions"]] == ["Art. 1", "Art. 2"]
    # two provisions with one label are refused, and nothing changes
    twice = {"label": "Art. 1", "kind": "other", "summary": "Twice."}
    clash = as_editor.patch(f"{V1}/agreements/{agreement.json()['id']}/", {"provisions": [twice, twice]}, format="json")
    assert clash.status_code == 400, clash.content
    assert "cannot have the same label" in clash.content.decode()
    assert list(Provision.objects.filter(agreement=agreement.json()["id"]).values_list("label", flat=True)) == [
        "Art. 1",
        "Art. 2",
    ]

    transfer = as_editor.post(
        f"{V1}/arms-transfers/",
        {
            "supplier": dprk.pk,
            "recipient": russia.pk,
            "category": "missiles",
            "designation": "KN-23",
            "description": "Ballistic missiles",
            "status": "alleged",
            "quantity_low": 20,
            "quantity_high": 50,
            "start_on": "2023-12",
            "evidence": [body["id"]],
        },
        format="json",
    )
    assert transfer.status_code == 201, transfer.content
    assert transfer.json()["evidence"][0]["id"] == body["id"]

    rel = as_editor.post(
        f"{V1}/relationships/",
        {"subject": actor_id, "predicate": "employed_by", "object": dprk.pk, "valid_from": "2024-01"},
        format="json",
    )
    assert rel.status_code == 201, rel.content

    new_source = as_editor.post(
        f"{V1}/sources/",
        {
            "title": "Another article",
            "publisher": "Wire",
            "text": "A short article about nothing.",
            "published_on": "2024-08",
            "article_url": "https://example.org/a",
        },
        format="json",
    )
    assert new_source.status_code == 201, new_source.content
    assert new_source.json()["article_url"] == "https://example.org/a"

    for path in [
        f"relationships/{rel.json()['id']}",
        f"arms-transfers/{transfer.json()['id']}",
        f"agreements/{agreement.json()['id']}",
        f"events/{event.json()['id']}",
        f"sources/{new_source.json()['id']}",
    ]:
        assert as_editor.delete(f"{V1}/{path}/").status_code == 204, path
        assert as_editor.get(f"{V1}/{path}/").status_code == 404
    assert not Event.objects.filter(title="Lavrov visit").exists()
    history = Actor.objects.get(pk=actor_id).history.first()
    assert history.history_user == editor


def test_put_replaces_and_partial_dates_clear(as_editor, corpus):
    url = f"{V1}/events/{corpus['summit'].pk}/"
    response = as_editor.put(url, {"title": "Summit", "kind": "summit", "start_on": None}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["start_on"] is None and response.json()["start_on_precision"] == ""


# --- filters and search over HTTP -------------------------------------------------------


def test_filters_on_every_list(anon, corpus):
    c = corpus
    assert ids(anon.get(f"{V1}/actors/?kind=person")) == {c["kim"].pk, c["putin"].pk}
    assert ids(anon.get(f"{V1}/actors/?country_code=KP")) == {c["dprk"].pk}
    assert ids(anon.get(f"{V1}/relationships/?subject={c['kim'].slug}")) == {c["leader"].pk}
    assert ids(anon.get(f"{V1}/relationships/?predicate=ally_of")) == set()
    assert ids(anon.get(f"{V1}/sources/?date_from=2024-07&date_to=2024-07")) == {c["source"].pk}
    assert ids(anon.get(f"{V1}/sources/?kind=official")) == set()
    assert ids(anon.get(f"{V1}/claims/?modality=fact")) == {c["meeting"].pk, c["treaty_claim"].pk}
    assert ids(anon.get(f"{V1}/claims/?credibility_at_least=2")) == {c["meeting"].pk, c["treaty_claim"].pk}
    assert ids(anon.get(f"{V1}/claims/?source={c['source'].pk}&subject=russia")) == {c["shells"].pk}
    # A claim about "2023" and one about "September 2023" overlap September 2023.
    assert ids(anon.get(f"{V1}/claims/?date_from=2023-09&date_to=2023-09")) == {c["meeting"].pk, c["shells"].pk}
    assert ids(anon.get(f"{V1}/events/?participant={c['putin'].pk}&kind=summit")) == {c["summit"].pk}
    assert ids(anon.get(f"{V1}/events/?date_from=2024")) == set()
    assert ids(anon.get(f"{V1}/agreements/?party=russia&status=in_force")) == {c["treaty"].pk}
    assert ids(anon.get(f"{V1}/agreements/?date_from=2024-06&provision_kind=mutual_defence")) == {c["treaty"].pk}
    assert ids(anon.get(f"{V1}/arms-transfers/?supplier=north-korea&category=ammunition")) == {c["transfer"].pk}
    assert ids(anon.get(f"{V1}/arms-transfers/?recipient={c['dprk'].pk}")) == set()
    assert ids(anon.get(f"{V1}/arms-transfers/?date_from=2023-09&date_to=2023-09&status=reported")) == {
        c["transfer"].pk
    }


def test_ordering(anon, corpus):
    names = [a["name"] for a in anon.get(f"{V1}/actors/?ordering=-name").json()["results"]]
    assert names == sorted(names, reverse=True)
    creds = [c["credibility"] for c in anon.get(f"{V1}/claims/?ordering=credibility").json()["results"]]
    assert creds == sorted(creds)


@pytest.mark.parametrize(
    ("resource", "ordering", "lookup"),
    [
        ("relationships", "", "subject__name"),  # the default order leads with the subject's name
        ("relationships", "-object", "object__name"),
        ("arms-transfers", "supplier", "supplier__name"),
        ("arms-transfers", "-recipient", "recipient__name"),
    ],
)
def test_orderings_by_an_actors_name_keep_every_row(anon, many, resource, ordering, lookup):
    # These lists narrow themselves by a range on the name (see KbViewSet.filter_queryset).
    model = {"relationships": Relationship, "arms-transfers": ArmsTransfer}[resource]
    query = f"ordering={ordering}&" if ordering else ""
    body = anon.get(f"{V1}/{resource}/?{query}page_size=200").json()
    names = [row[lookup.split("__")[0]]["name"] for row in body["results"]]
    descending = "-" if ordering.startswith("-") else ""
    rows = visible_records(user=None, queryset=model.objects.order_by(f"{descending}{lookup}"))
    assert names == [name for (name,) in rows.values_list(lookup)]
    assert body["count"] == len(names) == len(anon.get(f"{V1}/{resource}/?cursor=&page_size=200").json()["results"])


@pytest.mark.parametrize("spelling", ["Kim Jong-un", "kim jong un", "KIM JONG UN", "Kim  Jong‐Un", "jong-un"])
def test_search_across_spellings(anon, corpus, spelling):
    assert ids(anon.get(f"{V1}/actors/", {"search": spelling})) == {corpus["kim"].pk}
    assert corpus["meeting"].pk in ids(anon.get(f"{V1}/claims/", {"search": spelling}))


@pytest.mark.parametrize("spelling", ["dprk", "North-Korea", "north korea"])
def test_search_records_by_actor_alias(anon, corpus, spelling):
    assert ids(anon.get(f"{V1}/arms-transfers/", {"search": spelling})) == {corpus["transfer"].pk}
    assert ids(anon.get(f"{V1}/agreements/", {"search": spelling})) == {corpus["treaty"].pk}


def test_search_endpoint_is_typed_ranked_and_highlighted(anon, as_editor, corpus):
    body = anon.get(f"{V1}/search/", {"q": "sungri"}).json()
    top = body["results"][0]
    assert top["type"] == "actor" and top["id"] == corpus["sungri"].pk
    assert "<mark>Sŭngri</mark>" in top["snippet"]
    assert top["url"].endswith(f"/api/v1/actors/{corpus['sungri'].pk}/")
    ranks = [hit["rank"] for hit in body["results"]]
    assert ranks == sorted(ranks, reverse=True)
    editor_hits = {(h["type"], h["id"]) for h in as_editor.get(f"{V1}/search/", {"q": "Sungri"}).json()["results"]}
    assert ("claim", corpus["rumour"].pk) in editor_hits
    assert ("event", corpus["hidden_event"].pk) in editor_hits
    kinds = {h["type"] for h in anon.get(f"{V1}/search/", {"q": "treaty"}).json()["results"]}
    assert {"agreement", "claim"} <= kinds
    only = anon.get(f"{V1}/search/", {"q": "treaty", "type": "agreement"}).json()["results"]
    assert [h["type"] for h in only] == ["agreement"]
    assert "<mark>Treaty</mark>" in only[0]["snippet"]
    # How many of each type match, whatever the type filter and limit: hidden records not counted.
    body = anon.get(f"{V1}/search/", {"q": "sungri", "type": "actor", "limit": 1}).json()
    counted = {c["type"]: (c["count"], c["more"]) for c in body["types"]}
    editor_counted = {c["type"]: c["count"] for c in as_editor.get(f"{V1}/search/", {"q": "sungri"}).json()["types"]}
    assert counted["actor"] == (1, False) and body["count"] == 1
    assert counted.get("claim", (0, False))[0] < editor_counted["claim"]
    assert "event" not in counted and editor_counted["event"] == 1


def test_search_snippet_escapes_html(as_editor, make_source, make_claim):
    source = make_source(text="Pyongyang printed a <script>alert(1)</script> tag.")
    make_claim(source=source, quote="Pyongyang printed a <script>alert(1)</script> tag.", status="accepted")
    hit = as_editor.get(f"{V1}/search/", {"q": "pyongyang", "type": "claim"}).json()["results"][0]
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert "<mark>Pyongyang</mark>" in hit["snippet"]


# --- CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", API_LISTS)
def test_csv_on_every_list(anon, corpus, resource):
    response = anon.get(f"{V1}/{resource}/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == anon.get(f"{V1}/{resource}/").json()["count"]
    assert "id" in rows[0]


def csv_of(client, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(client.get(path).streaming_content).decode())))


def as_cell(value) -> str:
    """A JSON value as the CSV writes it: records as their ids, lists joined by "; ", null as empty."""
    if isinstance(value, dict):
        return str(value["id"])
    if isinstance(value, list):
        return "; ".join(sorted((as_cell(item) for item in value), key=lambda v: (len(v), v)))
    return "" if value is None else str(value)


# JSON fields whose CSV cell is written another way (see kb/exports.py).
CSV_OWN = {"aliases", "parties", "provisions", "links"}


@pytest.mark.parametrize("resource", API_LISTS)
def test_csv_has_the_json_columns_with_urls_precisions_and_ids(as_editor, corpus, resource):
    listed = as_editor.get(f"{V1}/{resource}/?page_size=200").json()["results"]
    rows = {row["id"]: row for row in csv_of(as_editor, f"{V1}/{resource}/?format=csv")}
    extra = ["signatories"] if resource == "agreements" else []
    header = list(next(iter(rows.values())))
    expected = list(listed[0])
    if extra:
        expected.insert(expected.index("parties") + 1, "signatories")
    assert header == expected
    for record in listed:
        row = rows[str(record["id"])]
        assert row["url"] == record["url"] and row["url"].startswith("http://testserver/api/v1/")
        for name, value in record.items():
            if name not in CSV_OWN:
                # Text a spreadsheet would run as a formula is written with a ' in front.
                assert row[name] in (as_cell(value), f"'{as_cell(value)}"), (resource, name, row[name], value)
        for name in (n for n in record if n.endswith("_precision")):
            assert header.index(name) == header.index(name.removesuffix("_precision")) + 1


def test_csv_partial_dates_and_related_ids(anon, corpus):
    rows = csv_of(anon, f"{V1}/claims/?format=csv&subject=kim-jong-un")
    assert {row["id"] for row in rows} == {str(corpus["meeting"].pk), str(corpus["treaty_claim"].pk)}
    meeting = next(row for row in rows if row["id"] == str(corpus["meeting"].pk))
    subjects = sorted(corpus["meeting"].subjects.values_list("pk", flat=True))
    assert meeting["subjects"] == "; ".join(map(str, subjects))
    assert meeting["source"] == str(corpus["meeting"].source_id)
    assert meeting["reviewed_by"] == meeting["review_note"] == ""  # editors only, as in the JSON
    row = csv_of(anon, f"{V1}/arms-transfers/?format=csv")[0]
    transfer = corpus["transfer"]
    assert (row["supplier"], row["recipient"]) == (str(transfer.supplier_id), str(transfer.recipient_id))
    assert (row["start_on"], row["start_on_precision"]) == ("2023", "year")


def test_csv_neutralises_formulas(as_editor, editor):
    services.actor_create(user=editor, name="=HYPERLINK(1)", kind="organization", slug="formula")
    body = b"".join(as_editor.get(f"{V1}/actors/?format=csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_csv_errors_are_json(anon):
    response = anon.get(f"{V1}/claims/?format=csv&status=maybe")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "status" in response.json()


# --- query counts --------------------------------------------------------------------


@pytest.fixture
def many(corpus, editor):
    """Ten more rows of every kind, all backed by accepted claims."""
    u, c = editor, corpus
    for n in range(10):
        actor = services.actor_create(user=u, name=f"Unit {n}", kind=ActorKind.ORGANIZATION, aliases=[f"U-{n}"])
        source = services.source_create(
            user=u, title=f"Report {n}", publisher="Wire", text=f"{TEXT}\n\nReport {n}.", published_on="2024"
        )
        claim = services.claim_create(
            user=u,
            source=source,
            quote=f"Report {n}.",
            subjects=[actor, c["dprk"]],
            speaker=c["kim"],
            status=ClaimStatus.ACCEPTED,
        )
        services.claim_link(user=u, from_claim=claim, to_claim=c["meeting"], kind="supports")
        services.event_create(
            user=u, title=f"Visit {n}", kind=EventKind.VISIT, place=c["dprk"], participants=[actor], evidence=[claim]
        )
        services.agreement_create(
            user=u,
            title=f"Accord {n}",
            kind=AgreementKind.MEMORANDUM,
            status=AgreementStatus.SIGNED,
            parties=[(actor, None), (c["russia"], c["putin"])],
            provisions=[{"kind": "economic", "summary": "Trade."}],
            evidence=[claim],
        )
        services.transfer_create(
            user=u,
            supplier=actor,
            recipient=c["russia"],
            category=TransferCategory.ARTILLERY,
            description="Guns",
            status=TransferStatus.ALLEGED,
            evidence=[claim],
        )
        services.relationship_create(
            user=u, subject=actor, predicate=RelationshipPredicate.PART_OF, object=c["dprk"], evidence=[claim]
        )
    return c


# Queries per list request (anonymous): count, page, then one per prefetched relation. The count
# is cached under the data's version: asked again before any write, the list skips it.
QUERIES = {
    "actors": 3,
    "relationships": 3,
    "sources": 3,
    "claims": 4,
    "events": 4,
    "agreements": 6,  # parties, their evidence, provisions, evidence
    "arms-transfers": 3,
}


@pytest.mark.slow
@pytest.mark.parametrize("resource", API_LISTS)
def test_list_query_count_does_not_grow_with_page_size(anon, many, resource, django_assert_num_queries):
    for page_size, counted in ((3, 1), (10, 0)):
        with django_assert_num_queries(QUERIES[resource] - 1 + counted):
            response = anon.get(f"{V1}/{resource}/?page_size={page_size}")
        assert len(response.json()["results"]) == page_size


@pytest.mark.slow
@pytest.mark.parametrize("resource", API_LISTS)
def test_list_query_count_for_editors(as_editor, many, resource, django_assert_num_queries):
    # The token lookup, and the Editors-group check wherever visibility applies, come on top.
    extra = 1 if resource == "actors" else 2
    for page_size, counted in ((3, 1), (10, 0)):
        with django_assert_num_queries(QUERIES[resource] - 1 + counted + extra):
            response = as_editor.get(f"{V1}/{resource}/?page_size={page_size}")
        assert len(response.json()["results"]) == page_size


def test_cached_counts_follow_every_write(anon, as_editor, corpus, editor):
    def count(client, query=""):
        return client.get(f"{V1}/claims/{query}").json()["count"]

    before, proposed = count(anon), count(as_editor, "?status=proposed")
    claim = services.claim_create(user=editor, source=corpus["source"], quote="weapons")
    assert (count(anon), count(as_editor, "?status=proposed")) == (before, proposed + 1)
    services.claim_review(claim, user=editor, status=ClaimStatus.ACCEPTED)
    assert (count(anon), count(as_editor, "?status=proposed")) == (before + 1, proposed)
    services.claim_delete(claim, user=editor)
    assert count(anon) == before


@pytest.mark.slow
def test_actor_detail_query_count(anon, many, django_assert_num_queries):
    # The actor, its aliases, and its counts: one query, kept under the data's version, so that
    # the same detail asked again before any write skips it.
    with django_assert_num_queries(3):
        first = anon.get(f"{V1}/actors/{many['dprk'].pk}/").json()
    with django_assert_num_queries(2):
        again = anon.get(f"{V1}/actors/{many['dprk'].pk}/").json()
    assert again["related"] == first["related"]


# Queries per CSV: the rows (evidence ids joined in their own query), then one per prefetched relation.
CSV_QUERIES = {"claims": 3, "relationships": 1, "events": 2, "agreements": 3, "arms-transfers": 1}


@pytest.mark.slow
@pytest.mark.parametrize("resource", list(CSV_QUERIES))
def test_csv_query_count_does_not_grow_with_rows(anon, many, resource, django_assert_num_queries):
    # No count, and only the relations the export's columns read.
    with django_assert_num_queries(CSV_QUERIES[resource]):
        b"".join(anon.get(f"{V1}/{resource}/?format=csv").streaming_content)


def test_transfer_csv_is_one_query_with_evidence_ids_in_order(anon, as_editor, many, editor, django_assert_num_queries):
    transfer = many["transfer"]
    hidden = services.claim_create(user=editor, source=Source.objects.first(), quote="weapons")
    evidence = sorted([*transfer.evidence.values_list("pk", flat=True), hidden.pk])
    services.transfer_update(transfer, user=editor, evidence=Claim.objects.filter(pk__in=evidence))
    for client, expected in ((anon, [pk for pk in evidence if pk != hidden.pk]), (as_editor, evidence)):
        with django_assert_num_queries(1 if client is anon else 3):  # editors: token and group lookups
            body = b"".join(client.get(f"{V1}/arms-transfers/?format=csv").streaming_content).decode()
        rows = {row["id"]: row for row in csv.DictReader(io.StringIO(body))}
        assert rows[str(transfer.pk)]["evidence"] == "; ".join(str(pk) for pk in expected)
        assert rows[str(transfer.pk)]["supplier"] == str(transfer.supplier_id)


# --- tokens and throttling -----------------------------------------------------------


def test_create_editor_prints_a_token_that_writes(db, corpus):
    out = io.StringIO()
    call_command("create_editor", "scripter", "--email", "s@example.org", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(f"{V1}/actors/", {"name": "Pyongyang", "kind": "place"}, format="json")
    assert response.status_code == 201, response.content


def test_bad_token_is_refused(corpus):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(f"{V1}/actors/")
    assert response.status_code == 401 and "detail" in response.json()


@override_settings(KB_API_ANON_RATE="3/minute")
def test_anonymous_requests_are_throttled(anon, as_editor, corpus):
    for _ in range(3):
        assert anon.get(f"{V1}/actors/").status_code == 200
    response = anon.get(f"{V1}/actors/")
    assert response.status_code == 429 and "detail" in response.json()
    assert as_editor.get(f"{V1}/actors/").status_code == 200


@override_settings(KB_API_ANON_RATE="3/minute")
def test_the_throttle_counts_the_connecting_address_not_a_forwarded_header(anon, corpus):
    for n in range(3):
        assert anon.get(f"{V1}/actors/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    assert anon.get(f"{V1}/actors/", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_behind_a_trusted_proxy_the_throttle_counts_the_address_it_forwards(anon, corpus, settings):
    settings.KB_API_ANON_RATE = "2/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy appends the address it saw; what the client wrote before it is not believed.
    for _ in range(2):
        assert anon.get(f"{V1}/actors/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5").status_code == 200
    assert anon.get(f"{V1}/actors/", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5").status_code == 429
    assert anon.get(f"{V1}/actors/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_sources_count_and_ids(anon, corpus):
    assert anon.get(f"{V1}/sources/").json()["count"] == Source.objects.count()


def test_reviewer_and_review_note_are_for_editors_only(anon, as_analyst, as_editor, make_claim, editor):
    claim = services.claim_review(make_claim(), user=editor, status="accepted", note="Checked against the wire copy.")
    for client in (anon, as_analyst):
        body = client.get(f"{V1}/claims/{claim.pk}/").json()
        assert body["status"] == "accepted"
        assert body["reviewed_by"] is None and body["review_note"] is None
        listed = client.get(f"{V1}/claims/").json()["results"][0]
        assert listed["reviewed_by"] is None and listed["review_note"] is None
    body = as_editor.get(f"{V1}/claims/{claim.pk}/").json()
    assert body["reviewed_by"] == editor.username and body["review_note"] == "Checked against the wire copy."
