"""The drafts one ingest proposes: draft specs from its sentences (``kb.ingest.drafts``), matched and stored in bulk.

Everything the drafting needs from the knowledge base is read in a fixed number of queries
(the actors named, the states by country, the agreements cited and their parties, the
records the drafts may match), so an article of a hundred sentences costs the same queries
as one of three. A draft that matches an existing record targets it; one that would change
nothing there is not made; the same draft from several sentences is made once, with each
sentence's claim.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Q

from kb.choices import ActorKind, DraftKind
from kb.dates import PartialDate
from kb.ingest.drafts import ActorFacts, DraftSpec, Named, name_drafts, sentence_drafts
from kb.ingest.names import PhraseIndex, demonyms, title_phrases
from kb.ingest.normalize import normalize_name
from kb.ingest.proposals import Analysis
from kb.models import Actor, Agreement, AgreementParty, Alias, ArmsTransfer, Claim, Draft, Event, Source
from kb.services.base import User, history_user
from kb.services.drafts import FIELDS, Refs, clean_data, draft_changes, draft_title, find_targets, target_values

# Specs per proposal (by its index), and the new names' specs.
Planned = tuple[dict[int, list[DraftSpec]], list[DraftSpec]]


@dataclass(frozen=True)
class NameIndexes:
    """What ingest finds names and records by: actor aliases, state adjectives, each named actor's kind, and the
    titles of agreements and events and the designations of transfers."""

    actors: PhraseIndex
    adjectives: PhraseIndex
    kinds: dict[int, str]
    records: PhraseIndex


# The indexes last built on each database, with the stamp of what they were built from.
_BUILT: dict[str, tuple[tuple, NameIndexes]] = {}
_NAMED_BY = (Actor, Alias, Agreement, Event, ArmsTransfer)


def _names_stamp(using: str) -> tuple:
    """Each table the indexes are read from, summed up in one query: its row count and its latest change. Any
    record added, edited (``updated_at``) or deleted there changes it."""
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)}), (SELECT MAX({quote('updated_at')}) FROM "
        f"{quote(m._meta.db_table)})"
        for m in _NAMED_BY
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return tuple(cursor.fetchone())


def name_indexes() -> NameIndexes:
    """The name and record indexes, built once and reused while the knowledge base's names stay the same: building
    them reads every alias, title and designation, which at 200,000 claims takes about a second."""
    using = router.db_for_read(Alias)
    stamp = _names_stamp(using)
    held = _BUILT.get(using)
    if held is not None and held[0] == stamp:
        return held[1]
    actors, adjectives, kinds = _actor_indexes(using)
    records = PhraseIndex(match_case=False)
    for pk, title in Agreement.objects.using(using).values_list("pk", "title"):
        for phrase in title_phrases(title):
            records.add(phrase, ("agreement", pk))
    for pk, title in Event.objects.using(using).values_list("pk", "title"):
        if len(title.split()) >= 2:  # "Korean War", "Russian invasion of Ukraine" are written as titled
            records.add(title, ("event", pk))
    designations = ArmsTransfer.objects.using(using).exclude(designation="").values_list("pk", "designation")
    for pk, designation in designations:
        if len(designation.strip()) >= 2:
            records.add(designation, ("transfer", pk))
    built = NameIndexes(actors, adjectives, kinds, records)
    _BUILT[using] = (stamp, built)
    return built


def _actor_indexes(using: str) -> tuple[PhraseIndex, PhraseIndex, dict[int, str]]:
    """Every actor alias, the adjectives of states ("North Korean"), and each named actor's kind.

    A name led by a state's adjective is also found after the state's possessive: "Russian
    Defence Ministry" is what "Russia's Defence Ministry" names.
    """
    aliases = list(Alias.objects.using(using).values_list("name", "actor_id", "actor__kind"))
    actors = PhraseIndex((name, actor_id) for name, actor_id, _kind in aliases)
    state_names = [(name, actor_id) for name, actor_id, kind in aliases if kind == ActorKind.STATE]
    adjectives = PhraseIndex((form, actor_id) for name, actor_id in state_names for form in demonyms(name))
    possessors: dict[str, list[tuple[str, str]]] = {}  # first word -> (adjective and a space, state name)
    for name, _actor_id in state_names:
        for form in demonyms(name):
            possessors.setdefault(form.split()[0].lower(), []).append((form.lower() + " ", name))
    for name, actor_id, _kind in aliases:
        for form, state in possessors.get(name.split()[0].lower() if name.strip() else "", ()):
            if name.lower().startswith(form) and len(name) > len(form):
                actors.add(f"{state} {name[len(form) :]}", actor_id)
    return actors, adjectives, {actor_id: kind for _name, actor_id, kind in aliases}


def read_actors(
    text: str, actor_index: PhraseIndex, adjective_index: PhraseIndex
) -> tuple[list[Named], dict[int, tuple[ActorFacts, str]], dict[str, int]]:
    """The actors ``text`` names as the drafting rules read them, in one query.

    Returns each mention of one actor (by name, alias or a state's adjective) in the order of
    the text; the facts and slug of those actors and of every state, by id; and the state of
    each country code only one state has.
    """
    mentions = [Named(m.start, m.end, m.keys[0]) for m in actor_index.find(text) if len(m.keys) == 1] + [
        Named(m.start, m.end, m.keys[0], adjective=True)
        for m in (adjective_index.find(text) if len(adjective_index) else [])
        if len(m.keys) == 1
    ]
    wanted = {n.key for n in mentions}
    rows = Actor.objects.filter(Q(pk__in=wanted) | Q(kind=ActorKind.STATE)).values_list(
        "pk", "name", "kind", "country_code", "slug"
    )
    facts: dict[int, tuple[ActorFacts, str]] = {}
    by_code: dict[str, list[int]] = {}
    for pk, name, kind, code, slug in rows:
        facts[pk] = (ActorFacts(name, kind, code), slug)
        if kind == ActorKind.STATE and code:
            by_code.setdefault(code, []).append(pk)
    states = {code: pks[0] for code, pks in by_code.items() if len(pks) == 1}
    named = sorted((n for n in mentions if n.key in facts), key=lambda n: n.start)
    return named, facts, states


def plan_drafts(
    text: str,
    analysis: Analysis,
    *,
    actor_index: PhraseIndex,
    adjective_index: PhraseIndex,
    published: PartialDate,
) -> tuple[Planned, dict[int, tuple[ActorFacts, str]], dict[Hashable, tuple[str, str, list[int]]]]:
    """The drafts an analysed article gives, with the facts of the actors and agreements they name.

    Returns the plan, the actors' facts and slugs by id, and the cited agreements' (slug,
    title, party ids) by key.
    """
    ordered, facts, states = read_actors(text, actor_index, adjective_index)
    plain_facts = {pk: fact for pk, (fact, _slug) in facts.items()}
    cited = {key for p in analysis.proposals for key in p.links if key[0] == "agreement"}
    agreements: dict[Hashable, tuple[str, str, list[int]]] = {
        ("agreement", pk): (slug, title, [])
        for pk, slug, title in Agreement.objects.filter(pk__in=[pk for _k, pk in cited]).values_list(
            "pk", "slug", "title"
        )
    }
    for agreement_id, actor_id in AgreementParty.objects.filter(agreement_id__in=[pk for _k, pk in cited]).values_list(
        "agreement_id", "actor_id"
    ):
        agreements[("agreement", agreement_id)][2].append(actor_id)
    parties = {key: members for key, (_slug, _title, members) in agreements.items()}
    per_proposal: dict[int, list[DraftSpec]] = {}
    starts = [n.start for n in ordered]
    for index, proposal in enumerate(analysis.proposals):
        lo, hi = bisect.bisect_left(starts, proposal.start), bisect.bisect_left(starts, proposal.end)
        named = [
            Named(n.start - proposal.start, n.end - proposal.start, n.key, n.adjective)
            for n in ordered[lo:hi]
            if n.end <= proposal.end
        ]
        speaker = facts.get(proposal.speaker) if proposal.speaker is not None else None
        specs = sentence_drafts(
            proposal.quote,
            named=named,
            facts=plain_facts,
            states=states,
            modality=proposal.modality,
            about=proposal.about,
            published=published,
            reported_by=proposal.attributed_to or (speaker[0].name if speaker else ""),
            agreements=[key for key in proposal.links if key in agreements],
            events=[key for key in proposal.links if key[0] == "event"],
            parties=parties,
        )
        if specs:
            per_proposal[index] = specs
    names = name_drafts(text, analysis.candidates, ordered, plain_facts)
    return (per_proposal, names), facts, agreements


def _identity(spec: DraftSpec) -> tuple:
    """What makes two specs of one article the same draft."""
    data = spec.data
    if spec.kind == DraftKind.TRANSFER:
        what = (data.get("designation") or "").lower() or data["category"]
        return (spec.kind, data["supplier"], data["recipient"], what)
    if spec.kind == DraftKind.EVENT:
        return (spec.kind, spec.match) if spec.match else (spec.kind, data["title"].lower())
    if spec.kind == DraftKind.RELATIONSHIP:
        return (spec.kind, data["subject"], data["predicate"], data["object"])
    if spec.kind == DraftKind.MILESTONE:
        return (spec.kind, data["agreement"], data["party"], data["step"])
    return (spec.kind, normalize_name(data["name"]))


def as_slugs(spec: DraftSpec, facts: dict[int, tuple[ActorFacts, str]], agreements: dict) -> dict[str, Any]:
    """A spec's data with actors (``facts``: id → facts and slug) and agreements (key → slug first) as slugs, and
    empty values dropped."""
    fields = FIELDS[spec.kind]
    out: dict[str, Any] = {}
    for key, value in spec.data.items():
        if value is None or value == "" or value == []:
            continue
        match fields[key].type if key in fields else None:
            case "actor":
                value = facts[value][1]
            case "actors":
                value = [facts[pk][1] for pk in value]
            case "agreement":
                value = agreements[value][0]
        out[key] = value
    return out


def ingest_drafts(
    *,
    user: User,
    source: Source,
    planned: Planned,
    claims: list[Claim],
    facts: dict[int, tuple[ActorFacts, str]],
    agreements: dict[Hashable, tuple[str, str, list[int]]],
) -> list[Draft]:
    """Store the planned drafts of one ingest in bulk, each with its claims and a history row."""
    per_proposal, names = planned
    merged_by_identity: dict[tuple, tuple[DraftSpec, dict[str, Any], list[int]]] = {}
    for index, specs in sorted(per_proposal.items()):
        for spec in specs:
            identity = _identity(spec)
            data = as_slugs(spec, facts, agreements)
            if identity in merged_by_identity:
                _spec, first_data, claim_indexes = merged_by_identity[identity]
                for key, value in data.items():
                    first_data.setdefault(key, value)  # the first sentence's values win, later ones fill gaps
                claim_indexes.append(index)
            else:
                merged_by_identity[identity] = (spec, data, [index])
    for spec in names:
        indexes = [i for i, claim in enumerate(claims) if any(name in claim.quote for name in spec.names)]
        merged_by_identity.setdefault(_identity(spec), (spec, dict(spec.data), indexes))
    merged = list(merged_by_identity.values())
    refs = Refs(
        actors={slug: Actor(pk=pk, name=fact.name, slug=slug, kind=fact.kind) for pk, (fact, slug) in facts.items()},
        agreements={
            slug: Agreement(pk=key[1], slug=slug, title=title) for key, (slug, title, _m) in agreements.items()
        },
    )
    targets = find_targets(
        [
            (spec.kind, data, spec.match[1] if spec.match and spec.match[0] == "event" else None)
            for spec, data, _c in merged
        ],
        refs,
    )
    content_types = {
        ct.model: ct
        for ct in ContentType.objects.filter(
            app_label="kb", model__in=["armstransfer", "event", "relationship", "agreementparty"]
        )
    }
    who = history_user(user)
    drafts, claim_lists = [], []
    for i, (spec, data, claim_indexes) in enumerate(merged):
        try:
            data = clean_data(spec.kind, data)
        except ValidationError:
            continue  # a value the rules read that a draft cannot hold (an absurd quantity): no draft
        target = targets.get(i)
        seen = target_values(spec.kind, target) if target is not None else {}
        if target is not None and not draft_changes(spec.kind, data, seen):
            continue  # nothing the record does not already hold
        content_type = content_types[target._meta.model_name] if target is not None else None
        drafts.append(
            Draft(
                kind=spec.kind,
                title=draft_title(spec.kind, data, refs),
                source=source,
                data=data,
                target_type=content_type,
                target_id=target.pk if target is not None else None,
                target_seen=seen,
                created_by=who,
            )
        )
        claim_lists.append([claims[index] for index in dict.fromkeys(claim_indexes)])
    for draft in drafts:
        draft.full_clean(
            exclude=["source", "created_by", "target_type"], validate_unique=False, validate_constraints=False
        )
    created = Draft.objects.bulk_create(drafts)
    through = Draft.claims.through
    rows = through.objects.bulk_create(
        [
            through(draft=draft, claim=claim)
            for draft, cited in zip(created, claim_lists, strict=True)
            for claim in cited
        ]
    )
    history = Draft.history.bulk_history_create(created, default_user=who, default_change_reason="ingest")
    claims_history = apps.get_model(Draft._meta.app_label, f"{Draft.history.model.__name__}_claims")
    by_draft = {entry.id: entry for entry in history}
    claims_history.objects.bulk_create(
        [
            claims_history(history=by_draft[row.draft_id], id=row.pk, draft=row.draft, claim_id=row.claim_id)
            for row in rows
        ]
    )
    return created
