"""What analysts watch: the newest accepted claims (the feeds) and the changes made since a date (/changes/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q

from kb.choices import ClaimStatus
from kb.dates import PartialDate
from kb.ingest.normalize import normalize_name
from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship, Source
from kb.selectors.cache import cached
from kb.selectors.dossiers import _dossier_counts, _walk
from kb.selectors.search import _named_actors, _newest_ids
from kb.selectors.visibility import User, is_editor, visible_claims, visible_records, visible_sources
from kb.text import sentence_case, shorten


def claim_path(pk: int) -> str:
    return Claim(pk=pk).get_absolute_url()


# A feed holds this many items: feed readers poll, and keep what they have seen.
FEED_ITEMS = 50


def latest_accepted_claims(
    *, actor: Actor | None = None, source: Source | None = None, q: str | None = None, limit: int = FEED_ITEMS
) -> list[Claim]:
    """The newest accepted claims, whoever asks (a feed reader signs in as nobody), newest first.

    All of them, those about ``actor``, those quoting ``source``, or those matching the search
    ``q``. Accepted claims are read newest accepted first from their index; an actor's are
    walked in that order or gathered, whichever reads fewer rows (as the dossier does); a
    search's are its newest ``limit`` matches. Each comes with its source, speaker, subjects
    and the records it backs: every one of them is public, since an accepted claim backs it.
    """
    claims = visible_claims(user=None)
    order = ("-reviewed_at", "-pk")
    if actor is not None:
        n = cached(f"dossier:{actor.pk}", lambda: _dossier_counts(user=None, actor=actor), user=None)
        links = Claim.subjects.through.objects.filter(actor=actor)
        if _walk(count=n["claim_count"], rows=n["claim_rows"], stop=limit):
            claims = claims.filter(Exists(links.filter(claim_id=OuterRef("pk"))))
        else:
            claims = claims.filter(pk__in=links.values("claim_id"))
    if source is not None:
        claims = claims.filter(source=source)
    if q is not None:
        names = _named_actors(normalize_name(q))
        claims = Claim.objects.filter(pk__in=_newest_ids(visible_claims(user=None), q, names, limit))
        order = ("-pk",)
    rows = (
        claims.select_related("source", "speaker")
        .defer("source__text", "source__furniture_note")
        .prefetch_related("subjects", "events", "transfers__supplier", "transfers__recipient", "agreements")
        .prefetch_related("relationships__subject", "relationships__object")
        .order_by(*order)[:limit]
    )
    return list(rows)


# --- Changes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeType:
    """A kind of record whose history /changes/ lists, and how an actor is involved in one."""

    key: str
    label: str
    model: type[models.Model]
    involves: tuple[str, ...]  # lookups from the record to an actor


CHANGE_TYPES = (
    ChangeType("claim", "claim", Claim, ("subjects", "speaker")),
    ChangeType("event", "event", Event, ("participants", "place")),
    ChangeType("arms-transfer", "arms transfer", ArmsTransfer, ("supplier", "recipient")),
    ChangeType("agreement", "agreement", Agreement, ("parties",)),
    ChangeType("relationship", "relationship", Relationship, ("subject", "object")),
    ChangeType("actor", "actor", Actor, ("pk",)),
    ChangeType("source", "source", Source, ("authors",)),
)
TYPES_BY_KEY = {t.key: t for t in CHANGE_TYPES}
CHANGES_PER_PAGE = 50
# Each type's history is looked through this far back (newest first) for a page: a filter
# that matches rarely (an actor seldom named) must not walk every version ever written.
CHANGES_SCAN = 5_000
# Fields of a version that are the editors' business, and the bookkeeping every version carries.
EDITORS_ONLY = {"reviewed_by", "review_note", "created_by", "published_by"}
BOOKKEEPING = {"id", "created_at", "updated_at", "search_text", "sort_name"}
KIND = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    # For lists of claims: (label, link) of each claim taken out and put in, to link them.
    old_items: list[tuple[str, str]] = field(default_factory=list)
    new_items: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Change:
    """One saved version of a record: when, what, which fields moved, and (for editors) who and why."""

    when: dt.datetime
    type: ChangeType
    record_id: int
    title: str
    url: str  # "" once the record is deleted
    kind: str  # created, changed, deleted
    fields: list[FieldChange] = field(default_factory=list)
    user: str = ""
    reason: str = ""
    cursor: str = ""


@dataclass
class ChangeList:
    changes: list[Change]
    older: str  # the cursor of the next page ("" when none)
    scanned_out: bool  # the page stopped where a type's look-back of CHANGES_SCAN versions ended


def parse_cursor(value: str) -> tuple[dt.datetime, int, int]:
    """``before=`` as written by an earlier page: "<ISO time>_<type index>_<version id>"; ValueError if not."""
    try:
        when, rank, version = value.rsplit("_", 2)
        moment = dt.datetime.fromisoformat(when)
        rank_n, version_n = int(rank), int(version)
    except ValueError as exc:
        raise ValueError(
            f"“{value[:60]}” is not a place in the list of changes; follow the “Older changes” link instead."
        ) from exc
    if moment.tzinfo is None or not 0 <= rank_n < len(CHANGE_TYPES) or version_n < 0:
        raise ValueError(f"“{value[:60]}” is not a place in the list of changes; follow the “Older changes” link.")
    return moment, rank_n, version_n


def _before(cursor: tuple[dt.datetime, int, int] | None, rank: int) -> Q:
    """Versions of the type at ``rank`` that come after ``cursor`` in the list (newest first, then by type)."""
    if cursor is None:
        return Q()
    moment, cursor_rank, version = cursor
    if rank < cursor_rank:
        return Q(history_date__lte=moment)
    if rank == cursor_rank:
        return Q(history_date__lt=moment) | Q(history_date=moment, history_id__lt=version)
    return Q(history_date__lt=moment)


def _involving(change_type: ChangeType, actors: list[int]) -> Q:
    """Versions of records that involve any of ``actors`` now (through the record as it is, not as it was)."""
    model = change_type.model
    involved = Q()
    for lookup in change_type.involves:
        involved |= Q(**{f"{lookup}__in": actors})
    current = model._default_manager.filter(involved, pk=OuterRef("id"))
    return Q(Exists(current))


def _visible_now(change_type: ChangeType, user: User) -> Q:
    """For readers who are not editors: versions of records they may see now; of claims, accepted versions."""
    if is_editor(user):
        return Q()
    model = change_type.model
    current = model._default_manager.filter(pk=OuterRef("id"))
    if model is Claim:
        return Q(status=ClaimStatus.ACCEPTED) & Q(Exists(visible_claims(user=user, queryset=current)))
    if model is Source:
        return Q(Exists(visible_sources(user=user, queryset=current)))
    return Q(Exists(visible_records(user=user, queryset=current)))


def accepted_changes(
    *,
    user: User,
    since: dt.datetime,
    before: tuple[dt.datetime, int, int] | None = None,
    actors: list[int] = (),
    types: tuple[str, ...] = (),
    limit: int = CHANGES_PER_PAGE,
) -> ChangeList:
    """The versions saved since ``since`` that ``user`` may see, newest first, a page at a time.

    Readers who are not editors see the versions of records they may see now, and of claims
    only the accepted versions: nothing proposed or rejected. ``actor`` keeps the records
    that involve any of them (ids), ``types`` the record types named (keys of TYPES_BY_KEY). Each type's
    history is read from its index on the version's time, at most CHANGES_SCAN versions back
    from the page's start, so a page costs what it shows whatever the history holds.
    """
    chosen = [(rank, t) for rank, t in enumerate(CHANGE_TYPES) if not types or t.key in types]
    found: list[tuple[tuple, ChangeType, models.Model]] = []
    boundaries = []  # where the look-back of each type that reached CHANGES_SCAN versions stopped
    for rank, change_type in chosen:
        history = change_type.model.history.model
        window = history.objects.filter(_before(before, rank), history_date__gte=since).order_by(
            "-history_date", "-history_id"
        )
        scan = window.values("history_id")[:CHANGES_SCAN]
        rows = history.objects.filter(history_id__in=scan).filter(_visible_now(change_type, user))
        if actors:
            rows = rows.filter(_involving(change_type, actors))
        rows = list(rows.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
        if len(rows) <= limit:
            last = window.values_list("history_date", "history_id")[CHANGES_SCAN - 1 : CHANGES_SCAN]
            boundaries += [(moment, rank, version) for moment, version in last]
        found.extend(((row.history_date, rank, row.history_id), change_type, row) for row in rows)
    found.sort(key=lambda item: item[0], reverse=True)
    if boundaries:
        # Below the newest boundary some type was not looked through: those rows wait for the next page.
        cut = max(boundaries)
        found = [item for item in found if item[0] >= cut]
    page, more = found[:limit], len(found) > limit
    changes = _describe(page, user=user)
    if more:
        older = changes[-1].cursor
    elif boundaries:
        older = _cursor(cut)
    else:
        older = ""
    scanned_out = bool(boundaries) and not more
    return ChangeList(changes=changes, older=older, scanned_out=scanned_out)


def _cursor(position: tuple[dt.datetime, int, int]) -> str:
    """A place in the list of changes, as ``before=`` takes it (parse_cursor reads it back)."""
    when, rank, version = position
    return f"{when.isoformat()}_{rank}_{version}"


def _describe(page: list[tuple[tuple, ChangeType, models.Model]], *, user: User) -> list[Change]:
    """Each version on the page as a Change, with the fields that moved since the version before it."""
    editor = is_editor(user)
    previous: dict[tuple[str, int], models.Model] = {}
    for change_type in {t for _, t, _ in page}:
        history = change_type.model.history.model
        wanted = [(row.id, row.history_date) for _, t, row in page if t is change_type and row.history_type == "~"]
        if not wanted:
            continue
        earlier = history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
            "-history_date", "-history_id"
        )
        ids = [row.history_id for _, t, row in page if t is change_type]
        prev_ids = history.objects.filter(history_id__in=ids).annotate(
            prev=models.Subquery(earlier.values("history_id")[:1])
        )
        pairs = dict(prev_ids.values_list("history_id", "prev"))
        olds = history.objects.in_bulk([p for p in pairs.values() if p is not None], field_name="history_id")
        for history_id, prev in pairs.items():
            if prev is not None:
                previous[(change_type.key, history_id)] = olds[prev]
    names = _names_of(page, previous)
    urls = _urls(page)
    related = _related_changes(page, previous, user=user)
    changes = []
    for (when, rank, history_id), change_type, row in page:
        old = previous.get((change_type.key, history_id))
        fields = _fields_changed(change_type, old, row, names, editor=editor) if old is not None else []
        fields += related.get((change_type.key, history_id), [])
        changes.append(
            Change(
                when=when,
                type=change_type,
                record_id=row.id,
                title=_title(change_type, row),
                url=urls.get((change_type.key, row.id), ""),
                kind=KIND.get(row.history_type, "changed"),
                fields=fields,
                user=(row.history_user.get_username() if editor and row.history_user else ""),
                reason=(row.history_change_reason or "") if editor else "",
                cursor=_cursor((when, rank, history_id)),
            )
        )
    return changes


def _urls(page) -> dict[tuple[str, int], str]:
    """The pages of the records on the page that still exist, by their current slug: one query per type."""
    urls = {}
    for change_type in {t for _, t, _ in page}:
        model = change_type.model
        records = model._default_manager.filter(pk__in={row.id for _, t, row in page if t is change_type})
        if model is Relationship:
            records = records.select_related("subject").only("pk", "subject__slug")
        else:
            records = records.only("pk", *(["slug"] if any(f.name == "slug" for f in model._meta.fields) else []))
        for record in records:
            urls[(change_type.key, record.pk)] = record.get_absolute_url()
    return urls


def _title(change_type: ChangeType, row) -> str:
    """What the version is called, as the record's page calls it (cut at a word, with "…")."""
    model = change_type.model
    if model is Claim:
        return shorten(row.statement or row.quote, 120)
    for name in ("name", "title"):
        if getattr(row, name, ""):
            return shorten(getattr(row, name), 120)
    if model is ArmsTransfer:
        return sentence_case(row.designation or row.get_category_display())
    if model is Relationship:
        return row.get_predicate_display()
    return f"{change_type.label} {row.id}"


