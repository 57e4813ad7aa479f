"""The actors list with its facets, and an actor's dossier."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from kb import selectors
from kb.choices import ActorKind
from kb.filtersets import ActorFilterSet
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Event, Relationship
from kb.web.common import Problems, evidence_count, paginate, visible, visible_evidence
from kb.web.forms import ActorFilterForm, form_problems
from kb.web.svg import GraphBuilder, TimelineItem, ego_layout, timeline_layout


def _facets(queryset, field: str, labels: dict[str, str]) -> list[dict]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk", distinct=True)).order_by("-n", field)
    return [{"value": row[field], "label": labels.get(row[field], row[field]), "count": row["n"]} for row in rows]


def _without(request, name: str):
    """The actors the other filters select: a facet counts what choosing each of its values would show."""
    data = request.GET.copy()
    data.pop(name, None)
    return ActorFilterSet(data, queryset=Actor.objects.all(), request=request).qs


def actor_list(request):
    """Actors, searchable by any spelling of their names, faceted by kind and country."""
    problems = Problems()
    filterset = ActorFilterSet(request.GET, queryset=Actor.objects.all(), request=request, form_class=ActorFilterForm)
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    actors = filterset.qs.annotate(claim_count=evidence_count(request.user, "claims")).order_by("name")
    page = paginate(request, actors, problems)
    context = {
        "page": page,
        "filterset": filterset,
        "problems": problems,
        "kind_facets": _facets(_without(request, "kind"), "kind", dict(ActorKind.choices)),
        "country_facets": [
            f
            for f in _facets(_without(request, "country_code"), "country_code", {})
            if f["value"]  # actors without a country are not a facet
        ],
    }
    return render(request, "kb/actor_list.html", context, status=problems.status)


def _neighbour_graph(actor, relationships, transfers, agreements):
    builder = GraphBuilder()
    builder.node(actor)
    for rel in relationships:
        builder.edge(rel.subject, rel.object, "relationship", rel.get_predicate_display())
    for transfer in transfers:
        builder.edge(transfer.supplier, transfer.recipient, "transfer", transfer.get_category_display())
    for agreement in agreements:
        links = agreement.party_links.all()
        # A signatory is linked to the other parties, not to the party it signed for.
        own = {actor.pk} | {link.actor_id for link in links if link.signatory_id == actor.pk}
        for link in links:
            if link.actor_id not in own:
                builder.edge(actor, link.actor, "agreement", agreement.title)
    return ego_layout(builder, actor.pk) if len(builder.nodes) > 1 else None


# Each section of a dossier shows at most this many records, with the total and a link to
# the full list: the most-mentioned actors have thousands, and the page must stay fast.
DOSSIER_SECTION_LIMIT = 50


def _linked(model, field: str, actor) -> Q:
    """Rows of ``model`` linked to ``actor`` through the many-to-many ``field``, without a join (no DISTINCT)."""
    through = model._meta.get_field(field).remote_field.through
    own = model._meta.get_field(field).m2m_field_name()
    return Q(pk__in=through._default_manager.filter(actor=actor).values(own))


def actor_detail(request, slug: str):
    """Everything the knowledge base holds about one actor, with the claims that back it."""
    user = request.user
    problems = Problems()
    limit = DOSSIER_SECTION_LIMIT
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    relationship_qs = visible(user, Relationship.objects.filter(Q(subject=actor) | Q(object=actor)))
    relationships = list(
        relationship_qs.select_related("subject", "object")
        .prefetch_related(visible_evidence(user))
        .order_by("predicate", "subject__name", "object__name")[:limit]
    )
    signed = AgreementParty.objects.filter(signatory=actor).values("agreement_id")
    event_qs = visible(user, Event.objects.filter(_linked(Event, "participants", actor) | Q(place=actor)))
    events = list(event_qs.select_related("place").order_by("start_on", "title")[:limit])
    agreement_qs = visible(user, Agreement.objects.filter(_linked(Agreement, "parties", actor) | Q(pk__in=signed)))
    agreements = list(
        agreement_qs.select_related("signed_place").prefetch_related(
            Prefetch(
                "party_links",
                queryset=AgreementParty.objects.select_related("actor", "signatory").order_by("actor__name"),
            )
        )[:limit]
    )
    transfer_qs = visible(user, ArmsTransfer.objects.filter(Q(supplier=actor) | Q(recipient=actor)))
    transfers = list(
        transfer_qs.select_related("supplier", "recipient")
        .prefetch_related(visible_evidence(user, to_attr="visible_evidence"))
        .order_by("-start_on", "pk")[:limit]
    )
    counts = {
        "relationship_count": relationship_qs.count(),
        "event_count": event_qs.count(),
        "agreement_count": agreement_qs.count(),
        "transfer_count": transfer_qs.count(),
    }
    claims = (
        selectors.visible_claims(user, Claim.objects.filter(subjects=actor))
        .select_related("source")
        .order_by("-source__published_on", "source_id", "start")
    )
    claims_page = paginate(request, claims, problems, per_page=20)
    timeline = timeline_layout(
        [
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in events
            if e.start
        ],
        label_chars=40,
    )
    context = {
        "actor": actor,
        "aliases": [a for a in actor.aliases.all() if a.name != actor.name],
        "relationships": relationships,
        "events": events,
        "timeline": timeline,
        "agreements": agreements,
        "supplied": [t for t in transfers if t.supplier_id == actor.pk],
        "received": [t for t in transfers if t.recipient_id == actor.pk],
        **counts,
        "section_limit": limit,
        "claims_page": claims_page,
        "graph": _neighbour_graph(actor, relationships, transfers, agreements),
        "problems": problems,
        "kind_legend": ActorKind.choices,
    }
    return render(request, "kb/actor_detail.html", context, status=problems.status)
