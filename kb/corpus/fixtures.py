"""Reading and checking the seed corpus fixtures (TOML) before anything is written.

Every problem is a CorpusError naming the file and the key: an unknown or missing field,
a value of the wrong type or outside its choices, an impossible partial date, a duplicate
key, a reference to an actor or claim that no fixture defines, a source text that is not
in cleaned form, or a quote that does not anchor in its source text.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from kb.choices import (
    ActorKind,
    AgreementKind,
    AgreementStatus,
    ClaimLinkKind,
    Credibility,
    EventKind,
    Modality,
    ProvisionKind,
    RatificationKind,
    RelationshipPredicate,
    SourceKind,
    SourceReliability,
    TransferCategory,
    TransferStatus,
)
from kb.dates import PartialDate
from kb.ingest.anchor import Anchor, AnchorError, find_anchor
from kb.ingest.normalize import clean_text

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "corpus"
ACTORS_FILE = "actors.toml"
RELATIONSHIPS_FILE = "relationships.toml"
EVENTS_FILE = "events.toml"
AGREEMENTS_FILE = "agreements.toml"
TRANSFERS_FILE = "transfers.toml"
SOURCES_DIR = "sources"


class CorpusError(Exception):
    """Bad fixture input; the message names the file and the key at fault."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key = file, key
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


@dataclass
class LoadReport:
    """What one load did, per record type: how many were created, updated, removed, or already as the fixture says.

    ``kept`` names the records withdrawn from the fixtures that stay because records
    outside the corpus still use them.
    """

    counts: dict[str, Counter] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] + c["removed"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            + (f", {c['removed']} removed" if c["removed"] else "")
            for kind, c in self.counts.items()
        ] + [f"kept: {note}" for note in self.kept]


# A table's fields: name -> (required, type). Types: str, int, "date" (a partial date
# string), "refs" (a list of keys), "names" (a list of names, each a string or a
# {name, language} table), "tables" (a list of tables), or a Choices class whose values
# the field must take.
STR, INT, DATE, REFS, NAMES, TABLES = "str", "int", "date", "refs", "names", "tables"

ACTOR_FIELDS = {
    "slug": (True, STR),
    "name": (True, STR),
    "kind": (True, ActorKind),
    "aliases": (False, NAMES),
    "summary": (False, STR),
    "country_code": (False, STR),
    "start": (False, DATE),
    "end": (False, DATE),
    "wikidata_id": (False, STR),
}
ALIAS_FIELDS = {"name": (True, STR), "language": (False, STR)}
SOURCE_FIELDS = {
    "title": (True, STR),
    "publisher": (False, STR),
    "text_file": (True, STR),
    "kind": (True, SourceKind),
    "reliability": (True, SourceReliability),
    "subtitle": (False, STR),
    "byline": (False, STR),
    "authors": (False, REFS),
    "published": (False, DATE),
    "url": (False, STR),
    "language": (False, STR),
    "furniture_note": (False, STR),
}
CLAIM_FIELDS = {
    "key": (True, STR),
    "quote": (True, STR),
    "statement": (True, STR),
    "modality": (True, Modality),
    "credibility": (True, Credibility),
    "occurrence": (False, INT),
    "attributed_to": (False, STR),
    "speaker": (False, STR),
    "subjects": (False, REFS),
    "about": (False, DATE),
}
LINK_FIELDS = {"from": (True, STR), "kind": (True, ClaimLinkKind), "to": (True, STR), "note": (False, STR)}
RELATIONSHIP_FIELDS = {
    "subject": (True, STR),
    "predicate": (True, RelationshipPredicate),
    "object": (True, STR),
    "evidence": (True, REFS),
    "valid_from": (False, DATE),
    "valid_until": (False, DATE),
    "note": (False, STR),
}
EVENT_FIELDS = {
    "slug": (True, STR),
    "title": (True, STR),
    "kind": (True, EventKind),
    "evidence": (True, REFS),
    "start": (False, DATE),
    "end": (False, DATE),
    "place": (False, STR),
    "participants": (False, REFS),
    "summary": (False, STR),
}
AGREEMENT_FIELDS = {
    "slug": (True, STR),
    "title": (True, STR),
    "kind": (True, AgreementKind),
    "status": (True, AgreementStatus),
    "evidence": (True, REFS),
    "signed": (False, DATE),
    "signed_place": (False, STR),
    "in_force": (False, DATE),
    "summary": (False, STR),
    "parties": (False, TABLES),
    "provision": (False, TABLES),
}
PARTY_FIELDS = {
    "actor": (True, STR),
    "signatory": (False, STR),
    "signed": (False, DATE),
    "ratified": (False, DATE),
    "ratification_kind": (False, RatificationKind),
    "in_force": (False, DATE),
    "evidence": (False, REFS),
}
PROVISION_FIELDS = {
    "kind": (True, ProvisionKind),
    "summary": (True, STR),
    "evidence": (True, REFS),
    "label": (False, STR),
}
TRANSFER_FIELDS = {
    "key": (True, STR),
    "supplier": (True, STR),
    "recipient": (True, STR),
    "category": (True, TransferCategory),
    "description": (True, STR),
    "status": (True, TransferStatus),
    "evidence": (True, REFS),
    "designation": (False, STR),
    "quantity_low": (False, INT),
    "quantity_high": (False, INT),
    "quantity_unit": (False, STR),
    "start": (False, DATE),
    "end": (False, DATE),
    "reported_by": (False, STR),
    "reported": (False, DATE),
}


