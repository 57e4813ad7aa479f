"""Flat exports declared once per model (columns, and what reading them needs), and the CSV writer they stream through.

The API's ``?format=csv`` on every list and the transfer register's CSV on the web both
name an export here; other flat formats read the same declarations (``?format=sipri``:
the transfer register in SIPRI's Trade Register layout).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any

from django.db import connection, models
from django.db.models import Max, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONArray
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework import serializers

from kb.choices import TransferCategory, TransferStatus
from kb.dates import PartialDateText
from kb.ingest import sipri
from kb.links import path_around_key
from kb.models import Actor, Agreement, ArmsTransfer, Claim, ClaimLink, Event, Relationship, Source
from kb.selectors import is_editor, party_links, visible_links
from kb.selectors.visibility import claim_visibility_q

# Rows fetched at a time (each prefetch reads as many records), and written in one chunk of the
# response: a chunk per row costs the response more than writing the row. The memory an export
# takes is that of a chunk, whatever its number of rows.
CHUNK = 500


@dataclass(frozen=True)
class Read:
    """A value computed from one value of the row: ``function`` of the value of ``lookup``."""

    lookup: str
    function: Callable[[Any], object]


@dataclass(frozen=True)
class Column:
    """One column: its header and what a row's value is read from.

    ``value`` is a lookup of the row ("supplier__name"; by default the header), an expression
    the query computes (``PartialDateText("start_on")``), a ``Read`` of a lookup, or, in an
    export that reads model instances, a callable of the record. A column that ``link``s to a
    view holds a record's key, or a list of keys, written as absolute URLs of that view
    separated by spaces.
    """

    header: str
    value: str | models.Expression | Read | Callable[[Any], object] | None = None
    link: str = ""

    @property
    def expression(self) -> models.Expression | None:
        """What the query computes for the column, if anything."""
        return self.value if hasattr(self.value, "resolve_expression") else None

    @property
    def lookup(self) -> str | None:
        """The name, in the row's query, of what the column reads (an expression is named after the header)."""
        value = self.value or self.header
        if isinstance(value, str):
            return value
        if self.expression is not None:
            return f"{self.header}_text"
        return value.lookup if isinstance(value, Read) else None

    @property
    def plain(self) -> bool:
        """Whether the column is a value of the row's query as it is."""
        return self.lookup is not None and not isinstance(self.value, Read) and not self.link

    def reader(self, getter: Callable[[str], Callable[[Any], Any]], root: str) -> Callable[[Any], object]:
        """How to read this column's value from a row, given ``getter`` of a lookup's value.

        ``root`` is the site's address, put before the paths of links.
        """
        if isinstance(self.value, Read):
            read = functools.partial(_applied, self.value.function, getter(self.lookup))
        elif self.lookup is not None:
            read = getter(self.lookup)
        else:
            read = self.value
        if not self.link:
            return read
        head, tail = path_around_key(self.link)
        return functools.partial(_urls, read, f"{root}{head}", tail)


def _applied(function: Callable[[Any], object], get: Callable[[Any], Any], row) -> object:
    return function(get(row))


def _urls(read: Callable[[Any], object], head: str, tail: str, row) -> str:
    keys = read(row)
    if isinstance(keys, list | tuple):
        return " ".join([f"{head}{key}{tail}" for key in keys])
    return f"{head}{keys}{tail}"


