"""Flat exports declared once per model (columns, and what reading them needs), and the CSV writer they stream through.

The API's ``?format=csv`` on every list and the transfer register's CSV on the web both
name an export here; other flat formats can read the same declarations.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db import models
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import StreamingHttpResponse

from kb.choices import TransferCategory, TransferStatus
from kb.links import record_path
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors import party_links, visible_evidence
from kb.selectors.visibility import claim_visibility_q

CHUNK = 500


@dataclass(frozen=True)
class Column:
    """One column: its header and how a row's value is read.

    ``value`` is a callable of the record, or an attribute path ("supplier.name"); by
    default the attribute named like the header. A ``links`` column holds a site path, or
    several, written as absolute URLs separated by spaces.
    """

    header: str
    value: Callable[[Any], object] | str | None = None
    links: bool = False

    def read(self, obj: models.Model, absolute: Callable[[str], str]) -> object:
        value = self.value or self.header
        found = attrgetter(value)(obj) if isinstance(value, str) else value(obj)
        if not self.links:
            return found
        return absolute(found) if isinstance(found, str) else " ".join(absolute(path) for path in found)


@dataclass(frozen=True)
class Export:
    """The columns of one export of ``model``, and the related rows they read.

    ``prefetch`` holds lookups, or callables of the user that return one (evidence is
    limited to the claims the user may see); ``only``, when given, are the fields read.
    """

    model: type[models.Model]
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    prefetch: tuple[str | Callable[[Any], Prefetch], ...] = ()
    only: tuple[str, ...] = ()
    # Values computed in the query itself (a callable of the user giving annotate()'s keywords):
    # an export that needs no prefetch streams every row from one query.
    annotations: Callable[[Any], dict[str, Any]] | None = None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def queryset(self, queryset: QuerySet, *, user) -> QuerySet:
        """``queryset`` (filtered, visible to ``user``) fetching what the columns read, and no other relation."""
        queryset = queryset.select_related(None).prefetch_related(None)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.only:
            queryset = queryset.only(*self.only)
        if self.annotations:
            queryset = queryset.annotate(**self.annotations(user))
        return queryset.prefetch_related(*(p(user) if callable(p) else p for p in self.prefetch))

    def row(self, obj: models.Model, absolute: Callable[[str], str]) -> list[object]:
        return [column.read(obj, absolute) for column in self.columns]


def names(items: Iterable) -> str:
    """Related records spelled out, separated by "; "."""
    return "; ".join(str(item) for item in items)


def _evidence_with_sources(user) -> Prefetch:
    """The claims behind a transfer that ``user`` may see, oldest source first, with their sources' names."""
    claims = (
        Claim.objects.select_related("source")
        .only("pk", "source__publisher", "source__title")
        .order_by("source__published_on", "source_id", "start")
    )
    return visible_evidence(user=user, claims=claims, to_attr="visible_evidence")


class _JoinedIds(models.Aggregate):
    """Ids joined by "; " in no set order (``_evidence`` sorts them): string_agg, group_concat on SQLite."""

    function = "string_agg"
    template = "%(function)s(CAST(%(expressions)s AS text), '; ')"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="group_concat", **extra)


def _evidence_ids_in_query(model: type[models.Model], user) -> Subquery:
    """Per row: the ids of the claims behind it that ``user`` may see, joined by "; ", in the row's own query."""
    through = model._meta.get_field("evidence").remote_field.through
    record = model._meta.model_name
    links = (
        through.objects.filter(claim_visibility_q(user=user, prefix="claim__"), **{record: OuterRef("pk")})
        .order_by()
        .values(record)
        .annotate(ids=_JoinedIds("claim_id"))
        .values("ids")
    )
    return Subquery(links, output_field=models.TextField())


def _evidence(record) -> str:
    """The ids the query joined (``evidence_ids``), smallest first whatever order the database gave them in."""
    if not record.evidence_ids:
        return ""
    return "; ".join(sorted(record.evidence_ids.split("; "), key=int))


def _with_evidence_ids(model: type[models.Model]) -> Callable[[Any], dict[str, Any]]:
    return lambda user: {"evidence_ids": _evidence_ids_in_query(model, user)}


def _evidence_paths(transfer: ArmsTransfer) -> list[str]:
    return [record_path("kb:claim-detail", claim.pk) for claim in transfer.visible_evidence]


def _sources(transfer: ArmsTransfer) -> str:
    return names(dict.fromkeys(f"{c.source.publisher}: {c.source.title}" for c in transfer.visible_evidence))


_CATEGORY_LABELS = dict(TransferCategory.choices)
_STATUS_LABELS = dict(TransferStatus.choices)


def _party_links(user) -> Prefetch:
    return party_links()


_TRANSFER_FIELDS = (*(f.name for f in ArmsTransfer._meta.concrete_fields), "supplier__name", "recipient__name")

