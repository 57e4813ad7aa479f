"""Search: alias-, case-, accent- and hyphen-insensitive matching for ``?search=`` and search across every type.

Text is found through full-text indexes (FULL_TEXT below: PostgreSQL tsvector columns,
SQLite FTS5 tables) holding every record's words normalised as ``normalize_name`` does;
actors are found through Alias.normalized, the stored lookup form of every spelling. The
same rule holds on both databases: case, accents, hyphens, slashes, dots and apostrophes
do not matter, words match in order and the last may be the start of a word.

``search_pattern`` is the same rule as a regular expression, for ranking and highlighting
the few hits a page shows.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from kb.ingest.normalize import normalize_name, strip_accents
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors.names import actors_named
from kb.selectors.visibility import User, visible_claims, visible_records

SEARCH_MAX_LENGTH = 200
_SEPARATORS = "[ \t\n_/\u2010\u2011\u2012\u2013\u2014\u2015\u2212.'\u2018\u2019\u02bc`\u00b4-]"
_JOINERS = "[.'\u2018\u2019\u02bc`\u00b4]"


def _letter_variants() -> dict[str, str]:
    found: dict[str, set[str]] = {}
    code_points = itertools.chain(range(0x30, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for cp in code_points:
        ch = chr(cp)
        base = strip_accents(ch).casefold()
        if len(base) == 1 and base.isascii() and base.isalnum():
            found.setdefault(base, set()).add(ch)
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in found.items()}


_VARIANTS = _letter_variants()


def _char_pattern(ch: str) -> str:
    if ch in _VARIANTS:
        return _VARIANTS[ch]
    cases = {ch, ch.upper(), ch.lower()}
    return "[" + "".join(sorted(c for c in cases if len(c) == 1)) + "]"


def search_pattern(q: str) -> str | None:
    """The regular expression (valid for SQLite's and PostgreSQL's engines) that finds ``q`` in text.

    None when the query has no letters or digits.
    """
    words = normalize_name(q or "").split()
    if not words:
        return None
    return f"{_SEPARATORS}+".join(f"{_JOINERS}?".join(_char_pattern(ch) for ch in word) for word in words)


def text_match_q(pattern: str, *fields: str) -> Q:
    """Rows where any of ``fields`` contains a match of ``pattern`` (from search_pattern)."""
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__regex": pattern})
    return q


# What ?search= looks at for each model: text fields, and actor relations matched by alias.
SEARCH_FIELDS: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {
    Actor: (("name",), ("pk",)),
    Source: (("title", "subtitle", "byline", "publisher", "text"), ("authors",)),
    Claim: (("quote", "statement", "attributed_to"), ("subjects", "speaker")),
    Relationship: (("note",), ("subject", "object")),
    Event: (("title", "summary"), ("participants", "place")),
    Agreement: (("title", "summary", "provisions__summary"), ("parties", "signed_place")),
    ArmsTransfer: (("designation", "description", "reported_by"), ("supplier", "recipient")),
}


def search_filter(*, queryset: models.QuerySet, q: str) -> models.QuerySet:
    """``queryset`` narrowed to rows matching ``q`` (alias-, case-, accent- and hyphen-insensitive)."""
    pattern = search_pattern(q)
    if pattern is None:
        return queryset.none()
    model = queryset.model
    text_fields, actor_fields = SEARCH_FIELDS[model]
    names = actors_named(name=q)
    if model is Actor:
        return queryset.filter(pk__in=names)  # an actor's name is one of its aliases
    if model in FULL_TEXT and connections[queryset.db].vendor in ("postgresql", "sqlite"):
        return queryset.filter(_full_text_q(queryset, q, names, actor_fields))
    matching = model._default_manager.filter(
        text_match_q(pattern, *text_fields) | _any_q({f"{field}__in": names} for field in actor_fields)
    )
    return queryset.filter(pk__in=matching.values("pk"))


# Text is matched by full-text search (migrations 0002 and 0006): on PostgreSQL over
# ``search_document``, a stored generated column with a GIN index on each table, on SQLite
# over the FTS5 table ``<table>_search``. Both hold the words of the text fields in
# SEARCH_FIELDS normalised like ``normalize_name``. The query's words must appear in
# order, side by side; the last one may be the start of a word. Each model lists the
# tables whose documents find its rows, with the column that holds its id there.
FULL_TEXT: dict[type[models.Model], tuple[tuple[str, str], ...]] = {
    Claim: (("kb_claim", "id"),),
    Source: (("kb_source", "id"),),
    Relationship: (("kb_relationship", "id"),),
    Event: (("kb_event", "id"),),
    Agreement: (("kb_agreement", "id"), ("kb_provision", "agreement_id")),
    ArmsTransfer: (("kb_armstransfer", "id"),),
}


def full_text_query(q: str, vendor: str = "postgresql") -> str | None:
    """``q`` as a full-text query: to_tsquery('simple', …) syntax on PostgreSQL, FTS5 MATCH syntax on SQLite."""
    words = normalize_name(q or "").split()
    if not words:
        return None
    if vendor == "sqlite":
        return '"' + " ".join(words) + '"*'
    return " <-> ".join(f"'{word}'" for word in words) + ":*"


def _full_text_q(queryset: models.QuerySet, q: str, names, actor_fields: tuple[str, ...]) -> Q:
    """Rows whose text matches ``q`` or whose actors are named ``q``: one UNION of index lookups.

    A UNION, not an OR of conditions, so that each part uses its own index and the rows
    are read only for the (few) ids found.
    """
    model = queryset.model
    connection = connections[queryset.db]
    query = full_text_query(q, connection.vendor)
    parts, params = [], []
    for table, id_column in FULL_TEXT[model]:
        if connection.vendor == "sqlite":
            found = f"SELECT rowid FROM {table}_search WHERE {table}_search MATCH %s"
            if id_column != "id":
                found = f"SELECT {id_column} FROM {table} WHERE id IN ({found})"
        else:
            found = f"SELECT {id_column} FROM {table} WHERE search_document @@ to_tsquery('simple', %s)"
        parts.append(found)
        params.append(query)
    for name in actor_fields:
        field = model._meta.get_field(name)
        if field.many_to_many:
            links = field.remote_field.through._default_manager.filter(
                **{f"{field.m2m_reverse_field_name()}__in": names}
            )
            ids = links.values(field.m2m_field_name())
        else:
            ids = model._default_manager.filter(**{f"{name}__in": names}).values("pk")
        sql, sub_params = ids.order_by().query.sql_with_params()
        parts.append(sql)
        params.extend(sub_params)
    return Q(pk__in=RawSQL(" UNION ".join(parts), params))


def _any_q(lookups) -> Q:
    q = Q()
    for lookup in lookups:
        q |= Q(**lookup)
    return q


@dataclass(frozen=True)
class SearchHit:
    """One result of search_all: a record of some type, its title, the text that matched and its rank."""

    type: str  # actor, source, claim, relationship, event, agreement, arms-transfer
    id: int
    title: str
    slug: str  # for a relationship, its subject's
    text: str  # plain text to cut a snippet from: the title, body text or name that matched
    rank: float


SEARCH_TYPES = ("actor", "agreement", "arms-transfer", "event", "relationship", "claim", "source")


def _score(pattern: str, normalized: str, title: str, texts: list[str], names: list[str]) -> tuple[float, str]:
    """Rank of a hit and the text to take its snippet from.

    A title or name equal to the query ranks first, then titles containing it, then names
    containing it, then body text (earlier fields weigh more). The snippet shows the title
    when it matches, else the first body text that matches, else the matching name.
    """
    title_hit = bool(title) and re.search(pattern, title) is not None
    exact_name = next((name for name in names if normalize_name(name) == normalized), None)
    some_name = next((name for name in names if normalized in normalize_name(name)), None)
    text_at = next((i for i, text in enumerate(texts) if text and re.search(pattern, text)), None)
    if title and normalize_name(title) == normalized:
        rank = 100.0
    elif exact_name:
        rank = 90.0
    elif title_hit:
        rank = 80.0 if normalize_name(title).startswith(normalized) else 70.0
    elif some_name:
        rank = 60.0
    elif text_at is not None:
        rank = max(50.0 - 10 * text_at, 10.0)
    else:
        rank = 5.0
    if title_hit:
        return rank, title
    if text_at is not None:
        return rank, texts[text_at]
    return rank, exact_name or some_name or (texts[0] if texts and texts[0] else title)


def search_all(*, user: User, q: str, limit: int = 20, types: tuple[str, ...] = SEARCH_TYPES) -> list[SearchHit]:
    """Every kind of record matching ``q`` that ``user`` may see, best first, each with the text that matched.

    Titles and names that equal the query rank highest, then titles that contain it, then
    actor names matched through their aliases, then body text. At most ``limit`` hits: the
    newest ``limit`` matches of each type are ranked (read from the full-text index in id
    order, so a common word costs what is shown, not every row it occurs in).
    """
    pattern = search_pattern(q)
    if pattern is None or limit <= 0:
        return []
    normalized = normalize_name(q)
    hits: list[SearchHit] = []

    def add(kind, obj, title, slug, texts, names, ranked_title=None):
        rank, text = _score(pattern, normalized, title if ranked_title is None else ranked_title, texts, names)
        hits.append(SearchHit(kind, obj.pk, title, slug or "", text or "", rank))

    def aliases(actor) -> list[str]:
        return [alias.name for alias in actor.aliases.all()] if actor else []

    if "actor" in types:
        for actor in search_filter(queryset=Actor.objects.prefetch_related("aliases"), q=q).order_by("-pk")[:limit]:
            add("actor", actor, actor.name, actor.slug, [actor.summary], aliases(actor))
    if "agreement" in types:
        qs = visible_records(user=user, queryset=Agreement.objects.prefetch_related("parties__aliases"))
        for agreement in search_filter(queryset=qs, q=q).order_by("-pk")[:limit]:
            names = [n for party in agreement.parties.all() for n in aliases(party)]
            add("agreement", agreement, agreement.title, agreement.slug, [agreement.summary], names)
    if "arms-transfer" in types:
        qs = visible_records(
            user=user, queryset=ArmsTransfer.objects.select_related("supplier", "recipient")
        ).prefetch_related("supplier__aliases", "recipient__aliases")
        for transfer in search_filter(queryset=qs, q=q).order_by("-pk")[:limit]:
            names = aliases(transfer.supplier) + aliases(transfer.recipient)
            texts = [transfer.designation, transfer.description, transfer.reported_by]
            add("arms-transfer", transfer, str(transfer), "", texts, names)
    if "event" in types:
        qs = visible_records(user=user, queryset=Event.objects.select_related("place")).prefetch_related(
            "participants__aliases", "place__aliases"
        )
        for event in search_filter(queryset=qs, q=q).order_by("-pk")[:limit]:
            names = [n for actor in event.participants.all() for n in aliases(actor)] + aliases(event.place)
            add("event", event, event.title, event.slug, [event.summary], names)
    if "relationship" in types:
        qs = visible_records(
            user=user, queryset=Relationship.objects.select_related("subject", "object")
        ).prefetch_related("subject__aliases", "object__aliases")
        for rel in search_filter(queryset=qs, q=q).order_by("-pk")[:limit]:
            add("relationship", rel, str(rel), rel.subject.slug, [rel.note], aliases(rel.subject) + aliases(rel.object))
    if "claim" in types:
        qs = visible_claims(user=user, queryset=Claim.objects.select_related("speaker")).prefetch_related(
            "subjects__aliases", "speaker__aliases"
        )
        for claim in search_filter(queryset=qs, q=q).order_by("-pk")[:limit]:
            names = [n for actor in claim.subjects.all() for n in aliases(actor)] + aliases(claim.speaker)
            texts = [claim.quote, claim.statement, claim.attributed_to]
            add("claim", claim, str(claim), "", texts, names, ranked_title="")
    if "source" in types:
        for source in search_filter(queryset=Source.objects.all(), q=q).order_by("-pk")[:limit]:
            add("source", source, source.title, "", [source.subtitle, source.byline, source.publisher, source.text], [])
    order = {kind: i for i, kind in enumerate(SEARCH_TYPES)}
    hits.sort(key=lambda hit: (-hit.rank, order[hit.type], hit.title.casefold(), hit.id))
    return hits[:limit]