@dataclass(frozen=True)
class Export:
    """The columns of one export of ``model``, and what reading them needs.

    When every column reads lookups of the row (``Read`` included), the rows are values of one
    query, with no model instance built. When some column is a callable of the record, the rows
    are model instances: ``select_related`` and ``prefetch`` (lookups, or callables of the user
    that return one) fetch the related rows they read.
    """

    model: type[models.Model]
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    prefetch: tuple[str | Callable[[Any], Prefetch], ...] = ()
    # Values computed in the query itself (a callable of the user giving annotate()'s keywords),
    # read by name as lookups.
    annotations: Callable[[Any], dict[str, Any]] | None = None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @functools.cached_property
    def reads_records(self) -> bool:
        """Whether the rows are model instances (some column is a callable of the record), not values."""
        return any(callable(column.value) for column in self.columns)

    @functools.cached_property
    def expressions(self) -> dict[str, models.Expression]:
        """What the query computes for the columns, by name."""
        return {column.lookup: column.expression for column in self.columns if column.expression is not None}

    @functools.cached_property
    def lookups(self) -> tuple[str, ...]:
        """Every lookup the columns read, once each, in their order."""
        return tuple(dict.fromkeys(column.lookup for column in self.columns if column.lookup is not None))

    def queryset(self, queryset: QuerySet, *, user) -> QuerySet:
        """``queryset`` (filtered, visible to ``user``) reading what the columns read, and nothing else."""
        queryset = queryset.select_related(None).prefetch_related(None)
        if self.annotations:
            queryset = queryset.annotate(**self.annotations(user))
        queryset = queryset.annotate(**self.expressions)
        if not self.reads_records:
            return queryset.values_list(*self.lookups)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.prefetch_related(*(p(user) if callable(p) else p for p in self.prefetch))

    def rows(self, queryset: QuerySet, root: str = "") -> Iterator[list[object]]:
        """The values of each row of ``queryset`` (from ``queryset()``), one per column; links start with ``root``."""
        if self.reads_records:
            readers = [column.reader(_attribute, root) for column in self.columns]
            return ([read(record) for read in readers] for record in queryset.iterator(chunk_size=CHUNK))
        positions = {lookup: i for i, lookup in enumerate(self.lookups)}

        def getter(lookup: str) -> Callable[[tuple], Any]:
            return itemgetter(positions[lookup])

        # Columns that copy a value of the query are taken all at once (the others' places are
        # filled with the first value, then computed).
        indexes = [positions[column.lookup] if column.plain else 0 for column in self.columns]
        plain = itemgetter(*indexes) if len(indexes) > 1 else lambda values: (values[indexes[0]],)
        computed = [(i, column.reader(getter, root)) for i, column in enumerate(self.columns) if not column.plain]

        def row(values: tuple) -> list[object]:
            cells = list(plain(values))
            for i, read in computed:
                cells[i] = read(values)
            return cells

        return map(row, queryset.iterator(chunk_size=CHUNK))


def _attribute(lookup: str) -> Callable[[Any], Any]:
    return attrgetter(lookup.replace("__", "."))


def names(items: Iterable) -> str:
    """Related records spelled out, separated by "; "."""
    return "; ".join(str(item) for item in items)


def _label(choices: type[models.TextChoices], lookup: str) -> Read:
    """The label of the choice stored in ``lookup`` (the stored value when it has none)."""
    labels = dict(choices.choices)
    return Read(lookup, lambda value: labels.get(value, value))


class _JoinedIds(models.Aggregate):
    """Ids joined by "; " in no set order (``_sorted_ids`` sorts them): string_agg, group_concat on SQLite."""

    function = "string_agg"
    template = "%(function)s(CAST(%(expressions)s AS text), '; ')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra):
        # group_concat writes numbers as text itself; a CAST per id costs the export some 5 %.
        template = "%(function)s(%(expressions)s, '; ')"
        return super().as_sql(compiler, connection, function="group_concat", template=template, **extra)


class _JSONArrays(models.Aggregate):
    """The JSON arrays of a group as one JSON array (text), in no set order: json_group_array, json_agg."""

    function = "json_group_array"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, function="json_agg", **extra)
        return f"({sql})::text", params