EXPORTS: dict[str, Export] = {
    "actors": Export(
        Actor,
        columns=(
            Column("id", "pk"),
            Column("slug"),
            Column("name"),
            Column("kind"),
            Column("aliases", lambda a: names(a.aliases.all())),
            Column("country_code"),
            Column("start_on", "start"),
            Column("end_on", "end"),
            Column("wikidata_id"),
            Column("summary"),
        ),
        prefetch=("aliases",),
    ),
    "relationships": Export(
        Relationship,
        columns=(
            Column("id", "pk"),
            Column("subject", "subject.name"),
            Column("subject_id"),
            Column("predicate"),
            Column("object", "object.name"),
            Column("object_id"),
            Column("valid_from", "valid_from_date"),
            Column("valid_until", "valid_until_date"),
            Column("note"),
            Column("evidence", _evidence),
        ),
        select_related=("subject", "object"),
        annotations=_with_evidence_ids(Relationship),
    ),
    # ``claim_count`` is the list's own annotation (the claims each reader may see).
    "sources": Export(
        Source,
        columns=(
            Column("id", "pk"),
            Column("title"),
            Column("publisher"),
            Column("byline"),
            Column("authors", lambda x: names(x.authors.all())),
            Column("published_on", "published"),
            Column("article_url", "url"),
            Column("kind"),
            Column("reliability"),
            Column("language"),
            Column("claim_count"),
            Column("sha256"),
        ),
        prefetch=("authors",),
    ),
    "claims": Export(
        Claim,
        columns=(
            Column("id", "pk"),
            Column("source_id"),
            Column("source", "source.title"),
            Column("publisher", "source.publisher"),
            Column("published_on", "source.published"),
            Column("quote"),
            Column("start"),
            Column("end"),
            Column("statement"),
            Column("modality"),
            Column("attributed_to"),
            Column("speaker", lambda c: c.speaker.name if c.speaker else ""),
            Column("subjects", lambda c: names(c.subjects.all())),
            Column("about_on", "about"),
            Column("credibility"),
            Column("status"),
        ),
        select_related=("source", "speaker"),
        prefetch=("subjects",),
    ),
    "events": Export(
        Event,
        columns=(
            Column("id", "pk"),
            Column("slug"),
            Column("title"),
            Column("kind"),
            Column("start_on", "start"),
            Column("end_on", "end"),
            Column("place", lambda e: e.place.name if e.place else ""),
            Column("participants", lambda e: names(e.participants.all())),
            Column("summary"),
            Column("evidence", _evidence),
        ),
        select_related=("place",),
        prefetch=("participants",),
        annotations=_with_evidence_ids(Event),
    ),
    "agreements": Export(
        Agreement,
        columns=(
            Column("id", "pk"),
            Column("slug"),
            Column("title"),
            Column("kind"),
            Column("status"),
            Column("signed_on", "signed"),
            Column("signed_place", lambda a: a.signed_place.name if a.signed_place else ""),
            Column("in_force_on", "in_force"),
            Column("parties", lambda a: names(p.actor for p in a.party_links.all())),
            Column("signatories", lambda a: names(p.signatory for p in a.party_links.all() if p.signatory)),
            Column("provisions", lambda a: names(p.get_kind_display() for p in a.provisions.all())),
            Column("summary"),
            Column("evidence", _evidence),
        ),
        select_related=("signed_place",),
        prefetch=(_party_links, "provisions"),
        annotations=_with_evidence_ids(Agreement),
    ),
    # One query for every row, however many: names and evidence ids are read in it.
    "arms-transfers": Export(
        ArmsTransfer,
        columns=(
            Column("id", "pk"),
            Column("supplier", "supplier_name"),
            Column("supplier_id"),
            Column("recipient", "recipient_name"),
            Column("recipient_id"),
            Column("category"),
            Column("designation"),
            Column("description"),
            Column("quantity_low"),
            Column("quantity_high"),
            Column("quantity_unit"),
            Column("start_on", "start"),
            Column("end_on", "end"),
            Column("status"),
            Column("reported_by"),
            Column("reported_on", "reported"),
            Column("evidence", _evidence),
        ),
        only=tuple(f.name for f in ArmsTransfer._meta.concrete_fields),
        annotations=lambda user: {
            "supplier_name": F("supplier__name"),
            "recipient_name": F("recipient__name"),
            **_with_evidence_ids(ArmsTransfer)(user),
        },
    ),
    # The analyst UI's register: labels rather than codes, links to the claims and the sources that say so.
    "transfer-register": Export(
        ArmsTransfer,
        columns=(
            Column("id", "pk"),
            Column("supplier", "supplier.name"),
            Column("recipient", "recipient.name"),
            Column("category", lambda t: _CATEGORY_LABELS.get(t.category, t.category)),
            Column("designation"),
            Column("description"),
            Column("quantity_low"),
            Column("quantity_high"),
            Column("quantity_unit"),
            Column("period_start", "start"),
            Column("period_end", "end"),
            Column("status", lambda t: _STATUS_LABELS.get(t.status, t.status)),
            Column("reported_by"),
            Column("reported_on", "reported"),
            Column("evidence_claims", _evidence_paths, links=True),
            Column("evidence_sources", _sources),
            Column("url", lambda t: record_path("kb:transfer-detail", t.pk), links=True),
        ),
        select_related=("supplier", "recipient"),
        prefetch=(_evidence_with_sources,),
        only=_TRANSFER_FIELDS,
    ),
}


# --- CSV ----------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell that starts like a formula would run in a spreadsheet; make it plain text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _on_site(root: str, absolute: Callable[[str], str], path: str) -> str:
    return root + path if path.startswith("/") else absolute(path)


def csv_rows(export: Export, queryset: QuerySet, absolute: Callable[[str], str] = str) -> Iterator[str]:
    """The header line, then one line per record, read in chunks."""
    writer = csv.writer(_Echo())
    root = absolute("/")[:-1]  # the site's address, asked once: every link is a path on this site
    absolute = functools.partial(_on_site, root, absolute)
    yield writer.writerow(export.headers)
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow([_cell(value) for value in export.row(obj, absolute)])


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
