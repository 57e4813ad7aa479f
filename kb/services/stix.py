"""STIX 2.1 bundles in: identities and locations as actors, relationships as relationships awaiting evidence.

An object is matched before anything is made: an actor by the id our export gives it (its
slug), by its Wikidata id, or by any of its names against every actor's aliases; a
relationship by its ends, predicate and start. What is new is created as a proposal for
review: a relationship comes in without evidence, so analysts see it only once an editor
backs it with an accepted claim (kb.selectors.visibility). Other kinds of objects are
counted and left alone. A file that is not a valid bundle is refused whole, with the line
of the fault, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import stix2
import stix2.exceptions
from django.core.exceptions import ValidationError
from django.db import transaction

from kb.choices import ActorKind, RelationshipPredicate
from kb.dates import PartialDate
from kb.errors import error_line
from kb.ingest.normalize import normalize_name
from kb.models import Actor, Alias, Relationship
from kb.selectors.stix import LOCATION_KINDS, TRANSFER_RELATIONSHIP, actor_stix_id, actor_stix_type
from kb.services.actors import actor_create
from kb.services.base import User
from kb.services.records import relationship_create

ACTOR_TYPES = ("identity", "location")
IDENTITY_KINDS = {"individual": ActorKind.PERSON, "organization": ActorKind.ORGANIZATION}
_QID = re.compile(r"^Q[1-9][0-9]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class StixImportError(ValueError):
    """A file refused whole: the message names the line and what is wrong."""


@dataclass
class StixImportResult:
    """What an import did: actors and relationships created or matched, and what it left alone."""

    actors_created: list[Actor] = field(default_factory=list)
    actors_matched: list[Actor] = field(default_factory=list)
    relationships_created: list[Relationship] = field(default_factory=list)
    relationships_matched: list[Relationship] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class _Located:
    """A STIX object as read from its file, and the line it starts on."""

    data: dict[str, Any]
    name: str
    line: int

    def where(self) -> str:
        return f"{self.name}, line {self.line}"


def read_bundle(text: str, *, name: str = "bundle") -> list[_Located]:
    """The objects of the STIX 2.1 bundle ``text``, each checked by the stix2 library; StixImportError if not."""
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StixImportError(f"{name}, line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg}).") from exc
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        found = bundle.get("type") if isinstance(bundle, dict) else type(bundle).__name__
        raise StixImportError(f'{name}, line 1: not a STIX bundle (expected "type": "bundle", found {found!r}).')
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        line = _line_of(text, '"objects"')
        raise StixImportError(f'{name}, line {line}: "objects" must be a list.')
    located, searched_from = [], 0
    for number, data in enumerate(objects, 1):
        line, searched_from = _object_line(text, data, searched_from)
        where = f"{name}, line {line}"
        if not isinstance(data, dict):
            raise StixImportError(f"{where}: object {number} is not a JSON object.")
        try:
            stix2.parse(data, allow_custom=True, version="2.1")
        except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as exc:
            label = data.get("id") or f"object {number}"
            raise StixImportError(f"{where}: {label} is not valid STIX 2.1: {exc}") from exc
        located.append(_Located(data, name, line))
    return located


def _line_of(text: str, needle: str, start: int = 0) -> int:
    position = text.find(needle, start)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


def _object_line(text: str, data: Any, start: int) -> tuple[int, int]:
    """The line an object of the bundle starts on (by its id), and where to look for the next one."""
    ident = data.get("id") if isinstance(data, dict) else None
    if isinstance(ident, str):
        position = text.find(json.dumps(ident), start)
        if position >= 0:
            return text.count("\n", 0, position) + 1, position + 1
    return _line_of(text, "{", start), start


def _names(data: dict) -> list[str]:
    names = [data.get("name", "")]
    for key in ("x_kb_aliases", "x_opencti_aliases", "aliases"):
        value = data.get(key)
        if isinstance(value, list):
            names += [item for item in value if isinstance(item, str)]
    return [name for name in dict.fromkeys(n.strip() for n in names) if normalize_name(name)]


def _kind(data: dict) -> str:
    kind = data.get("x_kb_kind")
    if kind in ActorKind.values and (actor_stix_type(kind) == data["type"]):
        return kind
    if data["type"] == "location":
        return ActorKind.PLACE
    if "government-national" in (data.get("sectors") or []):
        return ActorKind.STATE
    return IDENTITY_KINDS.get(data.get("identity_class"), ActorKind.ORGANIZATION)


def _reference(data: dict, source_name: str) -> str:
    for reference in data.get("external_references") or []:
        if reference.get("source_name") == source_name and isinstance(reference.get("external_id"), str):
            return reference["external_id"]
    return ""


def _partial(value: Any, where: str, name: str) -> PartialDate | None:
    if value in (None, ""):
        return None
    try:
        return PartialDate.parse(str(value))
    except ValueError as exc:
        raise StixImportError(f"{where}: {name} {value!r}: {exc}") from exc


class _Importer:
    def __init__(self, user: User) -> None:
        self.user = user
        self.result = StixImportResult()
        self.actors: dict[str, Actor] = {}  # STIX id → actor

    def actor(self, obj: _Located) -> None:
        data = obj.data
        names = _names(data)
        if not names:
            self.result.skipped.append(f"{obj.where()}: {data['id']} has no name with letters or digits.")
            return
        actor = self.match_actor(data, names)
        if actor is None:
            actor = self.create_actor(obj, names)
            self.result.actors_created.append(actor)
        elif actor not in self.result.actors_matched and actor not in self.result.actors_created:
            self.result.actors_matched.append(actor)
        self.actors[data["id"]] = actor

    def match_actor(self, data: dict, names: list[str]) -> Actor | None:
        if data["id"] in self.actors:
            return self.actors[data["id"]]
        slug = _reference(data, "kb")
        if slug:
            actor = Actor.objects.filter(slug=slug).first()
            if actor is not None and actor_stix_id(actor) == data["id"]:
                return actor
        qid = _reference(data, "wikidata")
        if qid and _QID.match(qid):
            actor = Actor.objects.filter(wikidata_id=qid).first()
            if actor is not None:
                return actor
        normalized = [normalize_name(name) for name in names]
        found = list(
            Actor.objects.filter(pk__in=Alias.objects.filter(normalized__in=normalized).values("actor_id"))
            .distinct()
            .order_by("pk")
        )
        if len(found) > 1:
            # Several actors answer to these names: the one of the same kind, if only one is.
            same_kind = [actor for actor in found if actor.kind == _kind(data)]
            found = same_kind if len(same_kind) == 1 else found
        return found[0] if found else None

    def create_actor(self, obj: _Located, names: list[str]) -> Actor:
        data, where = obj.data, obj.where()
        kind = _kind(data)
        country = data.get("x_kb_country_code") or (data.get("country") if kind in LOCATION_KINDS else "") or ""
        country = country.upper() if isinstance(country, str) and _COUNTRY.match(country.upper()) else ""
        qid = _reference(data, "wikidata")
        slug = _reference(data, "kb")
        fields = {
            "name": names[0],
            "kind": kind,
            "aliases": names[1:],
            "summary": data.get("description", ""),
            "country_code": country,
            "start_on": _partial(data.get("x_kb_start_on"), where, "x_kb_start_on"),
            "end_on": _partial(data.get("x_kb_end_on"), where, "x_kb_end_on"),
            "wikidata_id": qid if _QID.match(qid) else "",
            # The exported slug keeps the STIX id the same on a re-export, when it is free.
            "slug": slug if slug and not Actor.objects.filter(slug=slug).exists() else "",
        }
        try:
            return actor_create(user=self.user, reason="Imported from a STIX bundle.", **fields)
        except ValidationError as exc:
            raise StixImportError(f"{where}: {data['id']} cannot become an actor: {error_line(exc)}") from exc

    def relationship(self, obj: _Located) -> None:
        data, where = obj.data, obj.where()
        if data["relationship_type"] == TRANSFER_RELATIONSHIP:
            self.result.ignored["arms transfer"] += 1  # the register is kept by editors, from claims
            return
        predicate = data["relationship_type"].replace("-", "_")
        if predicate not in RelationshipPredicate.values:
            self.result.skipped.append(f"{where}: relationship type {data['relationship_type']!r} has no equivalent.")
            return
        subject, object_ = self.actors.get(data["source_ref"]), self.actors.get(data["target_ref"])
        if subject is None or object_ is None:
            missing = data["source_ref"] if subject is None else data["target_ref"]
            self.result.skipped.append(f"{where}: {data['id']} refers to {missing}, not an actor of the bundle.")
            return
        if subject == object_:
            self.result.skipped.append(f"{where}: {data['id']} relates {subject} to itself.")
            return
        valid_from = _partial(data.get("x_kb_valid_from"), where, "x_kb_valid_from")
        valid_until = _partial(data.get("x_kb_valid_until"), where, "x_kb_valid_until")
        if valid_from is None and data.get("start_time"):
            valid_from = PartialDate(_instant(data["start_time"]).date(), "day")
        if valid_until is None and data.get("stop_time"):
            # stop_time is the instant the relationship ends: its last day is the one before.
            valid_until = PartialDate((_instant(data["stop_time"]) - dt.timedelta(microseconds=1)).date(), "day")
        existing = Relationship.objects.filter(
            subject=subject,
            predicate=predicate,
            object=object_,
            valid_from=valid_from.date if valid_from else None,
        ).first()
        if existing is not None:
            if existing not in self.result.relationships_matched:
                self.result.relationships_matched.append(existing)
            return
        try:
            relationship = relationship_create(
                user=self.user,
                subject=subject,
                predicate=predicate,
                object=object_,
                valid_from=valid_from,
                valid_until=valid_until,
                note=data.get("description", ""),
                reason="Imported from a STIX bundle.",
            )
        except ValidationError as exc:
            raise StixImportError(f"{where}: {data['id']} cannot become a relationship: {error_line(exc)}") from exc
        self.result.relationships_created.append(relationship)


def _instant(value: Any):
    """A STIX timestamp as the library reads it."""
    return stix2.properties.TimestampProperty().clean(value, False)[0]


@transaction.atomic
def stix_import(*, bundles: list[tuple[str, str]], user: User) -> StixImportResult:
    """Import the (name, text) ``bundles`` in one transaction: all of them, or nothing on any fault."""
    objects = [obj for name, text in bundles for obj in read_bundle(text, name=name)]
    importer = _Importer(user)
    for obj in objects:
        if obj.data["type"] in ACTOR_TYPES:
            importer.actor(obj)
    for obj in objects:
        kind = obj.data["type"]
        if kind == "relationship":
            importer.relationship(obj)
        elif kind not in ACTOR_TYPES:
            importer.result.ignored[kind] += 1
    return importer.result
