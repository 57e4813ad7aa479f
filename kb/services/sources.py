"""Writes to sources: storing an article's text once, text edits that keep every claim anchored, and publishing."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kb.choices import ClaimStatus, SourceKind, SourceReliability
from kb.ingest.anchor import AnchorError, SpanMap, find_anchor
from kb.ingest.normalize import clean_text
from kb.models import Actor, Source
from kb.models.sources import text_sha256
from kb.services.base import (
    UNSET,
    DateInput,
    Unset,
    User,
    given,
    history_user,
    record_create,
    record_delete,
    record_update,
    refuses_unknown_fields,
)


@refuses_unknown_fields(Source)
@transaction.atomic
def source_create(
    *,
    user: User,
    title: str,
    text: str,
    publisher: str = "",
    subtitle: str = "",
    byline: str = "",
    authors: Iterable[Actor] = (),
    published_on: DateInput = None,
    published_on_precision: str = "",
    url: str = "",
    kind: str = SourceKind.NEWS,
    reliability: str = SourceReliability.F,
    language: str = "en",
    furniture_note: str = "",
    public: bool = False,
    reason: str = "",
) -> Source:
    """Store an article. Its text is cleaned; the same text twice is refused as a duplicate.

    It waits for review (only editors see it) unless ``public``: then it is published now.
    """
    text = clean_text(text or "")
    if not text:
        raise ValidationError({"text": ["The source text is empty."]})
    duplicate = Source.objects.filter(sha256=text_sha256(text)).first()
    if duplicate:
        raise ValidationError({"text": [f"This text is already stored as source #{duplicate.pk} “{duplicate}”."]})
    source = record_create(
        Source,
        user=user,
        reason=reason,
        title=title,
        text=text,
        publisher=publisher,
        subtitle=subtitle,
        byline=byline,
        authors=authors,
        published_on=published_on,
        published_on_precision=published_on_precision,
        url=url,
        kind=kind,
        reliability=reliability,
        language=language,
        furniture_note=furniture_note,
    )
    return source_publish(source, user=user) if public else source


@refuses_unknown_fields(Source)
@transaction.atomic
def source_update(
    source: Source,
    *,
    user: User,
    title: str | Unset = UNSET,
    text: str | Unset = UNSET,
    publisher: str | Unset = UNSET,
    subtitle: str | Unset = UNSET,
    byline: str | Unset = UNSET,
    authors: Iterable[Actor] | Unset = UNSET,
    published_on: DateInput | Unset = UNSET,
    published_on_precision: str | Unset = UNSET,
    url: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    reliability: str | Unset = UNSET,
    language: str | Unset = UNSET,
    furniture_note: str | Unset = UNSET,
    public: bool | Unset = UNSET,
    reason: str = "",
) -> Source:
    """Change a source. New text keeps every claim anchored or is refused, naming the claims it would break.

    A claim whose quote is no longer at its offsets follows its words through the edit,
    or, when the edit touched them, moves to the quote's only occurrence in the new text.
    ``public`` publishes the source (True) or hides it again (False; see ``source_unpublish``).
    """
    fields = given(
        title=title,
        publisher=publisher,
        subtitle=subtitle,
        byline=byline,
        authors=authors,
        published_on=published_on,
        published_on_precision=published_on_precision,
        url=url,
        kind=kind,
        reliability=reliability,
        language=language,
        furniture_note=furniture_note,
    )
    if public is not UNSET:
        source = (source_publish if public else source_unpublish)(source, user=user, reason=reason)
        if text is UNSET and not fields:
            return source
    if text is UNSET:
        return record_update(source, user=user, reason=reason, **fields)
    new_text = clean_text(text or "")
    if new_text == source.text:
        return record_update(source, user=user, reason=reason, text=new_text, **fields)
    moved, broken = [], []
    edit = SpanMap(source.text, new_text)
    for claim in source.claims.select_for_update().order_by("pk"):
        if new_text[claim.start : claim.end] == claim.quote:
            continue
        span = edit.span(claim.start, claim.end)
        if span is None:
            try:
                anchor = find_anchor(new_text, claim.quote)
            except AnchorError:
                broken.append(claim)
                continue
            span = (anchor.start, anchor.end)
        moved.append((claim, span))
    if broken:
        names = ", ".join(f"#{c.pk} {c}" for c in broken[:10])
        more = f" and {len(broken) - 10} more" if len(broken) > 10 else ""
        raise ValidationError(
            {"text": [f"The new text would break the anchors of {len(broken)} claim(s): {names}{more}."]}
        )
    source = record_update(source, user=user, reason=reason, text=new_text, **fields)
    for claim, (start, end) in moved:
        record_update(claim, user=user, start=start, end=end, reason="re-anchored")
    return source


@transaction.atomic
def source_delete(source: Source, *, user: User, reason: str = "") -> None:
    record_delete(source, user=user, reason=reason)


@transaction.atomic
def source_publish(source: Source, *, user: User, reason: str = "") -> Source:
    """Make ``source`` visible to readers who are not editors, as published by ``user`` now.

    A stored source waits for review: only editors see it until one of its claims is
    accepted (``claim_review`` and the other claim services then call this) or an editor
    publishes it. A source already public keeps its time and publisher.
    """
    current = Source.objects.select_for_update().filter(pk=source.pk).values_list("published_at", flat=True).first()
    if current is not None:
        source.published_at = current
        return source
    return record_update(
        source,
        user=user,
        reason=reason or "published",
        published_at=timezone.now(),
        published_by=history_user(user),
    )


@transaction.atomic
def source_unpublish(source: Source, *, user: User, reason: str = "") -> Source:
    """Hide ``source`` from readers who are not editors again, until it is published or a claim is accepted.

    Refused while one of its claims is accepted: an accepted claim is shown to everyone, and
    with it its source. Send those claims back for review (or reject them) first.
    """
    accepted = source.claims.filter(status=ClaimStatus.ACCEPTED).count()
    if accepted:
        raise ValidationError(
            {
                "public": [
                    f"Source #{source.pk} “{source}” cannot be hidden: {accepted} of its claims "
                    f"{'is' if accepted == 1 else 'are'} accepted. Send them back for review or reject them first."
                ]
            }
        )
    if source.published_at is None:
        return source
    return record_update(source, user=user, reason=reason or "unpublished", published_at=None, published_by=None)


def sources_publish(*, user: User, sources: Iterable[Source], reason: str = "") -> list[Source]:
    """Publish each of ``sources`` (see ``source_publish``), all in one transaction."""
    with transaction.atomic():
        return [source_publish(source, user=user, reason=reason) for source in sources]


def sources_unpublish(*, user: User, sources: Iterable[Source], reason: str = "") -> list[Source]:
    """Hide each of ``sources`` (see ``source_unpublish``): all of them, or none when one is refused."""
    with transaction.atomic():
        return [source_unpublish(source, user=user, reason=reason) for source in sources]
