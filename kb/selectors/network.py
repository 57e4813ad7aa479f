"""The links between actors, a bounded part at a time: the most linked actors, or the neighbourhood of a few.

A link is a relationship (subject to object), an arms transfer (supplier to recipient) or
an agreement (each pair of its parties) that the reader may see, between actors of the
chosen kinds. An actor's *degree* is the number of links it takes part in. The actors are
chosen by an aggregate over the link tables that hands back at most ``limit`` rows; then
only the links among the chosen actors are read, grouped so that parallel records of one
kind and value come back as one row: nothing here reads every link into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections, models
from django.db.models import Count, F, Min, Q

from kb.choices import ActorKind
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Relationship
from kb.selectors.cache import cached
from kb.selectors.visibility import User, is_editor, visible_records

LINK_TYPES = ("relationships", "transfers", "agreements")
MAX_ACTORS = 100  # the most actors one picture holds: beyond that neither a layout nor a reader copes


@dataclass(frozen=True)
class Link:
    """Every visible record of one ``kind`` from ``source`` to ``target`` (actor ids) with one ``value``.

    ``value`` is the predicate of relationships, the category of transfers and, for
    agreements, the first title in alphabetical order of the ``count`` agreements the two
    actors are parties to (``source`` is then the lower id: an agreement has no direction).
    """

    source: int
    target: int
    kind: str  # relationship, transfer, agreement
    value: str
    count: int


@dataclass
class Network:
    """The chosen actors (closest, then most linked, first), the links among them, and how many actors have links."""

    actors: list[Actor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    linked: int = 0  # actors with at least one visible link under the same filters
    unlinked: list[Actor] = field(default_factory=list)  # actors asked for that have none


def _kind_q(path: str, kinds: list[str]) -> Q:
    """Actors (reached through ``path``) of one of ``kinds``; no condition, and no join, when every kind is on."""
    return Q() if set(ActorKind.values) <= set(kinds) else Q(**{f"{path}__kind__in": kinds})


@dataclass(frozen=True)
class _Table:
    """The visible records of one type of link and the paths from them to the actors at their two ends."""

    kind: str  # relationship, transfer, agreement
    records: models.QuerySet
    a: str
    b: str
    value: str  # what tells parallel links apart: the predicate, the category, the agreement's title
    # Agreements pair each party with every other: ``b`` is another party row of the same
    # agreement. Conditions on ``b`` must go into the same ``filter()`` as this one, or
    # Django would join a second party row.
    pair: Q = field(default_factory=Q)

    def ends(self, *conditions: Q, fields: tuple[str, ...] = (), **values: F) -> models.QuerySet:
        """The records meeting ``conditions``, as ``values()`` of ``fields`` and the named expressions."""
        return self.records.filter(self.pair, *conditions).values(*fields, **values)


def _tables(*, user: User, show: list[str]) -> list[_Table]:
    tables = []
    if "relationships" in show:
        records = visible_records(user=user, queryset=Relationship.objects.all())
        tables.append(_Table("relationship", records, "subject", "object", "predicate"))
    if "transfers" in show:
        records = visible_records(user=user, queryset=ArmsTransfer.objects.all())
        tables.append(_Table("transfer", records, "supplier", "recipient", "category"))
    if "agreements" in show:
        if is_editor(user):
            parties = AgreementParty.objects.all()
        else:
            visible = visible_records(user=user, queryset=Agreement.objects.all())
            parties = AgreementParty.objects.filter(agreement__in=visible.values("pk"))
        # Each pair of parties once, the lower id first.
        pair = Q(agreement__party_links__actor_id__gt=F("actor_id"))
        tables.append(_Table("agreement", parties, "actor", "agreement__party_links__actor", "agreement__title", pair))
    return tables


def _pairs(*, user: User, kinds: list[str], show: list[str]) -> list[models.QuerySet]:
    """Querysets of ``(a, b)`` actor ids, one row per visible link between actors of ``kinds``."""
    return [
        t.ends(_kind_q(t.a, kinds), _kind_q(t.b, kinds), a=F(f"{t.a}_id"), b=F(f"{t.b}_id"))
        for t in _tables(user=user, show=show)
    ]


def _sql(querysets: list[models.QuerySet]) -> tuple[str, list]:
    """The querysets as one ``UNION ALL``, with its parameters."""
    parts, params = [], []
    for queryset in querysets:
        sql, sub_params = queryset.order_by().query.get_compiler(using=queryset.db).as_sql()
        parts.append(sql)
        params.extend(sub_params)
    return " UNION ALL ".join(parts), params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connections[Actor.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def most_linked(*, user: User, kinds: list[str], show: list[str], limit: int) -> tuple[list[tuple[int, int]], int]:
    """The ``limit`` actors with the highest degree as ``(id, degree)``, and how many actors have any link.

    One query: each link table is read once (the reader's visibility checked once per
    record), each link counted at both ends, grouped by actor; a window counts the groups
    before the ``LIMIT``. Ties go to the lower id.
    """
    pairs = _pairs(user=user, kinds=kinds, show=show)
    if not pairs or limit < 1:
        return [], 0
    union, params = _sql(pairs)
    rows = _fetch(
        f"WITH links (a, b) AS ({union}) "
        "SELECT actor, COUNT(*) AS degree, COUNT(*) OVER () AS linked "
        "FROM (SELECT a AS actor FROM links UNION ALL SELECT b FROM links) ends "
        "GROUP BY actor ORDER BY degree DESC, actor LIMIT %s",
        [*params, limit],
    )
    return [(actor, degree) for actor, degree, _ in rows], (rows[0][2] if rows else 0)


def neighbours(
    *, user: User, of: list[int], kinds: list[str], show: list[str], exclude: list[int], limit: int
) -> list[tuple[int, int]]:
    """Up to ``limit`` actors of ``kinds`` linked to any of ``of``, not in ``exclude``, as ``(id, links to of)``.

    Most linked to ``of`` first, ties to the lower id. Only the links of ``of`` are read.
    """
    if not of or limit < 1:
        return []
    branches = [
        t.ends(Q(**{f"{near}_id__in": of}), _kind_q(near, kinds), _kind_q(far, kinds), far_end=F(f"{far}_id"))
        for t in _tables(user=user, show=show)
        for near, far in ((t.a, t.b), (t.b, t.a))
    ]
    if not branches:
        return []
    union, params = _sql(branches)
    # Excluded here, not per branch: an exclude() across the agreement's pair would test every party.
    where = f"WHERE far_end NOT IN ({', '.join(['%s'] * len(exclude))})" if exclude else ""
    rows = _fetch(
        f"SELECT far_end, COUNT(*) AS n FROM ({union}) found {where} "
        "GROUP BY far_end ORDER BY n DESC, far_end LIMIT %s",
        [*params, *exclude, limit],
    )
    return [(actor, n) for actor, n in rows]


def with_links(*, user: User, actors: list[int], kinds: list[str], show: list[str]) -> set[int]:
    """Those of ``actors`` that take part in a visible link between actors of ``kinds``."""
    if not actors:
        return set()
    branches = [
        t.ends(Q(**{f"{near}_id__in": actors}), _kind_q(near, kinds), _kind_q(far, kinds), near_end=F(f"{near}_id"))
        for t in _tables(user=user, show=show)
        for near, far in ((t.a, t.b), (t.b, t.a))
    ]
    if not branches:
        return set()
    union, params = _sql(branches)
    return {actor for (actor,) in _fetch(f"SELECT DISTINCT near_end FROM ({union}) found", params)}


def links_among(*, user: User, actors: list[int], kinds: list[str], show: list[str]) -> list[Link]:
    """Every visible link between two of ``actors``: parallel records of one kind and value as one row.

    One query per type of link, grouped in the database, so its rows are bounded by the
    pairs of ``actors`` times the predicates or categories (one row per pair for agreements).
    """
    if not actors:
        return []
    links = []
    for t in _tables(user=user, show=show):
        among = Q(**{f"{t.a}_id__in": actors, f"{t.b}_id__in": actors}) & _kind_q(t.a, kinds) & _kind_q(t.b, kinds)
        # Agreements are grouped by pair only: one row says how many, and the first title.
        group = (t.value,) if t.kind != "agreement" else ()
        rows = (
            t.ends(among, fields=group, source=F(f"{t.a}_id"), target=F(f"{t.b}_id"))
            .annotate(first=Min(t.value), n=Count("pk"))
            .order_by("source", "target", "first")
        )
        links.extend(Link(r["source"], r["target"], t.kind, r["first"], r["n"]) for r in rows)
    return links


def actor_network(
    *,
    user: User,
    kinds: list[str],
    show: list[str],
    limit: int,
    around: list[int] | None = None,
    depth: int = 1,
) -> Network:
    """At most ``limit`` (up to ``MAX_ACTORS``) actors of ``kinds`` and the visible links among them.

    Links are of the types in ``show``. Without ``around``: the ``limit`` actors with the
    highest degree. With ``around`` (actor ids, at most ``limit``): those actors, then
    their neighbours most linked to them and, at ``depth`` 2, the neighbours' neighbours,
    until ``limit`` actors are chosen; closer rings are filled first. A chosen actor
    without any visible link under the filters (or not of ``kinds``) is left out and named
    in ``unlinked``. ``linked`` comes from the degrees of every actor, one aggregate cached
    per filters and audience until the data changes.
    """
    network = Network()
    around = around or []
    # The one pass over every link: shared by every picture under these filters, whatever its size.
    name = f"graph-degrees:kinds={','.join(sorted(kinds))}:show={','.join(sorted(show))}"
    top, network.linked = cached(
        name, lambda: most_linked(user=user, kinds=kinds, show=show, limit=MAX_ACTORS), user=user
    )
    if around:
        chosen, ring = list(around), list(around)
        for _ in range(depth):
            found = neighbours(user=user, of=ring, kinds=kinds, show=show, exclude=chosen, limit=limit - len(chosen))
            ring = [actor for actor, _ in found]
            chosen.extend(ring)
    else:
        chosen = [actor for actor, _ in top[:limit]]
    network.links = links_among(user=user, actors=chosen, kinds=kinds, show=show)
    ends = {link.source for link in network.links} | {link.target for link in network.links}
    # A chosen actor alone in the picture may have links to actors left out, or none at all.
    alone = [pk for pk in around if pk not in ends]
    unlinked = set(alone) - with_links(user=user, actors=alone, kinds=kinds, show=show) if alone else set()
    by_id = Actor.objects.only("name", "slug", "kind").in_bulk(chosen)
    network.actors = [by_id[pk] for pk in chosen if pk in by_id and pk not in unlinked]
    network.unlinked = [by_id[pk] for pk in around if pk in by_id and pk in unlinked]
    return network
