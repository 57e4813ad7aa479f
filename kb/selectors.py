"""Reads that more than one surface needs: visibility rules and the integrity audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.choices import ClaimStatus
from kb.dates import PartialDate
from kb.ingest.normalize import clean_text, normalize_name, strip_accents
from kb.models import (
    Actor,
    Agreement,
    Alias,
    ArmsTransfer,
    Claim,
    ClaimLink,
    Event,
    Relationship,
    Source,
)
from kb.models.sources import text_sha256

EDITORS_GROUP = "Editors"
# Records that exist for analysts only when an accepted claim backs them.
BACKED_MODELS = (Relationship, Event, Agreement, ArmsTransfer)


def is_editor(user) -> bool:
    """Editors see and write everything: superusers and members of the Editors group."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_kb_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS_GROUP).exists()
        user._kb_is_editor = cached
    return cached


def visible_claims(user, queryset: models.QuerySet[Claim] | None = None) -> models.QuerySet[Claim]:
    """Claims ``user`` may see: all for editors, accepted ones for everyone else."""
    queryset = Claim.objects.all() if queryset is None else queryset
    return queryset if is_editor(user) else queryset.filter(status=ClaimStatus.ACCEPTED)


def visible_records(user, queryset: models.QuerySet) -> models.QuerySet:
    """Relationships, events, agreements and transfers ``user`` may see.

    Editors see every record; everyone else sees those backed by at least one accepted claim.
    """
    if is_editor(user) or queryset.model not in BACKED_MODELS:
        return queryset
    through = queryset.model.evidence.through
    own = f"{queryset.model._meta.model_name}_id"
    accepted = through.objects.filter(**{own: OuterRef("pk"), "claim__status": ClaimStatus.ACCEPTED})
    return queryset.filter(Exists(accepted))


# --- versions, for optimistic concurrency ------------------------------------------


def record_version(instance: models.Model) -> str:
    """A token that changes on every write to the record or to one of its parts (aliases, provisions…).

    Every service save sets ``updated_at``, and writing a part touches its record's, so the
    token is the record's identity and that timestamp, hashed. The API sends it as the ETag;
    the admin's change form carries it to refuse saving over someone else's newer change.
    """
    stamp = instance.updated_at.isoformat() if getattr(instance, "updated_at", None) else ""
    return hashlib.sha256(f"{instance._meta.label}:{instance.pk}:{stamp}".encode()).hexdigest()[:24]


def last_change(instance: models.Model) -> tuple[str, dt.datetime | None]:
    """Who last wrote ``instance`` or one of its parts, and when, from their history."""
    entries = []
    history = getattr(type(instance), "history", None)
    if history is not None:
        entries.append(history.filter(id=instance.pk).order_by("-history_date").first())
    for rel in instance._meta.related_objects:
        if rel.one_to_many and rel.on_delete is models.CASCADE and hasattr(rel.related_model, "history"):
            parts = rel.related_model.history.filter(**{rel.field.attname: instance.pk})
            entries.append(parts.order_by("-history_date").first())
    entries = [e for e in entries if e is not None]
    if not entries:
        return "someone", None
    latest = max(entries, key=lambda e: e.history_date)
    user = latest.history_user
    return (user.get_username() if user is not None else "someone"), latest.history_date


# --- integrity audit (verify_kb) --------------------------------------------------


def _partial_date_violations(model: type[models.Model]) -> Iterator[str]:
    names = getattr(model, "partial_dates", ())
    if not names:
        return
    fields = ["pk"] + [f for name in names for f in (name, f"{name}_precision")]
    for row in model.objects.values_list(*fields).iterator():
        pk = row[0]
        for i, name in enumerate(names):
            date, precision = row[1 + 2 * i], row[2 + 2 * i]
            label = f"{model.__name__} #{pk} {name}"
            if date is None and precision:
                yield f"{label}: precision {precision!r} without a date"
            elif date is not None and not precision:
                yield f"{label}: date {date} without a precision"
            elif date is not None:
                try:
                    PartialDate(date, precision)
                except ValueError as exc:
                    yield f"{label}: {exc}"


def _reference_violations(model: type[models.Model]) -> Iterator[str]:
    """Foreign keys that point at no row (possible when constraints were bypassed)."""
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        target = field.related_model
        dangling = (
            model._default_manager.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{f"{field.attname}__in": target._default_manager.values("pk")})
            .values_list("pk", field.attname)
        )
        for pk, ref in dangling:
            yield f"{model.__name__} #{pk} {field.name}: refers to missing {target.__name__} #{ref}"


