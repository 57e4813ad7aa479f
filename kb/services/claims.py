"""Writes to claims: anchoring quotes in their source, review, links between claims, and proposing many at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kb.choices import ClaimStatus, Credibility, Modality
from kb.ingest.anchor import AnchorError, check_anchor, find_anchor
from kb.models import Actor, Claim, ClaimLink, Source
from kb.services.base import (
    UNSET,
    DateInput,
    Unset,
    User,
    expand_partial_dates,
    given,
    history_reason,
    history_user,
    record_create,
    record_delete,
    record_update,
    refuses_unknown_fields,
    split_m2m,
)
from kb.services.sources import source_publish


def _publish_source(claim: Claim, *, user: User) -> None:
    """An accepted claim's source is public: the first accepted claim of a source publishes it.

    The claim's source as loaded with it, else one look-up of the source while still private.
    """
    if Claim._meta.get_field("source").is_cached(claim):
        source = claim.source
        if source.published_at is not None:
            return
    else:
        source = Source.objects.filter(pk=claim.source_id, published_at__isnull=True).first()
        if source is None:
            return
    source_publish(source, user=user, reason=f"claim #{claim.pk} of it was accepted")


def _anchor(source: Source, quote: str, start: int | None, end: int | None, occurrence: int | None):
    """The anchor for a claim: checked when offsets are given, found in the text otherwise."""
    try:
        if start is not None or end is not None:
            if start is None or end is None:
                raise AnchorError("Give both start and end, or neither.", field="start" if start is None else "end")
            check_anchor(source.text, quote, start, end)
            return start, end, quote
        anchor = find_anchor(source.text, quote, occurrence)
        return anchor.start, anchor.end, anchor.quote
    except AnchorError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc


def _review(user: User, status: str, note: str) -> dict[str, Any]:
    """The fields a review sets: status, note, and the reviewer and time (cleared when sent back to proposed)."""
    if status not in ClaimStatus.values:
        raise ValidationError(
            {"status": [f"Unknown status {status!r}; expected one of {', '.join(ClaimStatus.values)}."]}
        )
    reviewed = status != ClaimStatus.PROPOSED
    return {
        "status": status,
        "review_note": note,
        "reviewed_by": history_user(user) if reviewed else None,
        "reviewed_at": timezone.now() if reviewed else None,
    }


@refuses_unknown_fields(Claim)
@transaction.atomic
def claim_create(
    *,
    user: User,
    source: Source,
    quote: str,
    start: int | None = None,
    end: int | None = None,
    occurrence: int | None = None,
    status: str = ClaimStatus.PROPOSED,
    statement: str = "",
    modality: str = Modality.FACT,
    attributed_to: str = "",
    speaker: Actor | None = None,
    subjects: Iterable[Actor] = (),
    about_on: DateInput = None,
    about_on_precision: str = "",
    credibility: int = Credibility.CANNOT_BE_JUDGED,
    review_note: str = "",
    reason: str = "",
) -> Claim:
    """Create a claim anchored in ``source``; offsets are found from the quote when not given.

    A claim created with a status other than proposed is reviewed by ``user`` now.
    """
    start, end, quote = _anchor(source, quote, start, end, occurrence)
    duplicate = Claim.objects.filter(source=source, start=start, end=end).first()
    if duplicate:
        raise ValidationError({"quote": [f"Claim #{duplicate.pk} already anchors this quote at {start}..{end}."]})
    reviewed = status != ClaimStatus.PROPOSED
    claim = record_create(
        Claim,
        user=user,
        reason=reason,
        source=source,
        quote=quote,
        start=start,
        end=end,
        status=status,
        statement=statement,
        modality=modality,
        attributed_to=attributed_to,
        speaker=speaker,
        subjects=subjects,
        about_on=about_on,
        about_on_precision=about_on_precision,
        credibility=credibility,
        review_note=review_note,
        reviewed_by=history_user(user) if reviewed else None,
        reviewed_at=timezone.now() if reviewed else None,
        created_by=history_user(user),
    )
    if claim.status == ClaimStatus.ACCEPTED:
        _publish_source(claim, user=user)
    return claim


@refuses_unknown_fields(Claim)
@transaction.atomic
def claim_update(
    claim: Claim,
    *,
    user: User,
    source: Source | Unset = UNSET,
    quote: str | Unset = UNSET,
    start: int | Unset | None = UNSET,
    end: int | Unset | None = UNSET,
    occurrence: int | None = None,
    status: str | Unset = UNSET,
    statement: str | Unset = UNSET,
    modality: str | Unset = UNSET,
    attributed_to: str | Unset = UNSET,
    speaker: Actor | Unset | None = UNSET,
    subjects: Iterable[Actor] | Unset = UNSET,
    about_on: DateInput | Unset = UNSET,
    about_on_precision: str | Unset = UNSET,
    credibility: int | Unset = UNSET,
    review_note: str | Unset = UNSET,
    reason: str = "",
) -> Claim:
    """Change a claim; a new quote, source or offsets is anchored again before anything is saved.

    A new ``status`` is a review (see ``claim_review``), with ``review_note`` as its note.
    """
    fields = given(
        source=source,
        quote=quote,
        start=start,
        end=end,
        statement=statement,
        modality=modality,
        attributed_to=attributed_to,
        speaker=speaker,
        subjects=subjects,
        about_on=about_on,
        about_on_precision=about_on_precision,
        credibility=credibility,
    )
    # A value ingest suggested is the editor's own once they change it.
    edited = [name for name in claim.suggested if name in fields and fields[name] != getattr(claim, name)]
    if edited:
        fields["suggested"] = [name for name in claim.suggested if name not in edited]
    if {"quote", "start", "end", "source"} & fields.keys() or occurrence is not None:
        anchored_in = fields.get("source", claim.source)
        offsets_given = "start" in fields or "end" in fields
        fields["start"], fields["end"], fields["quote"] = _anchor(
            anchored_in,
            fields.get("quote", claim.quote),
            fields.get("start", claim.start) if offsets_given else None,
            fields.get("end", claim.end) if offsets_given else None,
            occurrence,
        )
        clash = Claim.objects.filter(source=anchored_in, start=fields["start"], end=fields["end"]).exclude(pk=claim.pk)
        if clash.exists():
            raise ValidationError({"quote": [f"Claim #{clash.first().pk} already anchors this quote."]})
    if status is not UNSET and status != claim.status:
        note = "" if review_note is UNSET else review_note
        review = _review(user, status, note)
        claim = record_update(claim, user=user, reason=reason or f"review: {status}", **review, **fields)
    else:
        kept = given(status=status, review_note=review_note)
        claim = record_update(claim, user=user, reason=reason, **kept, **fields)
    if claim.status == ClaimStatus.ACCEPTED:  # newly accepted, or moved to another source
        _publish_source(claim, user=user)
    return claim


@transaction.atomic
def claim_review(claim: Claim, *, user: User, status: str, note: str = "", reason: str = "") -> Claim:
    """Accept, reject, dispute or send back a claim, recording reviewer, time and note.

    Accepting a claim of a source that waits for review publishes the source; sending the
    claim back later does not hide it again (``source_unpublish`` does, once no claim of it
    is accepted).
    """
    claim = record_update(claim, user=user, reason=reason or f"review: {status}", **_review(user, status, note))
    if claim.status == ClaimStatus.ACCEPTED:
        _publish_source(claim, user=user)
    return claim


@transaction.atomic
def claims_review(*, user: User, claims: Iterable[Claim], status: str, note: str = "", reason: str = "") -> list[Claim]:
    """Review many claims alike (see ``claim_review``): all of them, or none when one is refused."""
    return [claim_review(claim, user=user, status=status, note=note, reason=reason) for claim in claims]


@transaction.atomic
def claim_delete(claim: Claim, *, user: User, reason: str = "") -> None:
    record_delete(claim, user=user, reason=reason)


@transaction.atomic
def claim_link(
    *, user: User, from_claim: Claim, to_claim: Claim, kind: str, note: str = "", reason: str = ""
) -> ClaimLink:
    """Link two claims (supports, contradicts, updates, duplicates); the same link twice is refused."""
    if ClaimLink.objects.filter(from_claim=from_claim, to_claim=to_claim, kind=kind).exists():
        raise ValidationError({"to_claim": [f"Claim #{from_claim.pk} already {kind} claim #{to_claim.pk}."]})
    return record_create(
        ClaimLink, user=user, reason=reason, from_claim=from_claim, to_claim=to_claim, kind=kind, note=note
    )


@transaction.atomic
def claim_unlink(link: ClaimLink, *, user: User, reason: str = "") -> None:
    record_delete(link, user=user, reason=reason)


@transaction.atomic
def claims_propose(
    *,
    user: User,
    source: Source,
    claims: list[dict[str, Any]],
    reason: str = "",
    status: str = ClaimStatus.PROPOSED,
) -> list[Claim]:
    """Create many proposed claims on one source in a handful of queries, with their subjects and history.

    ``status`` accepted makes them accepted on creation, reviewed by ``user`` now (an import
    whose editor vouches for the file); proposed (the default) leaves them for review.

    Each claim is anchored and validated as ``claim_create`` does (offsets checked against
    the text, fields and partial dates cleaned, an anchor taken twice refused); the
    database keeps the constraints. Ingest uses it: one article proposes dozens of claims.
    """
    if status not in (ClaimStatus.PROPOSED, ClaimStatus.ACCEPTED):
        raise ValidationError({"status": [f"Claims are created proposed or accepted, not {status!r}."]})
    review = _review(user, status, "") if status != ClaimStatus.PROPOSED else {"status": ClaimStatus.PROPOSED}
    taken = set(Claim.objects.filter(source=source).values_list("start", "end"))
    instances, subject_lists = [], []
    for given_claim in claims:
        fields = dict(given_claim)
        subject_lists.append(list(fields.pop("subjects", [])))
        quote, start, end = fields.pop("quote", ""), fields.pop("start", None), fields.pop("end", None)
        plain, _m2m = split_m2m(Claim, expand_partial_dates(Claim, fields))
        start, end, quote = _anchor(source, quote, start, end, None)
        if (start, end) in taken:
            raise ValidationError({"quote": [f"A claim already anchors “{quote[:60]}” at {start}..{end}."]})
        taken.add((start, end))
        claim = Claim(
            source=source,
            quote=quote,
            start=start,
            end=end,
            created_by=history_user(user),
            **plain,
            **review,
        )
        # The related rows were handed in as instances, so they are not looked up again.
        excluded = ["source", "speaker", "created_by", "reviewed_by"]
        claim.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
        instances.append(claim)
    try:
        with transaction.atomic():
            created = Claim.objects.bulk_create(instances)
            through = Claim.subjects.through
            rows = through.objects.bulk_create(
                [
                    through(claim=claim, actor=actor)
                    for claim, subjects in zip(created, subject_lists, strict=True)
                    for actor in dict.fromkeys(subjects)
                ]
            )
            history = Claim.history.bulk_history_create(
                created, default_user=history_user(user), default_change_reason=history_reason(reason) or None
            )
            subjects_history = apps.get_model(Claim._meta.app_label, f"{Claim.history.model.__name__}_subjects")
            by_claim = {entry.id: entry for entry in history}
            subjects_history.objects.bulk_create(
                [
                    subjects_history(history=by_claim[row.claim_id], id=row.pk, claim=row.claim, actor_id=row.actor_id)
                    for row in rows
                ]
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": [f"The database refused the claims: {exc}"]}) from exc
    if created and status == ClaimStatus.ACCEPTED:
        _publish_source(created[0], user=user)
    return created
