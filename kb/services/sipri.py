"""Import a SIPRI Trade Register CSV: the file becomes a dataset source, its rows claims, the deals transfers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kb.choices import ClaimStatus, SourceKind, TransferCategory, TransferStatus
from kb.dates import PartialDate
from kb.ingest import sipri
from kb.ingest.normalize import clean_text, normalize_name
from kb.models import Actor, Alias, ArmsTransfer, Claim, Source
from kb.models.sources import text_sha256
from kb.selectors.cache import data_changed
from kb.services.base import User, history_reason, history_user
from kb.services.claims import claims_propose
from kb.services.sources import source_create

PUBLISHER = "SIPRI"
REPORTED_BY = "SIPRI Arms Transfers Database"
URL = "https://armstrade.sipri.org/"
# The fields a Trade Register row sets; the kb columns of kb's own export set the others.
ROW_FIELDS = (
    "ordered_on",
    "ordered_on_precision",
    "ordered_on_estimated",
    "ordered_quantity",
    "ordered_quantity_estimated",
    "designation",
    "description",
    "quantity_low",
    "quantity_high",
    "delivered_quantity_estimated",
    "start_on",
    "start_on_precision",
    "end_on",
    "end_on_precision",
    "delivered_period_estimated",
    "comments",
)
KB_FIELDS = {
    "kb category": ("category",),
    "kb status": ("status",),
    "kb quantity unit": ("quantity_unit",),
    "kb reported by": ("reported_by",),
    "kb reported on": ("reported_on", "reported_on_precision"),
}


class SipriFileError(ValidationError):
    """A Trade Register file refused: its messages name the lines ("line 12: …")."""


@dataclass
class SipriImportResult:
    """What one import did: the dataset source (None when nothing changed), the claims made, and per transfer."""

    source: Source | None
    created: bool
    claims: list[Claim] = field(default_factory=list)
    added: list[ArmsTransfer] = field(default_factory=list)
    updated: list[ArmsTransfer] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0


def sipri_import(
    *, user: User, content: bytes, filename: str = "", status: str = ClaimStatus.PROPOSED
) -> SipriImportResult:
    """Store a Trade Register CSV as a dataset source and bring its deals into the transfer register.

    Every row is checked before anything is written; any bad row refuses the whole file with
    a ``SipriFileError`` listing the bad lines. Countries are found by any of their actors'
    names and aliases; a name no actor has, or that several actors have, is refused, never
    created. A row is the same deal as a stored transfer when supplier, recipient, designation
    (or description) and year of order agree. New deals are created and changed deals updated
    (their history saying so), each backed by a claim whose quote is its row's line in the
    stored file, ``status`` proposed or accepted; unchanged deals are left alone, and a file
    stored before (the same text) changes nothing.
    """
    text = _text(content, filename)
    try:
        register = sipri.read(text)
    except sipri.LayoutError as exc:
        raise SipriFileError(f"{filename or 'The file'}: {exc}") from exc
    if not register.rows:
        raise SipriFileError(f"{filename or 'The file'}: the header is there but no deal follows it.")
    sha256 = text_sha256(text)
    existing = Source.objects.filter(sha256=sha256).first()
    if existing is not None:
        return SipriImportResult(source=existing, created=False, unchanged=len(register.rows), rows=len(register.rows))

    actors = _actors(register)
    wanted = [_transfer(row, register, actors) for row in register.rows]
    errors = [f"line {row.line}: {message}" for row in register.rows for message in row.errors]
    if errors:
        raise SipriFileError(errors)

    stored = _stored(wanted)
    added, updated, unchanged = [], [], 0
    for row, transfer in zip(register.rows, wanted, strict=True):
        match = stored.get(_key(transfer), [])
        if not match:
            added.append((row, transfer))
            continue
        old = match.pop(0)
        names = [*ROW_FIELDS, *(name for column in register.kb_columns for name in KB_FIELDS[column])]
        if all(getattr(old, name) == getattr(transfer, name) for name in names):
            unchanged += 1
            continue
        for name in names:
            setattr(old, name, getattr(transfer, name))
        updated.append((row, old))
    result = SipriImportResult(source=None, created=False, unchanged=unchanged, rows=len(register.rows))
    if not added and not updated:
        return result
    return _write(
        user=user,
        register=register,
        text=text,
        filename=filename,
        status=status,
        added=added,
        updated=updated,
        result=result,
    )


def _text(content: bytes, filename: str) -> str:
    name = filename or "The file"
    if len(content) > settings.KB_INGEST_MAX_BYTES:
        raise SipriFileError(f"{name}: larger than {settings.KB_INGEST_MAX_BYTES} bytes (KB_INGEST_MAX_BYTES).")
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SipriFileError(f"{name}: not UTF-8 text (byte {exc.start}); save the export as UTF-8 CSV.") from exc
    text = clean_text(decoded)
    if not text:
        raise SipriFileError(f"{name}: the file is empty.")
    return text


def _actors(register: sipri.Register) -> dict[str, Actor | str]:
    """Each country name of the file → its actor, or why there is none (no actor, or several)."""
    names = {row.values[side] for row in register.rows for side in ("supplier", "recipient") if row.values.get(side)}
    forms = {name: normalize_name(name) for name in names}
    found: dict[str, set[int]] = defaultdict(set)
    for normalized, actor_id in Alias.objects.filter(normalized__in=set(forms.values())).values_list(
        "normalized", "actor_id"
    ):
        found[normalized].add(actor_id)
    by_id = Actor.objects.in_bulk({pk for ids in found.values() for pk in ids})
    out: dict[str, Actor | str] = {}
    for name, normalized in forms.items():
        ids = found.get(normalized, set())
        if len(ids) == 1:
            out[name] = by_id[next(iter(ids))]
        elif not ids:
            out[name] = f"no actor is named “{name}”; add the actor, or this spelling as an alias, first."
        else:
            listed = ", ".join(sorted(by_id[pk].name for pk in ids))
            out[name] = f"“{name}” names several actors ({listed}); make the alias unambiguous first."
    return out


def _transfer(row: sipri.Row, register: sipri.Register, actors: dict[str, Actor | str]) -> ArmsTransfer:
    """The transfer a row describes (unsaved); its problems are added to ``row.errors``."""
    values: dict[str, Any] = dict(row.values)
    transfer = ArmsTransfer()
    for side, column in (("supplier", "Supplier"), ("recipient", "Recipient")):
        actor = actors.get(values.pop(side, ""))
        if isinstance(actor, str):
            row.errors.append(f"{column}: {actor}")
        elif actor is not None:
            setattr(transfer, side, actor)
    if row.errors:
        return transfer
    for name in ("ordered_on", "start_on", "end_on"):
        _set_date(transfer, name, values.pop(name))
    for name, value in values.items():
        setattr(transfer, name, value)
    transfer.category = sipri.category_of(transfer.description)
    transfer.status = sipri.status_of(row.values)
    transfer.reported_by = REPORTED_BY
    _set_date(transfer, "reported_on", register.generated)
    kb = row.kb
    if "kb category" in kb:
        transfer.category = _choice(row, "kb category", kb["kb category"], TransferCategory)
    if "kb status" in kb:
        transfer.status = _choice(row, "kb status", kb["kb status"], TransferStatus)
    if "kb quantity unit" in kb:
        transfer.quantity_unit = kb["kb quantity unit"]
    if "kb reported by" in kb:
        transfer.reported_by = kb["kb reported by"]
    if "kb reported on" in kb:
        reported_on = kb["kb reported on"]
        try:
            _set_date(transfer, "reported_on", PartialDate.parse(reported_on) if reported_on else None)
        except ValueError as exc:
            row.errors.append(f"kb reported on: {exc}")
    try:
        # The actors were found above; the database keeps the constraints at the write.
        transfer.full_clean(exclude=["supplier", "recipient"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.errors.extend(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return transfer


def _set_date(transfer: ArmsTransfer, name: str, value: PartialDate | None) -> None:
    setattr(transfer, name, value.date if value else None)
    setattr(transfer, f"{name}_precision", value.precision if value else "")


def _choice(row: sipri.Row, column: str, value: str, choices) -> str:
    if value in choices.values:
        return value
    row.errors.append(f"{column}: {value!r} is not one of {', '.join(choices.values)}.")
    return choices.values[0]


def _key(transfer: ArmsTransfer) -> tuple:
    """What makes a row the same deal as a stored transfer."""
    what = normalize_name(transfer.designation or transfer.description)
    year = transfer.ordered_on.year if transfer.ordered_on else None
    return (transfer.supplier_id, transfer.recipient_id, what, year)


def _stored(wanted: list[ArmsTransfer]) -> dict[tuple, list[ArmsTransfer]]:
    """The stored transfers between the file's suppliers and recipients, by deal, oldest first (one query)."""
    suppliers = {t.supplier_id for t in wanted}
    recipients = {t.recipient_id for t in wanted}
    stored: dict[tuple, list[ArmsTransfer]] = defaultdict(list)
    candidates = ArmsTransfer.objects.filter(supplier_id__in=suppliers, recipient_id__in=recipients).order_by("pk")
    for transfer in candidates:
        stored[_key(transfer)].append(transfer)
    return stored


