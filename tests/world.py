"""Small knowledge bases for the tests: named records of one story, picked by name and made through the services.

The story is the Kim–Putin summit at Vostochny, the shells North Korea is expected to sell to
Russia and the treaty of June 2024, told by one article. ``STORY`` holds every record a world
can have, by name, in the order they are made; a world is the records a test module names::

    world = build_world(editor, *CORE, "putin", "rumour", "hidden_event", transfer={"start_on": "2023"})
    world["dprk"], world.treaty, world.source.text

A record refers to others by name. A reference to a record the world does not have is left
out: a place or a signatory becomes None, a subject, participant, party or piece of evidence is
dropped. So one description serves small worlds and larger ones, and a test that counts ids
sees exactly the records its module names. Supplier, recipient, the two ends of a relationship
or a claim link and a claim's source cannot be left out: naming a record without them fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.contrib.auth.models import User

from kb import services
from kb.choices import (
    ActorKind,
    AgreementKind,
    AgreementStatus,
    ClaimLinkKind,
    ClaimStatus,
    EventKind,
    Modality,
    ProvisionKind,
    RelationshipPredicate,
    TransferCategory,
    TransferStatus,
)
from kb.ingest.normalize import clean_text
from kb.models import Source
from kb.models.sources import text_sha256
from tests.helpers import ARTICLE

# The story's proposed claims: the evidence of the hidden_* records, which non-editors may not see.
PROPOSED_CLAIMS = ["proposed", "rumour"]

STORY: dict[str, tuple[str, dict[str, Any]]] = {
    # --- actors
    "dprk": ("actor", {"name": "North Korea", "kind": ActorKind.STATE, "country_code": "KP", "aliases": ["DPRK"]}),
    "russia": (
        "actor",
        {"name": "Russia", "kind": ActorKind.STATE, "country_code": "RU", "aliases": ["Russian Federation"]},
    ),
    "kim": ("actor", {"name": "Kim Jong Un", "kind": ActorKind.PERSON, "aliases": ["Kim Jong-un"]}),
    "putin": ("actor", {"name": "Vladimir Putin", "kind": ActorKind.PERSON, "country_code": "RU"}),
    "vostochny": ("actor", {"name": "Vostochny Cosmodrome", "kind": ActorKind.FACILITY, "country_code": "RU"}),
    "pyongyang": ("actor", {"name": "Pyongyang", "kind": ActorKind.PLACE, "country_code": "KP"}),
    "sungri": ("actor", {"name": "Sŭngri refinery", "kind": ActorKind.FACILITY}),
    # --- the article: ARTICLE, then the paragraph of each claim below that brings one
    "source": ("source", {"title": "Summit at Vostochny", "publisher": "Test Wire", "published_on": "2024-07-01"}),
    # --- claims quoting it
    "meeting": (
        "claim",
        {
            "quote": "Kim Jong-un met Vladimir Putin at the Vostochny Cosmodrome in September 2023.",
            "statement": "Kim and Putin met at Vostochny in September 2023.",
            "modality": Modality.FACT,
            "subjects": ["kim", "putin", "vostochny"],
            "about_on": "2023-09",
            "credibility": 2,
            "status": ClaimStatus.ACCEPTED,
        },
    ),
    "nested": (
        "claim",
        {
            "quote": "Vostochny Cosmodrome",  # inside the meeting's quote
            "modality": Modality.STATEMENT,
            "subjects": ["vostochny"],
            "credibility": 2,
            "status": ClaimStatus.ACCEPTED,
        },
    ),
    "shells": (
        "claim",
        {
            "quote": "North Korea is expected to sell artillery shells to Russia.",
            "statement": "Shells <i>expected</i>.",
            "modality": Modality.FORECAST,
            "subjects": ["dprk", "russia"],
            "about_on": "2023",
            "credibility": 3,
            "status": ClaimStatus.ACCEPTED,
        },
    ),
    "treaty_claim": (
        "claim",
        {
            "quote": "The two leaders signed a treaty in Pyongyang on June 19, 2024.",
            "modality": Modality.FACT,
            "subjects": ["kim", "putin"],
            "about_on": "2024-06-19",
            "credibility": 1,
            "status": ClaimStatus.ACCEPTED,
        },
    ),
    "proposed": (
        "claim",
        {
            "quote": "Russia’s need for a “continuous supply” of weapons is growing.",
            "statement": "SECRET-PROPOSED",
            "modality": Modality.FACT,
            "subjects": ["russia"],
            "credibility": 2,
            "status": ClaimStatus.PROPOSED,
        },
    ),
    "script": (
        "claim",
        {
            "quote": "A <script>alert('x')</script> tag",
            "paragraph": "A <script>alert('x')</script> tag appears in this text.",
            "modality": Modality.OPINION,
            "subjects": ["dprk"],
            "credibility": 2,
            "status": ClaimStatus.ACCEPTED,
        },
    ),
    "rumour": (
        "claim",
        {
            "quote": "Tankers loaded fuel at the Sŭngri refinery, a rumour said.",
            "paragraph": "Tankers loaded fuel at the Sŭngri refinery, a rumour said.",
            "modality": Modality.OPINION,
            "subjects": ["sungri", "dprk"],
            "about_on": "2024",
            "status": ClaimStatus.PROPOSED,
        },
    ),
    # --- links between claims
    "update": ("link", {"from_claim": "treaty_claim", "to_claim": "meeting", "kind": ClaimLinkKind.UPDATES}),
    "support": ("link", {"from_claim": "proposed", "to_claim": "shells", "kind": ClaimLinkKind.SUPPORTS}),
    # --- events
    "summit": (
        "event",
        {
            "title": "Kim–Putin summit at Vostochny",
            "kind": EventKind.SUMMIT,
            "start_on": "2023-09-13",
            "place": "vostochny",
            "participants": ["kim", "putin"],
            "evidence": ["meeting"],
        },
    ),
    "war": (
        "event",
        {
            "title": "Russian invasion of Ukraine",
            "kind": EventKind.WAR,
            "start_on": "2022-02",
            "participants": ["russia"],
        },
    ),
    "hidden_event": (
        "event",
        {
            "title": "Hidden fuel loading at Sungri",
            "kind": EventKind.OTHER,
            "start_on": "2024",
            "evidence": PROPOSED_CLAIMS,
        },
    ),
    # --- agreements
    "treaty": (
        "agreement",
        {
            "title": "Treaty on Comprehensive Strategic Partnership",
            "kind": AgreementKind.TREATY,
            "status": AgreementStatus.IN_FORCE,
            "signed_on": "2024-06-19",
            "signed_place": "pyongyang",
            "in_force_on": "2024-12-04",
            "parties": [("dprk", "kim"), ("russia", "putin")],
            "provisions": [
                {
                    "label": "Article 4",
                    "kind": ProvisionKind.MUTUAL_DEFENCE,
                    "summary": "Mutual aid if attacked.",
                    "evidence": ["treaty_claim"],
                }
            ],
            "evidence": ["treaty_claim", "rumour"],
        },
    ),
    "hidden_agreement": (
        "agreement",
        {
            "title": "Hidden arms accord",
            "kind": AgreementKind.AGREEMENT,
            "status": AgreementStatus.SIGNED,
            "parties": [("dprk", "kim"), "russia"],
            "provisions": [{"label": "Article 1", "kind": ProvisionKind.MILITARY_TECHNICAL, "summary": "Arms."}],
            "evidence": PROPOSED_CLAIMS,
        },
    ),
    # --- arms transfers
    "transfer": (
        "transfer",
        {
            "supplier": "dprk",
            "recipient": "russia",
            "category": TransferCategory.AMMUNITION,
            "designation": "152mm shells",
            "description": "Artillery shells for the war in Ukraine.",
            "quantity_low": 1000000,
            "quantity_high": 3000000,
            "quantity_unit": "rounds",
            "start_on": "2023-08",
            "status": TransferStatus.REPORTED,
            "reported_by": "=cmd|' /C calc'!A0",  # a spreadsheet formula, for the CSV exports
            "evidence": ["shells"],
        },
    ),
    "hidden_transfer": (
        "transfer",
        {
            "supplier": "dprk",
            "recipient": "russia",
            "category": TransferCategory.MISSILES,
            "description": "Hidden missile shipment.",
            "status": TransferStatus.ALLEGED,
            "evidence": PROPOSED_CLAIMS,
        },
    ),
    # --- relationships
    "leader": (
        "relationship",
        {"subject": "kim", "predicate": RelationshipPredicate.LEADER_OF, "object": "dprk", "evidence": ["meeting"]},
    ),
    "putin_leader": (
        "relationship",
        {
            "subject": "putin",
            "predicate": RelationshipPredicate.LEADER_OF,
            "object": "russia",
            "evidence": ["treaty_claim"],
        },
    ),
    # --- draft records
    "draft": (
        "draft",
        {
            "kind": "transfer",
            # Complete: accepting it as it is (an empty body) makes the transfer.
            "data": {
                "supplier": "north-korea",
                "recipient": "russia",
                "category": "missiles",
                "status": "alleged",
                "description": "Short-range ballistic missiles",
            },
            "claims": ["proposed"],
        },
    ),
    "hidden_relationship": (
        "relationship",
        {"subject": "kim", "predicate": RelationshipPredicate.MEMBER_OF, "object": "dprk", "evidence": PROPOSED_CLAIMS},
    ),
}

# One record of every kind, linked the way real ones are: three actors, the article, three
# accepted claims (one updating another), the summit, the treaty, the shells and Kim's leadership.
CORE = (
    *("dprk", "russia", "kim", "source"),
    *("meeting", "shells", "treaty_claim", "update"),
    *("summit", "treaty", "transfer", "leader"),
)
# One record of each claim-backed kind that only a proposed claim backs (add "proposed" or "rumour").
HIDDEN = ("hidden_event", "hidden_agreement", "hidden_transfer", "hidden_relationship")

MAKERS: dict[str, Callable[..., Any]] = {
    "actor": services.actor_create,
    "source": services.source_create,
    "claim": services.claim_create,
    "link": services.claim_link,
    "event": services.event_create,
    "agreement": services.agreement_create,
    "transfer": services.transfer_create,
    "relationship": services.relationship_create,
    "draft": services.draft_create,
}
# Fields naming one record: those a record cannot do without, and those left empty when absent.
REQUIRED = {"source", "from_claim", "to_claim", "supplier", "recipient", "subject", "object"}
OPTIONAL = {"speaker", "place", "signed_place"}
# Fields naming several records.
SEVERAL = {"subjects", "participants", "evidence", "claims"}


class World(Mapping[str, Any]):
    """The records of one small knowledge base by name: ``world["dprk"]`` or ``world.dprk``."""

    def __init__(self, editor: User):
        self.editor = editor
        self._records: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        return self._records[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_records"][name]
        except KeyError:
            raise AttributeError(f"This world has no record named {name!r}; it has {', '.join(self)}.") from None

    def add(self, name: str, kind: str, fields: Mapping[str, Any]) -> Any:
        """Make one record through its service, its references resolved in this world, and name it."""
        made = MAKERS[kind](user=self.editor, **self._resolve(name, fields))
        self._records[name] = made
        return made

    def _resolve(self, name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        resolved = {}
        for key, value in fields.items():
            if key in REQUIRED:
                if value not in self:
                    raise KeyError(f"{name!r} needs {value!r} as its {key}: name {value!r} in the world too.")
                resolved[key] = self[value]
            elif key in OPTIONAL:
                resolved[key] = self._records.get(value)
            elif key in SEVERAL:
                resolved[key] = [self[n] for n in value if n in self]
            elif key == "parties":
                resolved[key] = [pair for pair in map(self._party, value) if pair[0] is not None]
            elif key == "provisions":
                resolved[key] = [
                    {**p, "evidence": [self[n] for n in p.get("evidence", ()) if n in self]} for p in value
                ]
            else:
                resolved[key] = value
        return resolved

    def _party(self, party: str | tuple[str, str]) -> tuple[Any, Any]:
        actor, signatory = party if isinstance(party, tuple) else (party, None)
        return self._records.get(actor), self._records.get(signatory)


def build_world(editor: User, *names: str, **changes: Mapping[str, Any]) -> World:
    """The world of the ``names`` records of STORY, made in STORY's order by ``editor``.

    ``changes`` replaces fields of named records, e.g. ``transfer={"start_on": "2023"}``.
    The article is ARTICLE with the paragraphs the named claims bring; when that text is
    stored already (a second world in one test), a numbered line keeps the copy apart.
    """
    unknown = [name for name in (*names, *changes) if name not in STORY]
    if unknown:
        raise KeyError(f"Not in the story: {', '.join(unknown)}. Its records are {', '.join(STORY)}.")
    unnamed = set(changes) - set(names)
    if unnamed:
        raise KeyError(f"Changes to records the world does not name: {', '.join(sorted(unnamed))}.")
    chosen = [name for name in STORY if name in names]
    paragraphs = [STORY[name][1]["paragraph"] for name in chosen if "paragraph" in STORY[name][1]]
    world = World(editor)
    for name in chosen:
        kind, fields = STORY[name]
        fields = {key: value for key, value in fields.items() if key != "paragraph"}
        if kind == "claim":
            fields.setdefault("source", "source")  # every claim quotes the one article
        if kind == "source":
            fields["text"] = _new_text("\n\n".join([ARTICLE, *paragraphs]))
        world.add(name, kind, {**fields, **changes.get(name, {})})
    return world


def _new_text(text: str) -> str:
    """``text``, or when a source holds it already, ``text`` with a numbered line (the same text twice is refused)."""
    candidate, copy = text, 1
    while Source.objects.filter(sha256=text_sha256(clean_text(candidate))).exists():
        copy += 1
        candidate = f"{text}\n\nCopy {copy}."
    return candidate
