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

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from django.db import connections, models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from kb.dates import PartialDate
from kb.ingest.normalize import normalize_name, strip_accents
from kb.models import Actor, Agreement, Alias, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors.cache import cached
from kb.selectors.names import actors_named
from kb.selectors.visibility import User, visible_claims, visible_records, visible_sources

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
        parts.append(_full_text_sql(table, id_column, connection.vendor))
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


def _full_text_sql(table: str, id_column: str, vendor: str) -> str:
    """SQL for the ``id_column`` of the rows of ``table`` whose text matches one parameter, a full_text_query."""
    if vendor == "sqlite":
        found = f"SELECT rowid FROM {table}_search WHERE {table}_search MATCH %s"
        return found if id_column == "id" else f"SELECT {id_column} FROM {table} WHERE id IN ({found})"
    return f"SELECT {id_column} FROM {table} WHERE search_document @@ to_tsquery('simple', %s)"


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
    text: str  # plain text to cut a snippet from: the body text that matched, else the record's own
    rank: float
    date: PartialDate | None = None  # what the hit is dated by (DATE_FIELDS)
    source: Source | None = None  # a claim's source (title, byline, publisher, date), for its citation
    body: str = ""  # when ``text`` is the title or a name that matched: the record's own text, if any


SEARCH_TYPES = ("actor", "agreement", "arms-transfer", "event", "relationship", "claim", "source")

# What a hit is dated by, for the date facet and the sort by date: claims by their source's
# publication, sources by theirs, events and transfers by their start, agreements by signing.
# Actors and relationships have no such date: a date filter leaves them out.
DATE_FIELDS: dict[type[models.Model], str] = {
    Claim: "source__published_on",
    Source: "published_on",
    Event: "start_on",
    Agreement: "signed_on",
    ArmsTransfer: "start_on",
}
DATED_TYPES = ("agreement", "arms-transfer", "event", "claim", "source")


@dataclass(frozen=True)
class SearchNarrowing:
    """Facet filters on a search: a claim modality, a source (its claims), a period of dates (inclusive)."""

    modality: str = ""
    source: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def key(self) -> str:
        return f"m={self.modality}:s={self.source or ''}:d={self.start or ''}..{self.end or ''}"

    def types(self, types: tuple[str, ...]) -> tuple[str, ...]:
        """Of ``types``, those the narrowing leaves: a modality or a source keeps claims, a period dated types."""
        if self.modality or self.source:
            types = tuple(t for t in types if t == "claim")
        if self.start is not None:
            types = tuple(t for t in types if t in DATED_TYPES)
        return types

    def apply(self, queryset: models.QuerySet) -> models.QuerySet:
        """``queryset`` (of a type ``types`` keeps) narrowed."""
        if self.modality:
            queryset = queryset.filter(modality=self.modality)
        if self.source:
            queryset = queryset.filter(source_id=self.source)
        if self.start is not None:
            queryset = queryset.filter(**{f"{DATE_FIELDS[queryset.model]}__range": (self.start, self.end)})
        return queryset


NO_NARROWING = SearchNarrowing()
# Actor relations whose links have an index by (actor, record) (migration 0002): the links of
# a much-mentioned actor are read from it newest first. The others have few links per actor.
LINKS_BY_ACTOR = {(Claim, "subjects")}
# More actors than this named by one query (a fragment such as "ko", not a name) are matched
# through the alias index in each query instead of as a list of ids, which would cost more to
# send and to plan than to look up.
NAMED_ACTORS_LISTED = 200


def _score(
    pattern: str, normalized: str, title: str, texts: list[str | bool], names: list[str]
) -> tuple[float, str | None]:
    """Rank of a hit and the text to take its snippet from.

    A title or name equal to the query ranks first, then titles containing it, then names
    containing it, then body text (earlier fields weigh more). The snippet shows the title
    when it matches, else the first body text that matches, else the matching name.

    A text given as a bool was not read: True when the database found the pattern in it.
    When the snippet is to come from such a text, the text returned is None.
    """
    title_hit = bool(title) and re.search(pattern, title) is not None
    normalized_title = normalize_name(title) if title else ""
    named = [(name, normalize_name(name)) for name in names]
    exact_name = next((name for name, lookup in named if lookup == normalized), None)
    some_name = next((name for name, lookup in named if normalized in lookup), None)
    text_at = next((i for i, text in enumerate(texts) if _found(pattern, text)), None)
    if title and normalized_title == normalized:
        rank = 100.0
    elif exact_name:
        rank = 90.0
    elif title_hit:
        rank = 80.0 if normalized_title.startswith(normalized) else 70.0
    elif some_name:
        rank = 60.0
    elif text_at is not None:
        rank = max(50.0 - 10 * text_at, 10.0)
    else:
        rank = 5.0
    if title_hit:
        return rank, title
    if text_at is not None:
        return rank, None if texts[text_at] is True else texts[text_at]
    return rank, exact_name or some_name or (texts[0] if texts and texts[0] else title)