def _evidence_in_query(model: type[models.Model], user, aggregate: models.Aggregate) -> Subquery:
    """Per row: ``aggregate`` of its links to the claims ``user`` may see, in the row's own query."""
    through = model._meta.get_field("evidence").remote_field.through
    record = model._meta.model_name
    links = (
        through.objects.filter(claim_visibility_q(user=user, prefix="claim__"), **{record: OuterRef("pk")})
        .order_by()
        .values(record)
        .annotate(aggregated=aggregate)
        .values("aggregated")
    )
    return Subquery(links, output_field=models.TextField())


def _with_evidence_ids(model: type[models.Model]) -> Callable[[Any], dict[str, Any]]:
    return lambda user: {"evidence_ids": _evidence_in_query(model, user, _JoinedIds("claim_id"))}


def _sorted_ids(joined: str | None) -> str:
    """The ids the query joined (``evidence_ids``), smallest first whatever order the database gave them in."""
    if not joined:
        return ""
    return "; ".join(sorted(joined.split("; "), key=int))


EVIDENCE_IDS = Read("evidence_ids", _sorted_ids)

# What the register reads of each visible claim behind a transfer, in one JSON array per transfer.
_CLAIM_ID, _PUBLISHED_ON, _SOURCE_ID, _START, _PUBLISHER, _TITLE = range(6)
_EVIDENCE_FIELDS = (
    "claim_id",
    "claim__source__published_on",
    "claim__source_id",
    "claim__start",
    "claim__source__publisher",
    "claim__source__title",
)


def _with_evidence_and_sources(user) -> dict[str, Any]:
    return {"evidence_rows": _evidence_in_query(ArmsTransfer, user, _JSONArrays(JSONArray(*_EVIDENCE_FIELDS)))}


@functools.cache
def _undated_rank() -> int:
    """Where the database sorts NULL among dates: after every date (PostgreSQL), or before (SQLite)."""
    return 1 if connection.features.nulls_order_largest else -1


# Two columns read the same claims; the second reads the first's answer (the same string).
@functools.lru_cache(maxsize=1)
def _claims_and_sources(rows: str | None) -> tuple[list[int], str]:
    """The claim ids of ``evidence_rows`` (oldest source first) and the names of their sources, once each.

    The order is ``visible_evidence``'s: by the sources' publication (undated ones where the
    database puts NULLs: last on PostgreSQL, first on SQLite), source, and place in it.
    """
    if not rows:
        return [], ""
    undated = _undated_rank()

    def order(claim: list) -> tuple:
        published_on = claim[_PUBLISHED_ON]
        return (
            undated if published_on is None else 0,
            published_on or "",
            claim[_SOURCE_ID],
            claim[_START],
            claim[_CLAIM_ID],
        )

    claims = sorted(json.loads(rows), key=order)
    sources = dict.fromkeys(f"{c[_PUBLISHER]}: {c[_TITLE]}" for c in claims)
    return [c[_CLAIM_ID] for c in claims], "; ".join(sources)


def _ids(items: Iterable) -> str:
    """Related records as their ids, smallest first, separated by "; "."""
    return "; ".join(str(pk) for pk in sorted(item.pk for item in items))


_TIMESTAMP = serializers.DateTimeField()


def _timestamp(value) -> str:
    """A time as the JSON writes it (ISO 8601, UTC as Z)."""
    return _TIMESTAMP.to_representation(value) if value is not None else ""


def dated(name: str, lookup: str = "") -> tuple[Column, Column]:
    """A partial date's columns: the date as written (2023, 2023-09, 2023-09-13, 2020s), then its precision."""
    lookup = lookup or name
    return Column(name, PartialDateText(lookup)), Column(f"{name}_precision", f"{lookup}_precision")


def url(view_name: str) -> Column:
    """The record's own URL in the API, as the JSON's ``url``."""
    return Column("url", "pk", link=view_name)


TIMES = (Column("created_at", Read("created_at", _timestamp)), Column("updated_at", Read("updated_at", _timestamp)))
BRIEF = Actor.objects.only("pk")