def _related_changes(page, previous, *, user: User) -> dict[tuple[str, int], list[FieldChange]]:
    """What each changed version added to or removed from its lists (subjects, participants, evidence…).

    Read from the history of each list, one query per list and type for the whole page; claims
    in evidence lists are named only when the reader may see them.
    """
    out: dict[tuple[str, int], list[FieldChange]] = {}
    for change_type in {t for _, t, _ in page}:
        history = change_type.model.history.model
        pairs = {
            row.history_id: previous[(change_type.key, row.history_id)].history_id
            for _, t, row in page
            if t is change_type and (change_type.key, row.history_id) in previous
        }
        if not pairs:
            continue
        for m2m in history._history_m2m_fields:
            through = history._meta.get_field(f"{history._meta.model_name}_{m2m.name}").related_model
            target = m2m.related_model
            column = target._meta.model_name
            members: dict[int, set[int]] = {}
            rows = through.objects.filter(history_id__in={*pairs, *pairs.values()}).values_list("history_id", column)
            for version, member in rows:
                members.setdefault(version, set()).add(member)
            moved = {
                version: (members.get(prev, set()), members.get(version, set())) for version, prev in pairs.items()
            }
            ids = {m for before, after in moved.values() for m in before ^ after}
            if not ids:
                continue
            if target is Claim:
                visible = visible_claims(user=user, queryset=Claim.objects.filter(pk__in=ids))
                labels = {pk: f"claim {pk}" for pk in visible.values_list("pk", flat=True)}
            else:
                labels = dict(target._default_manager.filter(pk__in=ids).values_list("pk", "name"))
            for version, (before, after) in moved.items():
                gone = _members(before - after, labels, by_id=target is Claim)
                came = _members(after - before, labels, by_id=target is Claim)
                if gone or came:
                    change = FieldChange(label=str(m2m.verbose_name), old=", ".join(gone), new=", ".join(came))
                    if target is Claim:
                        change.old_items = [
                            (f"claim {pk}", claim_path(pk)) for pk in sorted(before - after) if pk in labels
                        ]
                        change.new_items = [
                            (f"claim {pk}", claim_path(pk)) for pk in sorted(after - before) if pk in labels
                        ]
                    out.setdefault((change_type.key, version), []).append(change)
    return out