def _found(pattern: str, text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    return bool(text) and re.search(pattern, text) is not None


def _named_actors(normalized: str) -> list[int] | models.QuerySet:
    """Ids of the actors with an alias containing ``normalized``: a list when there are few, else a subquery.

    Listed, they are looked up by id in each query instead of scanning the aliases again.
    """
    found = Alias.objects.filter(normalized__contains=normalized).order_by().values_list("actor_id", flat=True)
    ids = list(found.distinct()[: NAMED_ACTORS_LISTED + 1])
    return ids if len(ids) <= NAMED_ACTORS_LISTED else found


def _sql(queryset: models.QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _newest_ids(queryset: models.QuerySet, q: str, names, limit: int) -> RawSQL | models.QuerySet | list[int]:
    """Ids among which are the newest ``limit`` rows of ``queryset`` matching ``q``; ``names`` as _named_actors.

    Each index that finds rows (the full-text index, each actor relation) gives its own newest
    ``limit`` ids, read in id order from that index with the rows' visibility checked one by
    one, so that a common word or a much-mentioned actor costs what is shown; the union of
    those few ids is left to sort.
    """
    model = queryset.model
    vendor = connections[queryset.db].vendor
    if model is Actor:
        return names
    if model not in FULL_TEXT or vendor not in ("postgresql", "sqlite"):
        return search_filter(queryset=queryset, q=q).values("pk")
    query = full_text_query(q, vendor)
    parts: list[tuple[str, tuple]] = []
    for table, id_column in FULL_TEXT[model]:
        if vendor == "sqlite" and id_column == "id":
            # The FTS5 table yields its matches newest first; EXISTS keeps the visible ones.
            index = f"{table}_search"
            visible = queryset.filter(pk=RawSQL(f"{index}.rowid", ())).order_by().values("pk")
            visible_sql, visible_params = _sql(visible)
            sql = (
                f"SELECT rowid FROM {index} WHERE {index} MATCH %s AND EXISTS ({visible_sql}) "
                f"ORDER BY rowid DESC LIMIT {int(limit)}"
            )
            parts.append((sql, (query, *visible_params)))
            continue
        if vendor == "postgresql" and id_column == "id":
            found = queryset.filter(
                RawSQL(f"{table}.search_document @@ to_tsquery('simple', %s)", (query,), output_field=BooleanField())
            )
        else:
            found = queryset.filter(pk__in=RawSQL(_full_text_sql(table, id_column, vendor), (query,)))
        parts.append(_sql(found.order_by("-pk").values("pk")[:limit]))
    if names != []:  # an empty list: no actor has such a name
        for name in SEARCH_FIELDS[model][1]:
            field = model._meta.get_field(name)
            if field.many_to_many:
                through = field.remote_field.through
                own = through._meta.get_field(field.m2m_field_name()).attname
                links = through._default_manager.filter(**{f"{field.m2m_reverse_field_name()}__in": names})
                if (model, name) in LINKS_BY_ACTOR:
                    # Read newest first from that index, each record checked for visibility (and
                    # counted once, though several of its actors be named).
                    links = links.filter(Exists(queryset.filter(pk=OuterRef(own))))
                    parts.append(_sql(links.order_by(f"-{own}").values(own).distinct()[:limit]))
                    continue
                found = queryset.filter(pk__in=links.values(own))
            else:
                # Read newest first from the actor's index, each record checked for visibility by
                # EXISTS: a visibility test with an index of its own (a claim's status) could
                # otherwise be read in id order instead, through every row.
                found = model._default_manager.filter(**{f"{name}__in": names})
                found = found.filter(Exists(queryset.filter(pk=OuterRef("pk"))))
            parts.append(_sql(found.order_by("-pk").values("pk")[:limit]))
    sql = " UNION ".join(f"SELECT * FROM ({part}) AS found_{i}" for i, (part, _) in enumerate(parts))
    return RawSQL(sql, tuple(itertools.chain.from_iterable(params for _, params in parts)))


def _named(model: type[models.Model], field_name: str, normalized: str) -> Subquery:
    """The name to rank a row by among the aliases of its ``field_name`` actors (``pk``: the actor itself).

    The first alias equal to ``normalized``, else the first containing it, in the order _score
    reads names: the actors by name, each one's aliases by name.
    """
    order = [Case(When(normalized=normalized, then=Value(0)), default=Value(1))]
    if field_name == "pk":
        aliases = Alias.objects.filter(actor=OuterRef("pk"))
    else:
        field = model._meta.get_field(field_name)
        if field.many_to_many:
            aliases = Alias.objects.filter(**{f"actor__{field.related_query_name()}": OuterRef("pk")})
            order += ["actor__name", "actor_id"]
        else:
            aliases = Alias.objects.filter(actor=OuterRef(field.attname))
    aliases = aliases.filter(normalized__contains=normalized).order_by(*order, "name")
    return Subquery(aliases.values("name")[:1])


def search_all(
    *,
    user: User,
    q: str,
    limit: int = 20,
    types: tuple[str, ...] = SEARCH_TYPES,
    narrowing: SearchNarrowing = NO_NARROWING,
    order: str = "relevance",
) -> list[SearchHit]:
    """Every kind of record matching ``q`` that ``user`` may see, best first, each with the text that matched.

    Titles and names that equal the query rank highest, then titles that contain it, then
    actor names matched through their aliases, then body text. At most ``limit`` hits: the
    newest ``limit`` matches of each type are ranked (read from each index in id order, so a
    common word costs what is shown, not every row it occurs in).

    One query finds the actors named ``q``, one per type reads its newest matches with the
    names of their actors that matched, and one reads the body text of the sources whose
    snippet comes from it: at most nine queries, whatever the size of the base.

    ``narrowing`` filters the matches (see SearchNarrowing); ``order="date"`` puts the ranked
    candidates newest first by DATE_FIELDS (undated ones last) instead of best first.
    """
    types = narrowing.types(types)
    pattern = search_pattern(q)
    if pattern is None or limit <= 0:
        return []
    normalized = normalize_name(q)
    names = _named_actors(normalized)
    hits: list[SearchHit] = []
    unread: set[int] = set()  # sources whose snippet comes from their text

    def newest(visible: models.QuerySet, read: models.QuerySet, *actor_fields: str) -> models.QuerySet:
        """The newest ``limit`` matches among ``visible``, read through ``read`` with their actors' names."""
        rows = read.filter(pk__in=_newest_ids(visible, q, names, limit)).order_by("-pk")
        if names != []:
            rows = rows.annotate(**{f"named_{f}": _named(read.model, f, normalized) for f in actor_fields})
        return rows[:limit]

    def add(kind, row, title, slug, texts, actor_fields=(), ranked_title=None, date=None, source=None):
        names_found = [n for f in actor_fields if (n := getattr(row, f"named_{f}", None))]
        rank, text = _score(pattern, normalized, title if ranked_title is None else ranked_title, texts, names_found)
        # When the title or a name matched, ``body`` is the record's own text, for a snippet
        # that is more than the title again or a bare name.
        body = (
            next((t for t in texts if isinstance(t, str) and t), "") if text is not None and text not in texts else ""
        )
        if text is None:
            unread.add(row.pk)
        hits.append(SearchHit(kind, row.pk, title, slug or "", text or "", rank, date, source, body))

    if "actor" in types:
        for actor in newest(Actor.objects.all(), Actor.objects.only("name", "slug", "summary"), "pk"):
            add("actor", actor, actor.name, actor.slug, [actor.summary], ["pk"])
    if "agreement" in types:
        visible = narrowing.apply(visible_records(user=user, queryset=Agreement.objects.all()))
        read = Agreement.objects.only("title", "slug", "summary", "signed_on", "signed_on_precision")
        for agreement in newest(visible, read, "parties"):
            texts = [agreement.summary]
            add("agreement", agreement, agreement.title, agreement.slug, texts, ["parties"], date=agreement.signed)
    if "arms-transfer" in types:
        visible = narrowing.apply(visible_records(user=user, queryset=ArmsTransfer.objects.all()))
        read = ArmsTransfer.objects.select_related("supplier", "recipient").only(
            *("designation", "category", "description", "reported_by", "supplier__name", "recipient__name"),
            *("start_on", "start_on_precision"),
        )
        for transfer in newest(visible, read, "supplier", "recipient"):
            texts = [transfer.designation, transfer.description, transfer.reported_by]
            add("arms-transfer", transfer, str(transfer), "", texts, ["supplier", "recipient"], date=transfer.start)
    if "event" in types:
        visible = narrowing.apply(visible_records(user=user, queryset=Event.objects.all()))
        read = Event.objects.only("title", "slug", "summary", "start_on", "start_on_precision")
        for event in newest(visible, read, "participants", "place"):
            add("event", event, event.title, event.slug, [event.summary], ["participants", "place"], date=event.start)
    if "relationship" in types:
        visible = visible_records(user=user, queryset=Relationship.objects.all())
        read = Relationship.objects.select_related("subject", "object").only(
            "predicate", "note", "subject__name", "subject__slug", "object__name"
        )
        for rel in newest(visible, read, "subject", "object"):
            add("relationship", rel, str(rel), rel.subject.slug, [rel.note], ["subject", "object"])
    if "claim" in types:
        visible = narrowing.apply(visible_claims(user=user))
        read = Claim.objects.select_related("source").only(
            *("quote", "statement", "attributed_to", "source__title", "source__byline", "source__publisher"),
            *("source__published_on", "source__published_on_precision"),
        )
        for claim in newest(visible, read, "subjects", "speaker"):
            texts = [claim.quote, claim.statement, claim.attributed_to]
            source = claim.source
            add(
                *("claim", claim, claim.title, "", texts, ["subjects", "speaker"]),
                ranked_title="",
                date=source.published,
                source=source,
            )
    if "source" in types:
        # A source's text (thousands of words) is searched where it lies and read only for the
        # sources shown with a snippet of it.
        read = Source.objects.only(
            "title", "subtitle", "byline", "publisher", "published_on", "published_on_precision"
        ).annotate(text_found=ExpressionWrapper(Q(text__regex=pattern), output_field=BooleanField()))
        for source in newest(narrowing.apply(visible_sources(user=user)), read):
            texts = [source.subtitle, source.byline, source.publisher, bool(source.text_found)]
            add("source", source, source.title, "", texts, date=source.published, source=source)
    kinds = {kind: i for i, kind in enumerate(SEARCH_TYPES)}
    hits.sort(key=lambda hit: (-hit.rank, kinds[hit.type], hit.title.casefold(), hit.id))
    if order == "date":
        # Newest first; a stable sort keeps the best first among hits of one date.
        hits.sort(key=lambda hit: hit.date.start if hit.date else dt.date.min, reverse=True)
    hits = hits[:limit]
    shown = {hit.id for hit in hits if hit.type == "source" and hit.id in unread}
    if not shown:
        return hits
    texts = dict(Source.objects.filter(pk__in=shown).order_by().values_list("pk", "text"))
    return [replace(hit, text=texts[hit.id]) if hit.type == "source" and hit.id in shown else hit for hit in hits]


# How far search counts the matches of each type: beyond it, a count says "more than".
COUNT_CAP = 500


@dataclass(frozen=True)
class TypeCount:
    """How many records of one type match a search, counted up to COUNT_CAP."""

    type: str
    count: int  # at most the cap
    more: bool  # True when more than ``count`` match


def search_counts(
    *, user: User, q: str, cap: int = COUNT_CAP, narrowing: SearchNarrowing = NO_NARROWING
) -> list[TypeCount]:
    """Per type, how many records matching ``q`` the ``user`` may see: exact up to ``cap``, else "more than ``cap``".

    Each index gives at most ``cap + 1`` of its newest matches (as search_all reads its
    hits), so a common word costs the cap, not every row it occurs in: when the union of
    those holds more than ``cap`` ids, more than ``cap`` records match; otherwise every index
    gave all it holds and the count is exact. Types with no match are left out. Counted once
    per version of the data, query and audience. ``narrowing`` as in search_all.
    """
    normalized = normalize_name(q or "")
    if not normalized or cap < 1:
        return []
    types = narrowing.types(SEARCH_TYPES)

    def count() -> list[TypeCount]:
        names = _named_actors(normalized)
        visible = {
            "actor": Actor.objects.all(),
            "agreement": visible_records(user=user, queryset=Agreement.objects.all()),
            "arms-transfer": visible_records(user=user, queryset=ArmsTransfer.objects.all()),
            "event": visible_records(user=user, queryset=Event.objects.all()),
            "relationship": visible_records(user=user, queryset=Relationship.objects.all()),
            "claim": visible_claims(user=user),
            "source": visible_sources(user=user),
        }
        counts = []
        for kind in types:
            queryset = visible[kind] if kind in ("actor", "relationship") else narrowing.apply(visible[kind])
            found = queryset.model._default_manager.filter(pk__in=_newest_ids(queryset, q, names, cap + 1))
            n = found.order_by()[: cap + 1].count()
            if n:
                counts.append(TypeCount(kind, min(n, cap), n > cap))
        return counts

    return cached(f"search-counts:{normalized}:{cap}:{narrowing.key}", count, user=user)


# Facets count over the newest FACET_BOUND matches of each type, so that a common word costs
# what is counted, not every row it occurs in; the page says so.
FACET_BOUND = 1000
FACET_SOURCES = 8  # the sources with most matching claims, offered as facets


@dataclass(frozen=True)
class SearchFacets:
    """How the (bounded) matches of a search spread over modalities, periods and sources."""

    modalities: list[tuple[str, int]] = dataclass_field(default_factory=list)  # (modality, count), most first
    periods: list[tuple[str, int]] = dataclass_field(default_factory=list)  # ("2024" or "2020s", count), newest first
    sources: list[tuple[Source, int]] = dataclass_field(default_factory=list)  # the FACET_SOURCES with most claims
    bounded: bool = False  # True when some type had more than FACET_BOUND matches


def period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a period written "2024" (a year) or "2020s" (a decade); None if malformed."""
    if re.fullmatch(r"[0-9]{4}", period or "") and int(period) >= 1:
        year = int(period)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if re.fullmatch(r"[0-9]{3}0s", period or "") and int(period[:4]) >= 10:
        year = int(period[:4])
        return dt.date(year, 1, 1), dt.date(year + 9, 12, 31)
    return None


def search_facets(
    *, user: User, q: str, narrowing: SearchNarrowing = NO_NARROWING, bound: int = FACET_BOUND
) -> SearchFacets:
    """Modality and source counts over the newest ``bound`` matching claims, period counts over the newest
    ``bound`` matches of each dated type, all as ``narrowing`` leaves them.

    Periods are years when the dates found span a dozen years or less, else decades. One
    query per dated type and one for the sources' titles; counted once per version of the
    data, query, narrowing and audience.
    """
    normalized = normalize_name(q or "")
    if not normalized or bound < 1:
        return SearchFacets()
    types = narrowing.types(DATED_TYPES)

    def count() -> SearchFacets:
        names = _named_actors(normalized)
        visible = {
            "agreement": visible_records(user=user, queryset=Agreement.objects.all()),
            "arms-transfer": visible_records(user=user, queryset=ArmsTransfer.objects.all()),
            "event": visible_records(user=user, queryset=Event.objects.all()),
            "claim": visible_claims(user=user),
            "source": visible_sources(user=user),
        }
        modalities: Counter[str] = Counter()
        sources: Counter[int] = Counter()
        years: Counter[int] = Counter()
        bounded = False
        for kind in types:
            queryset = narrowing.apply(visible[kind])
            model = queryset.model
            found = model._default_manager.filter(pk__in=_newest_ids(queryset, q, names, bound + 1)).order_by()
            if kind == "claim":
                rows = list(found.values_list("modality", "source_id", DATE_FIELDS[model])[: bound + 1])
                bounded |= len(rows) > bound
                for modality, source_id, date in rows[:bound]:
                    modalities[modality] += 1
                    sources[source_id] += 1
                    if date:
                        years[date.year] += 1
            else:
                dates = list(found.values_list(DATE_FIELDS[model], flat=True)[: bound + 1])
                bounded |= len(dates) > bound
                years.update(date.year for date in dates[:bound] if date)
        top = [pk for pk, _n in sources.most_common(FACET_SOURCES)]
        shown = Source.objects.only("title", "byline", "publisher", "published_on", "published_on_precision").in_bulk(
            top
        )
        if years and max(years) - min(years) > 12:
            decades: Counter[int] = Counter()
            for year, n in years.items():
                decades[year - year % 10] += n
            periods = [(f"{decade}s", n) for decade, n in sorted(decades.items(), reverse=True)]
        else:
            periods = [(str(year), n) for year, n in sorted(years.items(), reverse=True)]
        return SearchFacets(
            modalities=modalities.most_common(),
            periods=periods,
            sources=[(shown[pk], sources[pk]) for pk in top if pk in shown],
            bounded=bounded,
        )

    return cached(f"search-facets:{normalized}:{bound}:{narrowing.key}", count, user=user)
