"""STIX 2.1: /api/v1/stix/ bundles (valid, deterministic, visible, filtered, paged) and import_stix."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from stix2validator import validate_string

from kb import services
from kb.models import Actor, Agreement, Alias, ArmsTransfer, Claim, ClaimLink, Draft, Event, Relationship, Source
from kb.selectors.stix import KB_NAMESPACE
from tests.world import STORY, build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/stix/"


@pytest.fixture
def story(editor):
    """Every record of the story: seven actors, the article, its claims (two proposed), events, transfers…"""
    return build_world(editor, *STORY)


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def walk(client: Client, url: str = URL) -> list[dict]:
    """Every page of a walk, following the Link headers."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/stix+json;version=2.1"
        pages.append(json.loads(response.content))
        link = response.get("Link")
        url = link.split(">")[0].lstrip("<") if link else None
        assert len(pages) < 50
    return pages


def objects(pages: list[dict]) -> dict[str, dict]:
    return {obj["id"]: obj for page in pages for obj in page.get("objects", [])}


def by_name(found: dict[str, dict], name: str) -> dict:
    matches = [obj for obj in found.values() if obj.get("name") == name]
    assert len(matches) == 1, (name, matches)
    return matches[0]


def expected_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(KB_NAMESPACE, f'{kind}:{key}')}"


# --- export ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_every_page_is_a_valid_stix_bundle(story, editor_client, role):
    client = editor_client if role == "editor" else Client()
    pages = walk(client, URL + "?limit=3")
    assert len(pages) > 4
    for page in pages:
        result = validate_string(json.dumps(page))
        assert result.is_valid, [str(error) for error in result.errors]
        assert page["type"] == "bundle"


def test_records_map_to_their_stix_objects(story):
    found = objects(walk(Client()))
    kim, dprk = by_name(found, "Kim Jong Un"), by_name(found, "North Korea")
    assert (kim["type"], kim["identity_class"]) == ("identity", "individual")
    assert dprk["x_kb_aliases"] == ["DPRK"] and "x_kb_aliases" not in kim  # "Kim Jong-un" spells the name
    assert (dprk["identity_class"], dprk["sectors"], dprk["x_kb_country_code"]) == (
        "organization",
        ["government-national"],
        "KP",
    )
    assert kim["id"] == expected_id("identity", story["kim"].slug)
    vostochny, sungri = by_name(found, "Vostochny Cosmodrome"), by_name(found, "Sŭngri refinery")
    assert (vostochny["type"], vostochny["country"]) == ("location", "RU")
    assert (sungri["type"], sungri["region"]) == ("location", "unknown")

    meeting = found[expected_id("note", f"{story['source'].sha256}:{story['meeting'].start}:{story['meeting'].end}")]
    assert meeting["content"] == story["meeting"].quote
    assert meeting["abstract"] == "Kim and Putin met at Vostochny in September 2023."
    assert meeting["confidence"] == 70  # credibility 2, "probably true"
    report = found[expected_id("report", story["source"].sha256)]
    assert meeting["id"] in report["object_refs"]
    assert report["id"] in meeting["object_refs"] and kim["id"] in meeting["object_refs"]
    assert report["name"] == "Summit at Vostochny" and report["published"] == "2024-07-01T00:00:00Z"
    assert "confidence" not in report  # reliability F: cannot be judged
    shells = next(obj for obj in found.values() if obj.get("explanation") == story["shells"].quote)
    assert (shells["type"], shells["opinion"], shells["confidence"]) == ("opinion", "neutral", 50)

    leader = next(
        o for o in found.values() if o.get("relationship_type") == "leader-of" and o["source_ref"] == kim["id"]
    )
    assert leader["target_ref"] == dprk["id"]
    transfer = next(o for o in found.values() if o.get("relationship_type") == "transfers-arms-to")
    assert (transfer["start_time"], transfer["stop_time"]) == ("2023-08-01T00:00:00Z", "2023-09-01T00:00:00Z")
    assert (transfer["x_kb_category"], transfer["x_kb_quantity_high"]) == ("ammunition", 3000000)
    summit = by_name(found, "Kim–Putin summit at Vostochny")
    assert summit["type"] == "grouping" and summit["context"] == "unspecified"
    assert {meeting["id"], kim["id"], vostochny["id"]} <= set(summit["object_refs"])
    assert meeting["external_references"][0]["url"] == f"http://testserver/claims/{story['meeting'].pk}/"