def _for_editors(lookup: str, output_field: models.Field | None = None) -> Callable[[Any], dict[str, Any]]:
    """What only editors see of a claim, as the JSON shows it: the value for editors, empty for others."""

    def annotations(user) -> dict[str, Any]:
        hidden = models.Value(None, output_field=output_field or models.TextField())
        return {f"shown_{lookup.split('__')[0]}": models.F(lookup) if is_editor(user) else hidden}

    return annotations


def _claim_annotations(user) -> dict[str, Any]:
    # Which values ingest suggested is the editors' business too (a JSON list of field names).
    return {
        **_for_editors("reviewed_by__username")(user),
        **_for_editors("review_note")(user),
        **_for_editors("suggested", models.JSONField())(user),
    }


def _claim_links(user) -> Prefetch:
    links = visible_links(user=user, queryset=ClaimLink.objects.only("from_claim", "to_claim", "kind"))
    return Prefetch("links_out", queryset=links.order_by("kind", "to_claim_id"), to_attr="shown_links")


def _party_links(user) -> Prefetch:
    return party_links()


# The API's ``?format=csv``: the columns of the JSON list, in its order, one value per cell. Related
# records are their ids ("; " between several), each partial date is followed by its precision,
# and ``url`` is the record in the API.
EXPORTS: dict[str, Export] = {
    "actors": Export(
        Actor,
        columns=(
            Column("id", "pk"),
            url("api:actor-detail"),
            Column("slug"),
            Column("name"),
            Column("kind"),
            Column("aliases", lambda a: names(a.aliases.all())),
            Column("summary"),
            Column("country_code"),
            *dated("start_on"),
            *dated("end_on"),
            Column("wikidata_id"),
            *TIMES,
        ),
        prefetch=("aliases",),
    ),
    # One query, whatever the number of rows: evidence ids are read in it.
    "relationships": Export(
        Relationship,
        columns=(
            Column("id", "pk"),
            url("api:relationship-detail"),
            Column("subject", "subject_id"),
            Column("predicate"),
            Column("object", "object_id"),
            *dated("valid_from"),
            *dated("valid_until"),
            Column("note"),
            Column("evidence", EVIDENCE_IDS),
            *TIMES,
        ),
        annotations=_with_evidence_ids(Relationship),
    ),
    # ``claim_count`` is the list's own annotation (the claims each reader may see).
    "sources": Export(
        Source,
        columns=(
            Column("id", "pk"),
            url("api:source-detail"),
            Column("title"),
            Column("subtitle"),
            Column("publisher"),
            Column("byline"),
            Column("authors", lambda x: _ids(x.authors.all())),
            *dated("published_on"),
            Column("article_url", "url"),
            Column("kind"),
            Column("reliability"),
            Column("language"),
            Column("sha256"),
            Column("claim_count"),
            Column("public", "is_public"),
            Column("published_at", Read("published_at", _timestamp)),
            *TIMES,
        ),
        prefetch=(Prefetch("authors", queryset=BRIEF),),
    ),
    "claims": Export(
        Claim,
        columns=(
            Column("id", "pk"),
            url("api:claim-detail"),
            Column("source", "source_id"),
            Column("quote"),
            Column("start"),
            Column("end"),
            Column("statement"),
            Column("modality"),
            Column("attributed_to"),
            Column("speaker", "speaker_id"),
            Column("subjects", lambda c: _ids(c.subjects.all())),
            *dated("about_on"),
            Column("credibility"),
            Column("suggested", lambda c: " ".join(c.shown_suggested or [])),
            Column("status"),
            Column("reviewed_by", "shown_reviewed_by"),
            Column("reviewed_at", Read("reviewed_at", _timestamp)),
            Column("review_note", "shown_review_note"),
            Column("links", lambda c: "; ".join(f"{link.kind} {link.to_claim_id}" for link in c.shown_links)),
            *TIMES,
        ),
        prefetch=(Prefetch("subjects", queryset=BRIEF), _claim_links),
        annotations=_claim_annotations,
    ),
    "events": Export(
        Event,
        columns=(
            Column("id", "pk"),
            url("api:event-detail"),
            Column("slug"),
            Column("title"),
            Column("kind"),
            *dated("start_on"),
            *dated("end_on"),
            Column("place", "place_id"),
            Column("participants", lambda e: _ids(e.participants.all())),
            Column("summary"),
            Column("evidence", EVIDENCE_IDS),
            *TIMES,
        ),
        prefetch=(Prefetch("participants", queryset=BRIEF),),
        annotations=_with_evidence_ids(Event),
    ),
    "agreements": Export(
        Agreement,
        columns=(
            Column("id", "pk"),
            url("api:agreement-detail"),
            Column("slug"),
            Column("title"),
            Column("kind"),
            Column("status"),
            *dated("signed_on"),
            Column("signed_place", "signed_place_id"),
            *dated("in_force_on"),
            Column("summary"),
            # The JSON's parties are pairs of actor and signatory: here the actors, then their signatories.
            Column("parties", lambda a: "; ".join(str(p.actor_id) for p in a.party_links.all())),
            Column("signatories", lambda a: "; ".join(str(p.signatory_id or "") for p in a.party_links.all())),
            Column("provisions", lambda a: "; ".join(f"{p.label}: {p.kind}" for p in a.provisions.all())),
            Column("evidence", EVIDENCE_IDS),
            *TIMES,
        ),
        prefetch=(_party_links, "provisions"),
        annotations=_with_evidence_ids(Agreement),
    ),
    # One query, whatever the number of rows: evidence ids are read in it.
    "arms-transfers": Export(
        ArmsTransfer,
        columns=(
            Column("id", "pk"),
            url("api:arms-transfer-detail"),
            Column("supplier", "supplier_id"),
            Column("recipient", "recipient_id"),
            Column("category"),
            Column("designation"),
            Column("description"),
            Column("ordered_quantity"),
            Column("ordered_quantity_estimated"),
            *dated("ordered_on"),
            Column("ordered_on_estimated"),
            Column("quantity_low"),
            Column("quantity_high"),
            Column("quantity_unit"),
            Column("delivered_quantity_estimated"),
            *dated("start_on"),
            *dated("end_on"),
            Column("delivered_period_estimated"),
            Column("comments"),
            Column("status"),
            Column("reported_by"),
            *dated("reported_on"),
            Column("evidence", EVIDENCE_IDS),
            *TIMES,
        ),
        annotations=_with_evidence_ids(ArmsTransfer),
    ),
    # SIPRI's Trade Register layout (kb.ingest.sipri writes the row): what an import reads back.
    "sipri": Export(
        ArmsTransfer,
        columns=(
            Column("recipient", "recipient__name"),
            Column("supplier", "supplier__name"),
            Column("ordered_on", PartialDateText("ordered_on")),
            Column("ordered_on_estimated"),
            Column("ordered_quantity"),
            Column("ordered_quantity_estimated"),
            Column("designation"),
            Column("description"),
            Column("quantity_low"),
            Column("quantity_high"),
            Column("delivered_quantity_estimated"),
            Column("start_on", PartialDateText("start_on")),
            Column("end_on", PartialDateText("end_on")),
            Column("delivered_period_estimated"),
            Column("comments"),
            Column("category"),
            Column("status"),
            Column("quantity_unit"),
            Column("reported_by"),
            Column("reported_on", PartialDateText("reported_on")),
        ),
    ),
    # The analyst UI's register: labels rather than codes, links to the claims and the sources that
    # say so. One query too: the claims behind each transfer, with their sources, are read in it.
    "transfer-register": Export(
        ArmsTransfer,
        columns=(
            Column("id", "pk"),
            Column("supplier", "supplier__name"),
            Column("recipient", "recipient__name"),
            Column("category", _label(TransferCategory, "category")),
            Column("designation"),
            Column("description"),
            Column("quantity_low"),
            Column("quantity_high"),
            Column("quantity_unit"),
            Column("period_start", PartialDateText("start_on")),
            Column("period_end", PartialDateText("end_on")),
            Column("status", _label(TransferStatus, "status")),
            Column("reported_by"),
            Column("reported_on", PartialDateText("reported_on")),
            Column(
                "evidence_claims",
                Read("evidence_rows", lambda rows: _claims_and_sources(rows)[0]),
                link="kb:claim-detail",
            ),
            Column("evidence_sources", Read("evidence_rows", lambda rows: _claims_and_sources(rows)[1])),
            Column("url", "pk", link="kb:transfer-detail"),
        ),
        annotations=_with_evidence_and_sources,
    ),
}