def kb_violations() -> Iterator[str]:
    """Every broken anchor, reference and invariant in the knowledge base, one line each."""
    texts = dict(Source.objects.values_list("pk", "text"))
    for pk, text, sha in Source.objects.values_list("pk", "text", "sha256"):
        if sha != text_sha256(text):
            yield f"Source #{pk}: sha256 does not match its text"
        if text != clean_text(text):
            yield f"Source #{pk}: text is not in cleaned form"
    claims = Claim.objects.values_list("pk", "source_id", "quote", "start", "end", "status", "reviewed_at")
    for pk, source_id, quote, start, end, status, reviewed_at in claims.iterator():
        text = texts.get(source_id)
        if text is None:
            continue  # reported as a dangling reference
        if not quote:
            yield f"Claim #{pk}: empty quote"
        elif not (0 <= start < end <= len(text)):
            yield f"Claim #{pk}: offsets {start}..{end} outside source #{source_id} ({len(text)} characters)"
        elif text[start:end] != quote:
            found = text[start:end]
            yield f"Claim #{pk}: source #{source_id} text at {start}..{end} is {found!r}, not the quote {quote!r}"
        if status not in ClaimStatus.values:
            yield f"Claim #{pk}: unknown status {status!r}"
        elif status != ClaimStatus.PROPOSED and reviewed_at is None:
            yield f"Claim #{pk}: status {status} without a review time"
    for pk, name, normalized in Alias.objects.values_list("pk", "name", "normalized").iterator():
        if normalized != normalize_name(name):
            yield f"Alias #{pk} {name!r}: normalized form {normalized!r} should be {normalize_name(name)!r}"
    alias_keys = set(Alias.objects.values_list("actor_id", "normalized"))
    for pk, name in Actor.objects.values_list("pk", "name"):
        if (pk, normalize_name(name)) not in alias_keys:
            yield f"Actor #{pk} {name!r}: its name is not among its aliases"
    for pk in ClaimLink.objects.filter(from_claim=models.F("to_claim")).values_list("pk", flat=True):
        yield f"ClaimLink #{pk}: links a claim to itself"
    for pk in Relationship.objects.filter(subject=models.F("object")).values_list("pk", flat=True):
        yield f"Relationship #{pk}: relates an actor to itself"
    for pk in ArmsTransfer.objects.filter(quantity_low__gt=models.F("quantity_high")).values_list("pk", flat=True):
        yield f"ArmsTransfer #{pk}: low estimate above high estimate"
    from django.apps import apps

    for model in apps.get_app_config("kb").get_models():
        if model.__module__.startswith("kb.models"):
            yield from _partial_date_violations(model)
            yield from _reference_violations(model)
            for m2m in model._meta.many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    yield from _reference_violations(m2m.remote_field.through)


# --- search -----------------------------------------------------------------------
#
# Matching is done with a regular expression built from the normalised query, so the
# same rule holds on SQLite and PostgreSQL: every letter also matches its accented and
# upper-case forms, hyphens, spaces, underscores and slashes between words are
# interchangeable, and dots and apostrophes inside words are optional. Names are also
# matched through Alias.normalized, the stored lookup form of every spelling.

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


def actors_named(q: str) -> models.QuerySet:
    """Ids of actors with an alias whose normalised form contains the normalised query."""
    normalized = normalize_name(q or "")
    if not normalized:
        return Actor.objects.none().values("pk")
    return Alias.objects.filter(normalized__contains=normalized).values("actor_id")


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


def search_filter(queryset: models.QuerySet, q: str) -> models.QuerySet:
    """``queryset`` narrowed to rows matching ``q`` (alias-, case-, accent- and hyphen-insensitive)."""
    pattern = search_pattern(q)
    if pattern is None:
        return queryset.none()
    model = queryset.model
    text_fields, actor_fields = SEARCH_FIELDS[model]
    names = actors_named(q)
    if model in FULL_TEXT and connections[queryset.db].vendor in ("postgresql", "sqlite"):
        return queryset.filter(_full_text_q(queryset, q, names, actor_fields))
    matching = model._default_manager.filter(
        text_match_q(pattern, *text_fields) | _any_q({f"{field}__in": names} for field in actor_fields)
    )
    return queryset.filter(pk__in=matching.values("pk"))


# Claims' text is matched by full-text search (migration 0002): on PostgreSQL over
# ``search_document``, a stored generated column with a GIN index, on SQLite over the FTS5
# table ``kb_claim_search``. Both hold the words of the quote, statement and attribution
# normalised like ``normalize_name``. The query's words must appear in order, side by
# side; the last one may be the start of a word. Other models keep the regular expression.
FULL_TEXT = {Claim}


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
    if connection.vendor == "sqlite":
        parts = ["SELECT rowid FROM kb_claim_search WHERE kb_claim_search MATCH %s"]
    else:
        table = connection.ops.quote_name(model._meta.db_table)
        parts = [f"SELECT id FROM {table} WHERE search_document @@ to_tsquery('simple', %s)"]
    params: list = [full_text_query(q, connection.vendor)]
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