def test_events_of_war_are_suspicious_activity(story, editor_client):
    found = objects(walk(editor_client, URL + "?cursor=events:0"))
    assert by_name(found, "Russian invasion of Ukraine")["context"] == "suspicious-activity"
    assert by_name(found, "Kim–Putin summit at Vostochny")["context"] == "unspecified"


def test_an_event_with_nothing_to_group_is_left_out(story, editor, editor_client):
    services.event_create(user=editor, title="Unsourced rumour of a visit", kind="visit", start_on="2024")
    names = {o.get("name") for o in objects(walk(editor_client, URL + "?cursor=events:0")).values()}
    assert "Kim–Putin summit at Vostochny" in names and "Unsourced rumour of a visit" not in names


def test_a_filtered_walk_given_the_actors_cursor_starts_with_relationships(story):
    response = Client().get(f"{URL}?cursor=actors:0&actor={story['kim'].slug}")
    assert response.status_code == 200
    assert {o["type"] for o in response.json()["objects"]} == {"identity", "relationship"}


def test_two_exports_are_identical(story):
    first = [Client().get(URL + "?limit=4&cursor=" + c).content for c in ("", "sources:0", "events:0")]
    second = [Client().get(URL + "?limit=4&cursor=" + c).content for c in ("", "sources:0", "events:0")]
    assert first == second


def test_anonymous_bundles_hold_accepted_claims_and_what_they_back_only(story, editor_client):
    hidden_texts = ("SECRET-PROPOSED", "Hidden fuel loading", "Hidden missile shipment", "member-of", "rumour said")
    shown = json.dumps(walk(Client()), ensure_ascii=False)
    everything = json.dumps(walk(editor_client), ensure_ascii=False)
    for text in hidden_texts:
        assert text not in shown, text
        assert text in everything, text
    assert '"x_kb_status": "proposed"' in everything and '"x_kb_status": "proposed"' not in shown


def test_an_actor_filter_keeps_what_concerns_the_actor(story):
    found = objects(walk(Client(), URL + "?actor=" + story["putin"].slug))
    putin = expected_id("identity", story["putin"].slug)
    relationships = [o for o in found.values() if o["type"] == "relationship"]
    assert relationships and all(putin in (o["source_ref"], o["target_ref"]) for o in relationships)
    claims = [o for o in found.values() if o["type"] in ("note", "opinion")]
    assert claims and all(putin in o["object_refs"] for o in claims)
    # No section of every actor: Kim comes as the other end of what concerns Putin, the DPRK does not.
    assert expected_id("identity", story["kim"].slug) in found
    assert expected_id("identity", story["dprk"].slug) not in found