@dataclass
class SourceFixture:
    """One source file: its metadata, cleaned text, claims and claim links, in file order."""

    file: str
    fields: dict[str, Any]
    text: str
    claims: list[tuple[str, dict]]
    links: list[tuple[str, dict]]


@dataclass
class Corpus:
    """The parsed and checked fixtures, still referring to records by key."""

    actors_file: str = ACTORS_FILE
    actors: list[tuple[str, dict]] = field(default_factory=list)
    sources: list[SourceFixture] = field(default_factory=list)
    relationships: list[tuple[str, dict]] = field(default_factory=list)
    events: list[tuple[str, dict]] = field(default_factory=list)
    agreements: list[tuple[str, dict]] = field(default_factory=list)
    transfers: list[tuple[str, dict]] = field(default_factory=list)
    anchors: dict[str, Anchor] = field(default_factory=dict)  # claim key -> its place in its source's text


def _check_value(file: str, key: str, name: str, value: Any, kind: Any) -> None:
    def fail(expected: str) -> None:
        raise CorpusError(file, key, f"{name} must be {expected}, not {value!r}")

    if isinstance(kind, type) and issubclass(kind, models.Choices):
        if value not in kind.values:
            fail("one of " + ", ".join(str(v) for v in kind.values))
    elif kind == STR:
        if not isinstance(value, str):
            fail("a string")
    elif kind == INT:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            fail("a whole number")
    elif kind == DATE:
        if not isinstance(value, str):
            fail('a partial date string such as "2024-06-19", "2024-06", "2024" or "2020s"')
        try:
            PartialDate.parse(value)
        except ValueError as exc:
            raise CorpusError(file, key, f"{name}: {exc}") from None
    elif kind == REFS:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            fail("a list of strings")
        if len(set(value)) != len(value):
            raise CorpusError(file, key, f"{name} lists the same value twice")
    elif kind == NAMES:
        if not isinstance(value, list):
            fail('a list of names, each a string or a table {name = "…", language = "…"}')
        for item in value:
            if isinstance(item, dict):
                check_table(file, key, item, ALIAS_FIELDS, "alias")
            elif not isinstance(item, str) or not item.strip():
                fail('a list of names, each a string or a table {name = "…", language = "…"}')
    elif kind == TABLES and (not isinstance(value, list) or not all(isinstance(v, dict) for v in value)):
        fail("a list of tables")


def check_table(file: str, key: str, row: Any, schema: dict[str, tuple[bool, Any]], what: str) -> None:
    """Refuse unknown fields, missing required ones and values of the wrong type."""
    if not isinstance(row, dict):
        raise CorpusError(file, key, f"each {what} must be a table")
    unknown = sorted(set(row) - set(schema))
    if unknown:
        raise CorpusError(file, key, f"unknown field(s) {', '.join(unknown)} in {what}; expected {', '.join(schema)}")
    missing = [name for name, (required, _kind) in schema.items() if required and row.get(name) in (None, "", [])]
    if missing:
        raise CorpusError(file, key, f"{what} is missing {', '.join(missing)}")
    for name, value in row.items():
        _check_value(file, key, name, value, schema[name][1])