@transaction.atomic
def _write(
    *,
    user: User,
    register: sipri.Register,
    text: str,
    filename: str,
    status: str,
    added: list[tuple[sipri.Row, ArmsTransfer]],
    updated: list[tuple[sipri.Row, ArmsTransfer]],
    result: SipriImportResult,
) -> SipriImportResult:
    """The writes of one import, in one transaction, a few queries whatever the number of rows."""
    reason = history_reason(f"import_sipri {filename}".strip())
    source = source_create(
        user=user,
        title=(register.title or f"SIPRI Trade Register export {filename}".strip())[:300],
        text=text,
        publisher=PUBLISHER,
        published_on=register.generated,
        url=URL,
        kind=SourceKind.DATASET,
        reason=reason,
    )
    rows = [*added, *updated]
    claims = claims_propose(
        user=user,
        source=source,
        reason=reason,
        status=status,
        claims=[
            {
                "quote": text[row.start : row.end],
                "start": row.start,
                "end": row.end,
                "statement": _statement(transfer),
                "attributed_to": PUBLISHER,
                "subjects": [transfer.supplier, transfer.recipient],
                "about_on": transfer.ordered or transfer.start,
            }
            for row, transfer in rows
        ],
    )
    who = history_user(user)
    now = timezone.now()
    new = [transfer for _row, transfer in added]
    changed = [transfer for _row, transfer in updated]
    through = ArmsTransfer.evidence.through
    try:
        with transaction.atomic():
            created = ArmsTransfer.objects.bulk_create(new)
            for transfer in changed:
                transfer.updated_at = now
            names = ["updated_at", *ROW_FIELDS, *(n for c in register.kb_columns for n in KB_FIELDS[c])]
            ArmsTransfer.objects.bulk_update(changed, names)
            # The history of a change lists every claim behind the transfer then: those it had, and the new one.
            earlier: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for link_id, transfer_id, claim_id in through.objects.filter(armstransfer__in=changed).values_list(
                "pk", "armstransfer_id", "claim_id"
            ):
                earlier[transfer_id].append((link_id, claim_id))
            links = through.objects.bulk_create(
                [
                    through(armstransfer=transfer, claim=claim)
                    for transfer, claim in zip([*created, *changed], claims, strict=True)
                ]
            )
            history = [
                *ArmsTransfer.history.bulk_history_create(created, default_user=who, default_change_reason=reason),
                *ArmsTransfer.history.bulk_history_create(
                    changed, update=True, default_user=who, default_change_reason=reason
                ),
            ]
            evidence_history = apps.get_model("kb", f"{ArmsTransfer.history.model.__name__}_evidence")
            evidence_history.objects.bulk_create(
                [
                    evidence_history(history=entry, id=link_id, armstransfer_id=transfer.pk, claim_id=claim_id)
                    for entry, transfer, link in zip(history, [*created, *changed], links, strict=True)
                    for link_id, claim_id in sorted([*earlier.get(transfer.pk, []), (link.pk, link.claim_id)])
                ]
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": [f"The database refused the transfers: {exc}"]}) from exc
    data_changed()
    result.source, result.created, result.claims = source, True, claims
    result.added, result.updated = created, changed
    return result


def _statement(transfer: ArmsTransfer) -> str:
    what = transfer.designation or transfer.description
    ordered = f", ordered {transfer.ordered}" if transfer.ordered else ""
    return f"SIPRI records {transfer.supplier} supplying {what} to {transfer.recipient}{ordered}."[:1000]