def test_date_and_source_filters(story, make_source):
    found = objects(walk(Client(), URL + "?date_from=2023-09&date_to=2023-09"))
    titles = {o.get("name") for o in found.values()}
    assert "Kim–Putin summit at Vostochny" in titles and "Russian invasion of Ukraine" not in titles
    assert not [o for o in found.values() if o["type"] == "report"]  # published in 2024
    other = make_source(title="Nothing claimed", public=True)
    assert objects(walk(Client(), URL + f"?source={other.pk}")) == {}
    # A source waiting for review is unknown to readers, as a missing id is.
    waiting = make_source(title="Waiting for review")
    assert Client().get(URL + f"?source={waiting.pk}").json() == {"source": [f"No source has the id {waiting.pk}."]}
    found = objects(walk(Client(), URL + f"?source={story['source'].pk}"))
    assert {o["type"] for o in found.values()} >= {"report", "note", "grouping", "relationship"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("actor=nobody", "actor"),
        ("date_from=2023-13", "date_from"),
        ("date_from=2024&date_to=2023", "date_to"),
        ("source=999999", "source"),
        ("source=abc", "source"),
        ("cursor=reports:1", "cursor"),
        ("cursor=sources:x", "cursor"),
        ("cursor=sources:99999999999999999999", "cursor"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_400_naming_them(story, query, field):
    response = Client().get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_pages_are_bounded_and_walk_everything(story, editor_client):
    whole = objects(walk(editor_client, URL + "?limit=500"))
    pages = walk(editor_client, URL + "?limit=2")
    for page in pages:
        primary = [o for o in page["objects"] if o["type"] in ("relationship", "grouping", "note", "opinion")]
        records = [o for o in page["objects"] if o["type"] in ("relationship", "grouping")]
        # Two records, or the claims of one source, or two actors, per page.
        assert len(records) <= 2 and (len(primary) <= 2 or {o["type"] for o in primary} <= {"note", "opinion"})
    assert objects(pages) == whole
    assert Client().get(URL + "?limit=2")["Link"].startswith("<http://testserver/api/v1/stix/?cursor=actors%3A")


def test_json_is_served_on_request(story):
    response = Client().get(URL, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "bundle"


# What each section's page holds with the story and two more sources.
SHOWN = {
    "actors:0": Counter(identity=4, location=3),
    "relationships:0": Counter(relationship=3, identity=4),
    "transfers:0": Counter(relationship=2, identity=2),
    "events:0": Counter(grouping=3, identity=3, location=1),
    "sources:0": Counter(report=3, note=4, opinion=5, identity=4, location=2),
}


@pytest.mark.parametrize(
    ("cursor", "queries"),
    [
        ("actors:0", 2),  # actors, aliases
        ("relationships:0", 3),  # relationships with their ends, actors, aliases
        ("transfers:0", 3),
        ("events:0", 5),  # events, participants, evidence, actors, aliases
        ("sources:0", 6),  # sources with counts, claims, subjects, authors, actors, aliases
    ],
)
def test_query_counts_do_not_grow_with_the_page(
    story, editor, editor_client, make_claim, make_source, django_assert_num_queries, cursor, queries
):
    # Three sources, each with claims about several actors and an author.
    for number in range(2):
        source = make_source(title=f"Second look {number}", authors=[story["putin"]])
        make_claim(source=source, subjects=[story["kim"], story["dprk"]], speaker=story["putin"])
    editor_client.get(URL)  # the session and the user, read once
    with django_assert_num_queries(queries + 3):  # + the session, the user and the user's groups
        response = editor_client.get(f"{URL}?cursor={cursor}&limit=500")
    shown = Counter(o["type"] for o in response.json()["objects"])
    assert shown == SHOWN[cursor]


# --- import -------------------------------------------------------------------------


def _files(tmp_path, pages: list[dict]) -> list[str]:
    paths = []
    for number, page in enumerate(pages):
        path = tmp_path / f"page{number}.json"
        path.write_text(json.dumps(page, ensure_ascii=False, indent=2), encoding="utf-8")
        paths.append(str(path))
    return paths


def _actors() -> list[tuple]:
    return sorted(
        (
            a.slug,
            a.name,
            a.kind,
            a.country_code,
            str(a.start),
            str(a.end),
            a.wikidata_id,
            a.summary,
            tuple(sorted(a.aliases.values_list("name", flat=True))),
        )
        for a in Actor.objects.all()
    )


def _relationships() -> list[tuple]:
    return sorted(
        (r.subject.slug, r.predicate, r.object.slug, str(r.valid_from_date), str(r.valid_until_date), r.note)
        for r in Relationship.objects.select_related("subject", "object")
    )


def _empty_the_base() -> None:
    for model in (Draft, Relationship, ArmsTransfer, Event, Agreement, ClaimLink, Claim, Source, Alias, Actor):
        model.objects.all().delete()


def test_a_round_trip_gives_the_same_actors_and_relationships(story, editor, editor_client, tmp_path):
    story["kim"].wikidata_id = "Q56226"
    story["kim"].save()
    Relationship.objects.filter(pk=story["putin_leader"].pk).update(
        valid_from="2000-05-01", valid_from_precision="month", valid_until="2008-01-01", valid_until_precision="year"
    )
    actors, relationships = _actors(), _relationships()
    paths = _files(tmp_path, walk(editor_client))
    _empty_the_base()

    out = StringIO()
    call_command("import_stix", *paths, "--user", "editor", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert len(summary["actors_created"]) == len(actors) and summary["relationships_created"]
    assert summary["ignored"]["arms transfer"] == 2 and summary["skipped"] == []
    assert _actors() == actors
    assert _relationships() == relationships
    # Imported relationships have no evidence: proposals, hidden from analysts until an editor backs them.
    assert Client().get("/api/v1/relationships/").json()["count"] == 0
    assert editor_client.get("/api/v1/relationships/").json()["count"] == len(relationships)

    # The same files again change nothing; a new export has the same ids.
    stamps = sorted(Actor.objects.values_list("pk", "updated_at")) + sorted(
        Relationship.objects.values_list("pk", "updated_at")
    )
    out = StringIO()
    call_command("import_stix", *paths, "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert again["actors_created"] == [] and again["relationships_created"] == []
    assert len(again["actors_matched"]) == len(actors)
    assert (
        sorted(Actor.objects.values_list("pk", "updated_at"))
        + sorted(Relationship.objects.values_list("pk", "updated_at"))
        == stamps
    )
    exported = [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths]
    actor_ids = {o["id"] for o in objects(exported).values() if o["type"] in ("identity", "location")}
    assert {i for i, o in objects(walk(editor_client)).items() if o["type"] in ("identity", "location")} == actor_ids


def _bundle(*objs: dict) -> str:
    return json.dumps(
        {"type": "bundle", "id": "bundle--0f6f4a5e-1b5c-4c49-9d0c-3e1c4c2f3a10", "objects": list(objs)}, indent=2
    )


IDENTITY = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--2f6b3f7e-5a4c-4c1e-8f7a-1a2b3c4d5e6f",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "name": "Democratic People's Republic of Korea",
    "identity_class": "organization",
    "x_opencti_aliases": ["DPRK"],
}
NEWCOMER = {
    **{name: value for name, value in IDENTITY.items() if name != "x_opencti_aliases"},
    "id": "identity--7a1d0c2e-9b8f-4e3d-a6c5-b4f3e2d1c0b9",
    "name": "Choe Son Hui",
    "identity_class": "individual",
}
MEMBER = {
    "type": "relationship",
    "spec_version": "2.1",
    "id": "relationship--3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "relationship_type": "member-of",
    "source_ref": NEWCOMER["id"],
    "target_ref": IDENTITY["id"],
    "start_time": "2024-01-16T00:00:00Z",
}


def test_an_import_matches_actors_by_alias_and_proposes_new_relationships(sample_kb, tmp_path):
    path = tmp_path / "opencti.json"
    path.write_text(
        _bundle(IDENTITY, NEWCOMER, MEMBER, {**MEMBER, "id": MEMBER["id"][:-1] + "0", "relationship_type": "sanctions"})
    )
    before = Actor.objects.count()
    out = StringIO()
    call_command("import_stix", str(path), stdout=out)
    assert Actor.objects.count() == before + 1  # the DPRK is North Korea, by its alias
    relationship = Relationship.objects.get(subject__name="Choe Son Hui")
    assert (relationship.object, relationship.predicate, str(relationship.valid_from_date)) == (
        sample_kb["dprk"],
        "member_of",
        "2024-01-16",
    )
    assert not relationship.evidence.exists()
    text = out.getvalue()
    assert "Actors: 1 created, 1 matched. Relationships: 1 proposed" in text
    assert "relationship type 'sanctions' has no equivalent" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "bundle",\n "objects": [\n  {"type": "identity",,}\n ]}', r"line 3, column 23: not JSON"),
        ('[{"type": "identity"}]', r"line 1: not a STIX bundle"),
        ('{"type": "report"}', r"line 1: not a STIX bundle \(expected \"type\": \"bundle\", found 'report'\)"),
        ('{"type": "bundle", "objects": {}}', r'line 1: "objects" must be a list'),
    ],
)
def test_a_file_that_is_no_bundle_is_refused_with_its_line(sample_kb, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_stix", str(path))


def test_an_invalid_object_refuses_the_whole_file_and_stores_nothing(sample_kb, tmp_path):
    broken = {**MEMBER, "id": "relationship--9c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "start_time": "yesterday"}
    path = tmp_path / "bad.json"
    path.write_text(_bundle(NEWCOMER, IDENTITY, broken))
    line = path.read_text().splitlines().index(f'      "id": "{broken["id"]}",') + 1
    actors, aliases = Actor.objects.count(), Alias.objects.count()
    with pytest.raises(CommandError, match=rf"bad.json, line {line}: {broken['id']} is not valid STIX 2.1.*Nothing"):
        call_command("import_stix", str(path))
    assert (Actor.objects.count(), Alias.objects.count()) == (actors, aliases)
    # A bad partial date in a valid object is refused the same way, after the newcomer was made: rolled back.
    path.write_text(
        _bundle(
            NEWCOMER,
            {**NEWCOMER, "id": MEMBER["source_ref"][:-1] + "8", "x_kb_start_on": "2024-13", "name": "Nowhere State"},
        )
    )
    with pytest.raises(CommandError, match=r"line \d+: x_kb_start_on '2024-13'"):
        call_command("import_stix", str(path))
    assert not Actor.objects.filter(name__in=["Choe Son Hui", "Nowhere State"]).exists()


def test_import_refuses_a_missing_file_or_user(sample_kb, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_stix", str(tmp_path / "missing.json"))
    path = tmp_path / "ok.json"
    path.write_text(_bundle(NEWCOMER))
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("import_stix", str(path), "--user", "ghost")
    assert not Actor.objects.filter(name="Choe Son Hui").exists()