class _Reader:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.corpus = Corpus()
        self.actor_slugs: set[str] = set()
        self.claim_files: dict[str, str] = {}  # claim key -> file it is defined in

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def toml(self, path: Path) -> dict[str, Any]:
        name = self.rel(path)
        try:
            with path.open("rb") as fh:
                return tomllib.load(fh)
        except FileNotFoundError:
            raise CorpusError(name, "", "file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(name, "", f"not valid TOML: {exc}") from None

    def array(self, file: str, data: dict, name: str, allowed: set[str]) -> list:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise CorpusError(file, "", f"unknown table(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}")
        rows = data.get(name, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CorpusError(file, "", f"{name} must be written as [[{name}]] tables")
        return rows

    def keyed(self, file: str, rows: list[dict], what: str, key_field: str, schema: dict) -> list[tuple[str, dict]]:
        out, seen = [], set()
        for i, row in enumerate(rows, start=1):
            key = row.get(key_field)
            if not isinstance(key, str) or not key:
                raise CorpusError(file, f"{what} #{i}", f"needs a {key_field}")
            if key in seen:
                raise CorpusError(file, key, f"duplicate {what} {key_field}")
            seen.add(key)
            check_table(file, key, row, schema, what)
            out.append((key, row))
        return out

    def actor(self, file: str, key: str, value: str | None, name: str) -> None:
        if value and value not in self.actor_slugs:
            raise CorpusError(file, key, f"unknown actor {value!r} in {name}")

    def claims(self, file: str, key: str, values: list[str], name: str) -> None:
        for value in values:
            if value not in self.claim_files:
                raise CorpusError(file, key, f"unknown claim {value!r} in {name}")

    def read_actors(self) -> None:
        file = ACTORS_FILE
        rows = self.array(file, self.toml(self.base / file), "actor", {"actor"})
        self.corpus.actors = self.keyed(file, rows, "actor", "slug", ACTOR_FIELDS)
        self.actor_slugs = {slug for slug, _row in self.corpus.actors}

    def read_sources(self) -> None:
        paths = sorted((self.base / SOURCES_DIR).glob("*.toml"))
        if not paths:
            raise CorpusError(SOURCES_DIR, "", "no source fixtures (*.toml)")
        for path in paths:
            self.corpus.sources.append(self.read_source(path))
        for source in self.corpus.sources:
            for key, row in source.links:
                self.claims(source.file, key, [row["from"], row["to"]], "the link")
                if row["from"] == row["to"]:
                    raise CorpusError(source.file, key, "a claim cannot be linked to itself")

    def read_source(self, path: Path) -> SourceFixture:
        file = self.rel(path)
        data = self.toml(path)
        self.array(file, data, "claim", {"source", "claim", "link"})
        meta = data.get("source")
        check_table(file, "source", meta, SOURCE_FIELDS, "source")
        for author in meta.get("authors", []):
            self.actor(file, "source", author, "authors")
        try:
            raw = (path.parent / meta["text_file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(file, "source", f"cannot read text_file {meta['text_file']!r}: {exc}") from None
        text = clean_text(raw)
        if text != raw.rstrip("\n"):
            raise CorpusError(file, "source", f"text_file {meta['text_file']!r} is not in cleaned form")
        claims = self.keyed(file, data.get("claim", []), "claim", "key", CLAIM_FIELDS)
        spans: dict[tuple[int, int], str] = {}
        for key, row in claims:
            if key in self.claim_files:
                raise CorpusError(file, key, f"duplicate claim key (also in {self.claim_files[key]})")
            self.claim_files[key] = file
            self.actor(file, key, row.get("speaker"), "speaker")
            for subject in row.get("subjects", []):
                self.actor(file, key, subject, "subjects")
            try:
                anchor = find_anchor(text, row["quote"], row.get("occurrence"))
            except AnchorError as exc:
                raise CorpusError(file, key, str(exc)) from None
            if (anchor.start, anchor.end) in spans:
                raise CorpusError(file, key, f"the same quote is already claim {spans[anchor.start, anchor.end]!r}")
            spans[anchor.start, anchor.end] = key
            self.corpus.anchors[key] = anchor
        links = []
        for i, row in enumerate(self.array(file, data, "link", {"source", "claim", "link"}), start=1):
            key = f"link #{i}"
            check_table(file, key, row, LINK_FIELDS, "link")
            links.append((key, row))
        return SourceFixture(file, meta, text, claims, links)

    def read_relationships(self) -> None:
        file = RELATIONSHIPS_FILE
        seen = set()
        for row in self.array(file, self.toml(self.base / file), "relationship", {"relationship"}):
            key = " ".join(str(row.get(n, "?")) for n in ("subject", "predicate", "object"))
            check_table(file, key, row, RELATIONSHIP_FIELDS, "relationship")
            self.actor(file, key, row["subject"], "subject")
            self.actor(file, key, row["object"], "object")
            self.claims(file, key, row["evidence"], "evidence")
            identity = (row["subject"], row["predicate"], row["object"], row.get("valid_from"))
            if identity in seen:
                raise CorpusError(file, key, "duplicate relationship")
            seen.add(identity)
            self.corpus.relationships.append((key, row))

    def read_events(self) -> None:
        file = EVENTS_FILE
        rows = self.array(file, self.toml(self.base / file), "event", {"event"})
        self.corpus.events = self.keyed(file, rows, "event", "slug", EVENT_FIELDS)
        for slug, row in self.corpus.events:
            self.actor(file, slug, row.get("place"), "place")
            for participant in row.get("participants", []):
                self.actor(file, slug, participant, "participants")
            self.claims(file, slug, row["evidence"], "evidence")

    def read_agreements(self) -> None:
        file = AGREEMENTS_FILE
        rows = self.array(file, self.toml(self.base / file), "agreement", {"agreement"})
        self.corpus.agreements = self.keyed(file, rows, "agreement", "slug", AGREEMENT_FIELDS)
        for slug, row in self.corpus.agreements:
            self.actor(file, slug, row.get("signed_place"), "signed_place")
            self.claims(file, slug, row["evidence"], "evidence")
            parties = set()
            for party in row.get("parties", []):
                check_table(file, slug, party, PARTY_FIELDS, "party")
                self.actor(file, slug, party["actor"], "parties")
                self.actor(file, slug, party.get("signatory"), "signatory")
                self.claims(file, f"{slug} party {party['actor']}", party.get("evidence", []), "evidence")
                if party["actor"] in parties:
                    raise CorpusError(file, slug, f"{party['actor']!r} is a party twice")
                parties.add(party["actor"])
            for n, provision in enumerate(row.get("provision", []), start=1):
                where = f"{slug} provision #{n}"
                check_table(file, where, provision, PROVISION_FIELDS, "provision")
                self.claims(file, where, provision["evidence"], "evidence")

    def read_transfers(self) -> None:
        file = TRANSFERS_FILE
        rows = self.array(file, self.toml(self.base / file), "transfer", {"transfer"})
        self.corpus.transfers = self.keyed(file, rows, "transfer", "key", TRANSFER_FIELDS)
        identities: dict[tuple, str] = {}
        for key, row in self.corpus.transfers:
            self.actor(file, key, row["supplier"], "supplier")
            self.actor(file, key, row["recipient"], "recipient")
            self.claims(file, key, row["evidence"], "evidence")
            # The loader finds an existing transfer by these four; two fixtures must not share them.
            identity = (row["supplier"], row["recipient"], row["category"], row.get("designation", ""))
            if identity in identities:
                raise CorpusError(
                    file, key, f"same supplier, recipient, category and designation as {identities[identity]!r}"
                )
            identities[identity] = key


def read_corpus(path: Path | str = DEFAULT_PATH) -> Corpus:
    """Parse and check every fixture under ``path``; CorpusError on the first problem."""
    base = Path(path)
    if not base.is_dir():
        raise CorpusError(str(base), "", "not a directory")
    reader = _Reader(base)
    reader.read_actors()
    reader.read_sources()
    reader.read_relationships()
    reader.read_events()
    reader.read_agreements()
    reader.read_transfers()
    return reader.corpus