# --- CSV ----------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """``value`` as it is written; text that starts like a formula (a spreadsheet would run it) made plain."""
    if value is None or value.__class__ is int:
        return value
    text = value if value.__class__ is str else str(value)
    if text[:1] in _FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_rows(export: Export, queryset: QuerySet, absolute: Callable[[str], str] = str) -> Iterator[str]:
    """The header line, then the rows, ``CHUNK`` at a time, read as they are written.

    ``absolute`` turns a site path into a URL; it is asked once, for the site's address.
    """
    rows = export.rows(queryset, root=absolute("/")[:-1])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.headers)
    yield _taken(buffer)
    while lines := list(islice(rows, CHUNK)):
        writer.writerows(map(_cells, lines))
        yield _taken(buffer)


def _cells(values: list[object]) -> list[object]:
    """``_cell`` of each value; those it would leave as they are (most) are not passed to it."""
    return [
        value
        if value.__class__ is int or value is None or (value.__class__ is str and value[:1] not in _FORMULA_STARTS)
        else _cell(value)
        for value in values
    ]


def _taken(buffer: io.StringIO) -> str:
    """What was written to ``buffer``, which is emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def sipri_rows(queryset: QuerySet, *, user) -> Iterator[str]:
    """``queryset`` (filtered, visible to ``user``) in SIPRI's Trade Register layout: title lines, header, deals.

    The title names the first and last year of the deals written (one query, before the rows).
    """
    export = EXPORTS["sipri"]
    years = queryset.order_by().aggregate(
        ordered_first=Min("ordered_on"),
        delivered_first=Min("start_on"),
        ordered_last=Max("ordered_on"),
        delivered_last=Max(Coalesce("end_on", "start_on")),
    )
    first = min((d.year for d in (years["ordered_first"], years["delivered_first"]) if d), default=None)
    last = max((d.year for d in (years["ordered_last"], years["delivered_last"]) if d), default=None)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(sipri.title_lines(first, last, timezone.localdate()))
    writer.writerow(sipri.header())
    yield _taken(buffer)
    headers = export.headers
    values = export.rows(export.queryset(queryset, user=user))
    rows = (sipri.cells(dict(zip(headers, row, strict=True))) for row in values)
    while lines := list(islice(rows, CHUNK)):
        writer.writerows(map(_cells, lines))
        yield _taken(buffer)


def sipri_response(queryset: QuerySet, *, user, filename: str) -> StreamingHttpResponse:
    """``sipri_rows`` as a streamed CSV download named ``filename``.csv."""
    response = StreamingHttpResponse(sipri_rows(queryset, user=user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_response(
    name: str, queryset: QuerySet, *, user, filename: str, absolute: Callable[[str], str] = str
) -> StreamingHttpResponse:
    """The export ``name`` of ``queryset`` (filtered, visible to ``user``) as a streamed CSV download.

    ``absolute`` turns a site path into a URL (``request.build_absolute_uri``).
    """
    export = EXPORTS[name]
    rows = csv_rows(export, export.queryset(queryset, user=user), absolute)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
