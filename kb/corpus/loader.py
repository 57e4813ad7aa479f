"""Writing the checked seed corpus through the services: create what is missing, align what differs, skip the rest.

Records the corpus account created that the fixtures no longer define are removed
through the services, so history keeps them; nobody else's records are touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from kb import services
from kb.choices import ClaimStatus
from kb.corpus.fixtures import (
    AGREEMENTS_FILE,
    EVENTS_FILE,
    RELATIONSHIPS_FILE,
    TRANSFERS_FILE,
    Corpus,
    CorpusError,
    LoadReport,
    read_corpus,
)
from kb.dates import PartialDate
from kb.errors import error_line
from kb.ingest.normalize import normalize_name
from kb.models import (
    Actor,
    Agreement,
    AgreementParty,
    Alias,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Provision,
    Relationship,
    Source,
)
from kb.models.sources import text_sha256
from kb.progress import Progress, silent
from kb.services.base import dependents

CORPUS_USERNAME = "corpus"
CHANGE_REASON = "seed corpus"
WITHDRAWN_REASON = "seed corpus: withdrawn from the fixtures"

# Every record type the fixtures define, in the order withdrawn records are removed: parts
# before their wholes, and what cites a claim or an actor before the claim or the actor.
WITHDRAWABLE: tuple[tuple[type[models.Model], str], ...] = (
    (ClaimLink, "claim links"),
    (Provision, "provisions"),
    (AgreementParty, "agreement parties"),
    (ArmsTransfer, "transfers"),
    (Relationship, "relationships"),
    (Event, "events"),
    (Agreement, "agreements"),
    (Claim, "claims"),
    (Source, "sources"),
    (Alias, "aliases"),
    (Actor, "actors"),
)
WITHDRAWN_KINDS = dict(WITHDRAWABLE)


def corpus_user():
    """The account the corpus is recorded under in history and as the claims' reviewer; it cannot log in."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=CORPUS_USERNAME).first()
    if user is None:
        user = user_model._default_manager.create_user(CORPUS_USERNAME, password=None, is_active=False)
    return user


def _date_fields(**named: Any) -> dict[str, Any]:
    """``name="2024-06"`` -> both stored columns of the partial date (``name`` and ``name_precision``)."""
    out: dict[str, Any] = {}
    for name, value in named.items():
        partial = PartialDate.parse(str(value)) if value not in (None, "") else None
        out[name] = partial.date if partial else None
        out[f"{name}_precision"] = partial.precision if partial else ""
    return out