def _claim_links(ids: set[int], labels: dict[int, str]) -> list[tuple[str, str]]:
    """The claims among ``ids`` the reader may see, in id order, each with the link to its page."""
    return [(labels[pk], claim_path(pk)) for pk in sorted(ids & labels.keys())]


def _members(ids: set[int], labels: dict[int, str], *, by_id: bool) -> list[str]:
    """The labels of ``ids`` the reader may see: claims in id order, actors by name."""
    shown = ids & labels.keys()
    return [labels[m] for m in sorted(shown, key=(lambda m: m) if by_id else labels.__getitem__)]


def _names_of(page, previous) -> dict[tuple[type, int], str]:
    """Names of the actors and sources the page's versions refer to, one query per model."""
    wanted: dict[type, set[int]] = {Actor: set(), Source: set()}
    rows = [row for _, _, row in page] + list(previous.values())
    for row in rows:
        for f in row._meta.concrete_fields:
            target = getattr(f, "related_model", None)
            if target in wanted and (value := getattr(row, f.attname)) is not None:
                wanted[target].add(value)
    names = {}
    for model, ids in wanted.items():
        label = "name" if model is Actor else "title"
        for pk, name in model._default_manager.filter(pk__in=ids).values_list("pk", label):
            names[(model, pk)] = name
    return names


