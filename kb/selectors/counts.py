"""How kb counts: every number is a COUNT subquery, so API, web pages and admin agree and no count walks rows."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from kb.models import Actor, Agreement, ArmsTransfer, Claim, Event, Relationship
from kb.selectors.cache import cached
from kb.selectors.visibility import User, claim_visibility_q, visible_claims, visible_records


def _counted(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` reduced to one row: the number of its rows (COUNT, not aggregated, so no GROUP BY)."""
    return queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")


def count_subquery(queryset: models.QuerySet) -> Coalesce:
    """The number of rows of ``queryset`` as one scalar subquery, for ``annotate()``.

    Correlated when ``queryset`` refers to ``OuterRef("pk")``: a list page then counts for
    the rows it shows, not for every row of the table as a joined ``Count`` would.
    """
    return Coalesce(Subquery(_counted(queryset), output_field=IntegerField()), 0)


def counts(**querysets: models.QuerySet) -> dict[str, int]:
    """The number of rows of each (unsliced, non-distinct) queryset, all fetched in one query."""
    if not querysets:
        return {}
    using = next(iter(querysets.values())).db
    parts, params = [], []
    for queryset in querysets.values():
        try:
            sql, sub_params = _counted(queryset).query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # a queryset that can match nothing (.none(), an empty __in)
            parts.append("0")
            continue
        parts.append(f"({sql})")
        params.extend(sub_params)
    # One round trip for a page's totals: a SELECT of scalar subqueries, valid on SQLite and PostgreSQL.
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def visible_claim_count(*, user: User, via: str) -> Coalesce:
    """Per annotated row: the claims ``user`` may see that point at it through ``via``.

    ``via`` is the claim's side of the relation: ``source`` for sources, ``subjects`` or
    ``speaker`` for actors, ``agreements``, ``events``, ``transfers`` or ``relationships``
    for the records they back.
    """
    field = Claim._meta.get_field(via)
    if not field.many_to_many:
        return count_subquery(visible_claims(user=user).filter(**{via: OuterRef("pk")}))
    # Through a many-to-many, count the link rows: an editor's count then never reads the claims.
    m2m = field if field.concrete else field.remote_field
    claim, other = (
        (m2m.m2m_field_name(), m2m.m2m_reverse_field_name())
        if field.concrete
        else (m2m.m2m_reverse_field_name(), m2m.m2m_field_name())
    )
    links = m2m.remote_field.through._default_manager.filter(
        claim_visibility_q(user=user, prefix=f"{claim}__"), **{other: OuterRef("pk")}
    )
    return count_subquery(links)


def _actor_related(*, user: User, actor: Actor | OuterRef) -> dict[str, models.QuerySet]:
    """The claims and records ``user`` may see that name ``actor`` (an actor, or ``OuterRef("pk")``), by role.

    Each matches its list filter (``subject``, ``speaker``, ``actor``, ``party``,
    ``supplier``, ``recipient``, ``participant``).
    """

    def records(queryset: models.QuerySet) -> models.QuerySet:
        return visible_records(user=user, queryset=queryset)

    # Claims about the actor: the link rows, so that an editor's count never reads the claims.
    subjects = Claim.subjects.through.objects.filter(claim_visibility_q(user=user, prefix="claim__"), actor=actor)
    return {
        "n_claims": subjects,
        "n_statements": visible_claims(user=user).filter(speaker=actor),
        "n_relationships": records(Relationship.objects.filter(Q(subject=actor) | Q(object=actor))),
        "n_agreements": records(Agreement.objects.filter(parties=actor)),
        "n_transfers_supplied": records(ArmsTransfer.objects.filter(supplier=actor)),
        "n_transfers_received": records(ArmsTransfer.objects.filter(recipient=actor)),
        "n_events": records(Event.objects.filter(participants=actor)),
    }


def actor_counts(*, user: User) -> dict[str, Coalesce]:
    """Per annotated actor: the claims and records ``user`` may see that name it, by role (the API's ``n_…``)."""
    related = _actor_related(user=user, actor=OuterRef("pk"))
    return {name: count_subquery(queryset) for name, queryset in related.items()}


def actor_related_counts(*, user: User, actor: Actor) -> dict[str, int]:
    """``actor_counts`` for one actor, in one query kept under the data's version.

    The most-mentioned actor is named by a quarter of all claims: counting them walks
    tens of thousands of rows, so it is done once per write, not once per request.
    """
    return cached(f"actor-counts:{actor.pk}", lambda: counts(**_actor_related(user=user, actor=actor)), user=user)


def facet_counts(*, queryset: models.QuerySet, field: str, labels: dict[str, str]) -> list[dict]:
    """The values of ``field`` in ``queryset``, each with its label and number of rows, commonest first."""
    rows = queryset.order_by().values(field).annotate(n=Count("pk", distinct=True)).order_by("-n", field)
    return [{"value": row[field], "label": labels.get(row[field], row[field]), "count": row["n"]} for row in rows]