def _differs(instance: models.Model, fields: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``fields`` whose values differ from ``instance``'s; many-to-many values compare as sets."""
    changed = {}
    for name, value in fields.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            if set(getattr(instance, name).values_list("pk", flat=True)) != {v.pk for v in value}:
                changed[name] = value
        elif field.many_to_one:
            if getattr(instance, field.attname) != (value.pk if value is not None else None):
                changed[name] = value
        elif getattr(instance, name) != value:
            changed[name] = value
    return changed


class _Loader:
    """One load: keeps the records made or found so far by their fixture keys."""

    def __init__(self, corpus: Corpus, user, report: LoadReport, *, evidence: bool = True) -> None:
        self.corpus, self.user, self.report = corpus, user, report
        self.with_evidence = evidence  # False: records without their claims, which are not loaded
        self.actors: dict[str, Actor] = {}
        self.claims: dict[str, Claim] = {}
        self.transfers: dict[str, ArmsTransfer] = {}
        self.loaded: defaultdict[type[models.Model], set[int]] = defaultdict(set)  # what the fixtures define

    def mark(self, record: Any) -> Any:
        """Note ``record`` as one the fixtures define, so that the withdrawal leaves it alone."""
        self.loaded[type(record)].add(record.pk)
        return record

    def actor(self, slug: str | None) -> Actor | None:
        return self.actors[slug] if slug else None

    def evidence(self, keys: Iterable[str]) -> list[Claim]:
        return [self.claims[key] for key in keys] if self.with_evidence else []

    def upsert(
        self,
        where: tuple[str, str],
        kind: str,
        instance: models.Model | None,
        fields: dict[str, Any],
        create: Callable[[dict[str, Any]], Any],
        update: Callable[[Any, dict[str, Any]], Any] | None = None,
    ) -> Any:
        """Create the record, update only the fields that differ from the fixture, or leave it alone."""
        try:
            if instance is None:
                self.report.add(kind, "created")
                return self.mark(create(fields))
            changed = _differs(instance, fields)
            if not changed:
                self.report.add(kind, "unchanged")
                return self.mark(instance)
            self.report.add(kind, "updated")
            if update is None:
                return self.mark(services.record_update(instance, user=self.user, reason=CHANGE_REASON, **changed))
            return self.mark(update(instance, changed))
        except ValidationError as exc:
            raise CorpusError(*where, error_line(exc)) from None

    def load_actors(self) -> None:
        file = self.corpus.actors_file
        for slug, row in self.corpus.actors:
            fields = {
                "name": row["name"],
                "kind": row["kind"],
                "summary": row.get("summary", ""),
                "country_code": row.get("country_code", ""),
                "wikidata_id": row.get("wikidata_id", ""),
                **_date_fields(start_on=row.get("start"), end_on=row.get("end")),
            }
            actor = self.upsert(
                (file, slug),
                "actors",
                Actor.objects.filter(slug=slug).first(),
                fields,
                lambda f, slug=slug: services.actor_create(user=self.user, slug=slug, **f),
                lambda a, changed: services.actor_update(a, user=self.user, **changed),
            )
            self.actors[slug] = actor
            known = dict(actor.aliases.values_list("normalized", "pk"))
            if normalize_name(actor.name) in known:  # the name is stored as an alias too
                self.loaded[Alias].add(known[normalize_name(actor.name)])
            for item in row.get("aliases", []):
                name, language = (item["name"], item.get("language", "")) if isinstance(item, dict) else (item, "")
                if normalize_name(name) in known:
                    self.report.add("aliases", "unchanged")
                    self.loaded[Alias].add(known[normalize_name(name)])
                    continue
                try:
                    alias = services.alias_add(user=self.user, actor=actor, name=name, language=language, exist_ok=True)
                except ValidationError as exc:
                    raise CorpusError(file, slug, f"alias {name!r}: {error_line(exc)}") from None
                self.report.add("aliases", "created")
                known[alias.normalized] = self.mark(alias).pk

    def load_sources(self) -> None:
        for fixture in self.corpus.sources:
            meta = fixture.fields
            fields = {
                "title": meta["title"],
                "subtitle": meta.get("subtitle", ""),
                "publisher": meta.get("publisher", ""),
                "byline": meta.get("byline", ""),
                "url": meta.get("url", ""),
                "kind": meta["kind"],
                "reliability": meta["reliability"],
                "language": meta.get("language", "en"),
                "furniture_note": meta.get("furniture_note", "").strip(),
                **_date_fields(published_on=meta.get("published")),
                "authors": [self.actors[slug] for slug in meta.get("authors", [])],
                "text": fixture.text,
            }
            # By its text; a corrected text is found by title and publisher and re-anchors its claims.
            existing = (
                Source.objects.filter(sha256=text_sha256(fixture.text)).first()
                or Source.objects.filter(title=meta["title"], publisher=meta.get("publisher", "")).first()
            )
            source = self.upsert(
                (fixture.file, "source"),
                "sources",
                existing,
                fields,
                lambda f: services.source_create(user=self.user, **f),
                lambda s, changed: services.source_update(s, user=self.user, **changed),
            )
            for key, row in fixture.claims:
                self.claims[key] = self.load_claim(fixture.file, key, row, source)

    def load_claim(self, file: str, key: str, row: dict, source: Source) -> Claim:
        anchor = self.corpus.anchors[key]
        fields = {
            "statement": row["statement"].strip(),
            "modality": row["modality"],
            "attributed_to": row.get("attributed_to", ""),
            "speaker": self.actor(row.get("speaker")),
            "credibility": row["credibility"],
            "status": ClaimStatus.ACCEPTED,
            **_date_fields(about_on=row.get("about")),
            "subjects": [self.actors[slug] for slug in row.get("subjects", [])],
        }
        return self.upsert(
            (file, key),
            "claims",
            Claim.objects.filter(source=source, start=anchor.start, end=anchor.end).first(),
            fields,
            lambda f: services.claim_create(
                user=self.user, source=source, quote=anchor.quote, start=anchor.start, end=anchor.end, **f
            ),
            lambda c, changed: services.claim_update(c, user=self.user, **changed),
        )

    def load_links(self) -> None:
        for fixture in self.corpus.sources:
            for key, row in fixture.links:
                origin, target, kind = self.claims[row["from"]], self.claims[row["to"]], row["kind"]
                self.upsert(
                    (fixture.file, key),
                    "claim links",
                    ClaimLink.objects.filter(from_claim=origin, to_claim=target, kind=kind).first(),
                    {"note": row.get("note", "").strip()},
                    lambda f, o=origin, t=target, k=kind: services.claim_link(
                        user=self.user, from_claim=o, to_claim=t, kind=k, **f
                    ),
                )

    def load_relationships(self) -> None:
        for key, row in self.corpus.relationships:
            dates = _date_fields(valid_from=row.get("valid_from"), valid_until=row.get("valid_until"))
            subject, obj = self.actors[row["subject"]], self.actors[row["object"]]
            fields = {
                "subject": subject,
                "predicate": row["predicate"],
                "object": obj,
                **dates,
                "note": row.get("note", "").strip(),
                "evidence": self.evidence(row["evidence"]),
            }
            self.upsert(
                (RELATIONSHIPS_FILE, key),
                "relationships",
                Relationship.objects.filter(
                    subject=subject, predicate=row["predicate"], object=obj, valid_from=dates["valid_from"]
                ).first(),
                fields,
                lambda f: services.relationship_create(user=self.user, **f),
            )

    def load_events(self) -> None:
        for slug, row in self.corpus.events:
            fields = {
                "title": row["title"],
                "kind": row["kind"],
                **_date_fields(start_on=row.get("start"), end_on=row.get("end")),
                "place": self.actor(row.get("place")),
                "summary": row.get("summary", "").strip(),
                "participants": [self.actors[a] for a in row.get("participants", [])],
                "evidence": self.evidence(row["evidence"]),
            }
            self.upsert(
                (EVENTS_FILE, slug),
                "events",
                Event.objects.filter(slug=slug).first(),
                fields,
                lambda f, slug=slug: services.event_create(user=self.user, slug=slug, **f),
            )

    def load_agreements(self) -> None:
        for slug, row in self.corpus.agreements:
            fields = {
                "title": row["title"],
                "kind": row["kind"],
                "status": row["status"],
                **_date_fields(signed_on=row.get("signed"), in_force_on=row.get("in_force")),
                "signed_place": self.actor(row.get("signed_place")),
                "summary": row.get("summary", "").strip(),
                "evidence": self.evidence(row["evidence"]),
            }
            agreement = self.upsert(
                (AGREEMENTS_FILE, slug),
                "agreements",
                Agreement.objects.filter(slug=slug).first(),
                fields,
                lambda f, slug=slug: services.agreement_create(user=self.user, slug=slug, **f),
            )
            for party in row.get("parties", []):
                actor = self.actors[party["actor"]]
                self.upsert(
                    (AGREEMENTS_FILE, f"{slug} party {party['actor']}"),
                    "agreement parties",
                    AgreementParty.objects.filter(agreement=agreement, actor=actor).first(),
                    {
                        "signatory": self.actor(party.get("signatory")),
                        **_date_fields(
                            signed_on=party.get("signed"),
                            ratified_on=party.get("ratified"),
                            in_force_on=party.get("in_force"),
                        ),
                        "ratification_kind": party.get("ratification_kind", ""),
                        "evidence": self.evidence(party.get("evidence", [])),
                    },
                    lambda f, a=actor, ag=agreement: services.agreement_party_add(
                        user=self.user, agreement=ag, actor=a, **f
                    ),
                )
            for order, provision in enumerate(row.get("provision", []), start=1):
                fields = {
                    "label": provision.get("label", ""),
                    "kind": provision["kind"],
                    "summary": provision["summary"].strip(),
                    "evidence": self.evidence(provision["evidence"]),
                }
                self.upsert(
                    (AGREEMENTS_FILE, f"{slug} provision #{order}"),
                    "provisions",
                    Provision.objects.filter(agreement=agreement, order=order).first(),
                    fields,
                    lambda f, order=order, ag=agreement: services.provision_add(
                        user=self.user, agreement=ag, order=order, **f
                    ),
                )

    def load_transfers(self) -> None:
        for key, row in self.corpus.transfers:
            supplier, recipient = self.actors[row["supplier"]], self.actors[row["recipient"]]
            designation = row.get("designation", "")
            fields = {
                "supplier": supplier,
                "recipient": recipient,
                "category": row["category"],
                "designation": designation,
                "description": row["description"].strip(),
                "quantity_low": row.get("quantity_low"),
                "quantity_high": row.get("quantity_high"),
                "quantity_unit": row.get("quantity_unit", ""),
                "status": row["status"],
                "reported_by": row.get("reported_by", ""),
                **_date_fields(start_on=row.get("start"), end_on=row.get("end"), reported_on=row.get("reported")),
                "evidence": self.evidence(row["evidence"]),
            }
            self.transfers[key] = self.upsert(
                (TRANSFERS_FILE, key),
                "transfers",
                ArmsTransfer.objects.filter(
                    supplier=supplier, recipient=recipient, category=row["category"], designation=designation
                ).first(),
                fields,
                lambda f: services.transfer_create(user=self.user, **f),
            )

    def withdraw(self) -> None:
        """Remove the records the corpus account created that the fixtures no longer define.

        Ownership is read from history: a record is the corpus's when the corpus account
        created it, so an editor's records, and anything loaded under another account, are
        never removed. A withdrawn record that records outside the corpus still use (as
        evidence, subject, party…), or that has parts the corpus did not create, stays with
        its parts, and the report names it.
        """
        owner = get_user_model()._default_manager.filter(username=CORPUS_USERNAME).first()
        if owner is None:
            return
        owned = {
            model: set(model.history.filter(history_type="+", history_user=owner).values_list("id", flat=True))
            for model, _kind in WITHDRAWABLE
        }
        stale = {model: owned[model] - self.loaded[model] for model in owned}
        for model, _kind in WITHDRAWABLE:
            if not stale[model]:
                continue
            for record in model.objects.filter(pk__in=stale[model]).order_by("pk"):
                if not _part_of_withdrawn(record, stale):  # such a part goes, or stays, with its whole
                    self.remove(record, owned)

    def remove(self, record: models.Model, owned: dict[type[models.Model], set[int]]) -> None:
        """Delete a withdrawn record and its parts (aliases, parties, provisions, links), each with its history."""
        in_use = dependents(record) + _parts_not_owned(record, owned)
        if in_use:
            listed = ", ".join(f"{count} {what}" for what, count in in_use)
            what = record._meta.verbose_name
            self.report.kept.append(f"{what} “{record}” left the fixtures but is used by {listed}")
            return
        for part in [*_parts(record), record]:
            services.record_delete(part, user=self.user, reason=WITHDRAWN_REASON)
            self.report.add(WITHDRAWN_KINDS[type(part)], "removed")


def _cascades(field: models.Field) -> bool:
    return field.many_to_one and field.remote_field.on_delete is models.CASCADE


def _part_of_withdrawn(record: models.Model, stale: dict[type[models.Model], set[int]]) -> bool:
    """Whether ``record`` is a part of (deleted with) a record that is itself withdrawn."""
    return any(
        getattr(record, field.attname) in stale.get(field.related_model, ())
        for field in record._meta.concrete_fields
        if _cascades(field)
    )


def _parts(record: models.Model) -> list[models.Model]:
    """The rows deleted with ``record``: its aliases, parties, provisions or claim links."""
    return [
        part
        for rel in record._meta.related_objects
        if rel.one_to_many and _cascades(rel.field) and rel.related_model in WITHDRAWN_KINDS
        for part in getattr(record, rel.get_accessor_name()).order_by("pk")
    ]


def _parts_not_owned(record: models.Model, owned: dict[type[models.Model], set[int]]) -> list[tuple[str, int]]:
    """The parts of ``record`` that the corpus did not create, as (what, count) pairs."""
    found = []
    for rel in record._meta.related_objects:
        if not (rel.one_to_many and _cascades(rel.field) and rel.related_model._meta.app_label == "kb"):
            continue
        count = getattr(record, rel.get_accessor_name()).exclude(pk__in=owned.get(rel.related_model, ())).count()
        if count:
            meta = rel.related_model._meta
            what = meta.verbose_name if count == 1 else meta.verbose_name_plural
            found.append((f"{what} not from the corpus", count))
    return found


class _ProgressReport(LoadReport):
    """The load's report, telling ``progress`` of every fixture record as it is counted."""

    def __init__(self, progress: Progress, total: int) -> None:
        super().__init__()
        self.progress, self.total, self.done = progress, total, 0

    def add(self, kind: str, outcome: str) -> None:
        super().add(kind, outcome)
        if outcome != "removed":  # withdrawn records are not among the fixtures' ``total``
            self.done += 1
            self.progress("records", self.done, self.total)


def _record_count(corpus: Corpus) -> int:
    """How many records the load counts in its report (aliases, parties and provisions among them)."""
    return (
        sum(1 + len(row.get("aliases", [])) for _slug, row in corpus.actors)
        + sum(1 + len(source.claims) + len(source.links) for source in corpus.sources)
        + len(corpus.relationships)
        + len(corpus.events)
        + sum(1 + len(row.get("parties", [])) + len(row.get("provision", [])) for _slug, row in corpus.agreements)
        + len(corpus.transfers)
    )


def load_records(corpus: Corpus, *, user=None) -> dict[str, ArmsTransfer]:
    """Store the corpus's actors, agreements, events and transfers as :func:`load_corpus` does, but not its
    sources and claims, so the records cite no evidence: what ingest's evaluation reads the corpus's texts
    against. Returns the stored transfers by their fixture keys. No withdrawal: run it on an empty database.
    """
    loader = _Loader(corpus, user, LoadReport(), evidence=False)
    loader.load_actors()
    loader.load_events()
    loader.load_agreements()
    loader.load_transfers()
    return loader.transfers


@transaction.atomic
def load_corpus(path: Path | str | None = None, *, user=None, progress: Progress = silent) -> LoadReport:
    """Load the seed corpus in one transaction; CorpusError, and nothing written, on bad input.

    Records the corpus account created that the fixtures no longer define are removed
    (see ``_Loader.withdraw``).

    ``path`` defaults to fixtures/corpus. ``user`` is recorded in history and as the
    claims' reviewer; by default the inactive "corpus" account. ``progress`` hears of
    every record as it is created, updated or found unchanged.
    """
    corpus = read_corpus(path) if path is not None else read_corpus()
    report = _ProgressReport(progress, _record_count(corpus))
    progress("records", 0, report.total)
    loader = _Loader(corpus, user or corpus_user(), report)
    loader.load_actors()
    loader.load_sources()
    loader.load_links()
    loader.load_relationships()
    loader.load_events()
    loader.load_agreements()
    loader.load_transfers()
    loader.withdraw()
    return report