def highlight(text: str, q: str, width: int = 90) -> str:
    """An HTML snippet of ``text`` around the first match of ``q``, every match wrapped in <mark>.

    Everything else is escaped; a text without a match gives its escaped opening.
    """
    text = text or ""
    pattern = search_pattern(q)
    first = re.search(pattern, text) if pattern else None
    if first is None:
        cut = text[: 2 * width]
        return mark_safe(escape(cut) + ("…" if len(text) > len(cut) else ""))
    lo = max(0, first.start() - width)
    hi = min(len(text), first.end() + width)
    if lo > 0:
        space = text.find(" ", lo, first.start())
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", first.end(), hi)
        hi = space if space != -1 else hi
    window = text[lo:hi]
    parts, at = [], 0
    for match in re.finditer(pattern, window):
        parts.append(escape(window[at : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        at = match.end()
    parts.append(escape(window[at:]))
    return mark_safe(("…" if lo > 0 else "") + "".join(parts) + ("…" if hi < len(text) else ""))


@dataclass(frozen=True)
class SearchHit:
    """One result of search_all: a record of some type, its title, a highlighted snippet and its rank."""

    type: str  # actor, source, claim, relationship, event, agreement, arms-transfer
    id: int
    title: str
    slug: str
    snippet: str  # HTML: escaped text with <mark> around each hit
    rank: float

    def get_absolute_url(self) -> str:
        """The record's page in the analyst UI."""
        if self.type == "relationship":
            return reverse("kb:actor-detail", kwargs={"slug": self.slug})
        name = {"arms-transfer": "transfer"}.get(self.type, self.type)
        if self.slug:
            return reverse(f"kb:{name}-detail", kwargs={"slug": self.slug})
        return reverse(f"kb:{name}-detail", kwargs={"pk": self.id})


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


def search_all(q: str, user, limit: int = 20, types: tuple[str, ...] = SEARCH_TYPES) -> list[SearchHit]:
    """Every kind of record matching ``q`` that ``user`` may see, best first, with highlighted snippets.

    Titles and names that equal the query rank highest, then titles that contain it, then
    actor names matched through their aliases, then body text. At most ``limit`` hits.
    """
    pattern = search_pattern(q)
    if pattern is None or limit <= 0:
        return []
    normalized = normalize_name(q)
    hits: list[SearchHit] = []

    def add(kind, obj, title, slug, texts, names, ranked_title=None):
        rank, text = _score(pattern, normalized, title if ranked_title is None else ranked_title, texts, names)
        hits.append(SearchHit(kind, obj.pk, title, slug or "", highlight(text, q), rank))

    def aliases(actor) -> list[str]:
        return [alias.name for alias in actor.aliases.all()] if actor else []

    if "actor" in types:
        for actor in search_filter(Actor.objects.prefetch_related("aliases"), q)[:limit]:
            add("actor", actor, actor.name, actor.slug, [actor.summary], aliases(actor))
    if "agreement" in types:
        qs = visible_records(user, Agreement.objects.prefetch_related("parties__aliases"))
        for agreement in search_filter(qs, q)[:limit]:
            names = [n for party in agreement.parties.all() for n in aliases(party)]
            add("agreement", agreement, agreement.title, agreement.slug, [agreement.summary], names)
    if "arms-transfer" in types:
        qs = visible_records(user, ArmsTransfer.objects.select_related("supplier", "recipient")).prefetch_related(
            "supplier__aliases", "recipient__aliases"
        )
        for transfer in search_filter(qs, q)[:limit]:
            names = aliases(transfer.supplier) + aliases(transfer.recipient)
            texts = [transfer.designation, transfer.description, transfer.reported_by]
            add("arms-transfer", transfer, str(transfer), "", texts, names)
    if "event" in types:
        qs = visible_records(user, Event.objects.select_related("place")).prefetch_related(
            "participants__aliases", "place__aliases"
        )
        for event in search_filter(qs, q)[:limit]:
            names = [n for actor in event.participants.all() for n in aliases(actor)] + aliases(event.place)
            add("event", event, event.title, event.slug, [event.summary], names)
    if "relationship" in types:
        qs = visible_records(user, Relationship.objects.select_related("subject", "object")).prefetch_related(
            "subject__aliases", "object__aliases"
        )
        for rel in search_filter(qs, q)[:limit]:
            add("relationship", rel, str(rel), rel.subject.slug, [rel.note], aliases(rel.subject) + aliases(rel.object))
    if "claim" in types:
        qs = visible_claims(user, Claim.objects.select_related("speaker")).prefetch_related(
            "subjects__aliases", "speaker__aliases"
        )
        for claim in search_filter(qs, q)[:limit]:
            names = [n for actor in claim.subjects.all() for n in aliases(actor)] + aliases(claim.speaker)
            texts = [claim.quote, claim.statement, claim.attributed_to]
            add("claim", claim, str(claim), "", texts, names, ranked_title="")
    if "source" in types:
        for source in search_filter(Source.objects.all(), q)[:limit]:
            add("source", source, source.title, "", [source.subtitle, source.byline, source.publisher, source.text], [])
    order = {kind: i for i, kind in enumerate(SEARCH_TYPES)}
    hits.sort(key=lambda hit: (-hit.rank, order[hit.type], hit.title.casefold(), hit.id))
    return hits[:limit]