def _fields_changed(change_type: ChangeType, old, new, names, *, editor: bool) -> list[FieldChange]:
    model = change_type.model
    partial = set(getattr(model, "partial_dates", ()))
    skip = BOOKKEEPING | ({"reviewed_at"} if not editor else set()) | (set() if editor else EDITORS_ONLY)
    changed = []
    for f in model._meta.concrete_fields:
        name = f.name
        if name in skip or name.endswith("_precision") or name.startswith("history_"):
            continue
        if name in partial:
            before = _partial(getattr(old, name), getattr(old, f"{name}_precision", ""))
            after = _partial(getattr(new, name), getattr(new, f"{name}_precision", ""))
        elif f.is_relation:
            target = f.related_model
            before_id, after_id = getattr(old, f.attname), getattr(new, f.attname)
            before = names.get((target, before_id), "" if before_id is None else f"#{before_id}")
            after = names.get((target, after_id), "" if after_id is None else f"#{after_id}")
        elif f.choices:
            before = dict(f.flatchoices).get(getattr(old, name), getattr(old, name))
            after = dict(f.flatchoices).get(getattr(new, name), getattr(new, name))
            before, after = str(before or ""), str(after or "")
        else:
            before = "" if getattr(old, name) is None else str(getattr(old, name))
            after = "" if getattr(new, name) is None else str(getattr(new, name))
        if before != after:
            changed.append(FieldChange(label=str(f.verbose_name), old=before, new=after))
    return changed


def _partial(date, precision) -> str:
    if date is None:
        return ""
    try:
        return PartialDate(date, precision).display()
    except ValueError:
        return str(date)
