"""The actors list with its facets, and an actor's dossier."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from kb.choices import ActorKind
from kb.countries import country_name
from kb.filtersets import ActorFilterSet
from kb.models import Actor
from kb.selectors import actor_dossier, facet_counts, visible_claim_count, zoom_periods
from kb.web.common import Problems, paginate
from kb.web.forms import ActorFilterForm, form_problems
from kb.web.sorting import order_fields, sort_columns
from kb.web.svg import Graph, GraphBuilder, TimelineItem, ego_layout, timeline_layout

# The keys the list sorts by (the FilterSet's ``ordering``, the API's too), with their headers.
ACTOR_SORTS = {"name": "Name", "kind": "Kind", "country_code": "Country", "start_on": "Start"}
# The most neighbours a dossier's graph draws (two rings' worth).
GRAPH_NEIGHBOURS = 24


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
    actors = filterset.qs.annotate(claim_count=visible_claim_count(user=request.user, via="subjects")).order_by(
        *order_fields(filterset, ("sort_name", "pk"))
    )
    page = paginate(request, actors, problems)
    context = {
        "sort": sort_columns(request, filterset, ACTOR_SORTS),
        "page": page,
        "filterset": filterset,
        "problems": problems,
        "kind_facets": facet_counts(queryset=_without(request, "kind"), field="kind", labels=dict(ActorKind.choices)),
        "country_facets": [
            {**f, "label": country_name(f["value"])}
            for f in facet_counts(queryset=_without(request, "country_code"), field="country_code", labels={})
            if f["value"]  # actors without a country are not a facet
        ],
    }
    return render(request, "kb/actor_list.html", context, status=problems.status)


def _neighbour_graph(actor, relationships, transfers, agreements) -> tuple[Graph | None, int]:
    """The actor among its neighbours on the page, and how many neighbours were left out of the picture.

    At most ``GRAPH_NEIGHBOURS`` are drawn, those with the most links on the page (then by
    name): past two rings their labels cannot be read, and the picture would grow with the
    dossier.
    """
    links = [(rel.subject, rel.object, "relationship", rel.get_predicate_display()) for rel in relationships]
    links += [(t.supplier, t.recipient, "transfer", t.get_category_display()) for t in transfers]
    for agreement in agreements:
        parties = agreement.party_links.all()
        # A signatory is linked to the other parties, not to the party it signed for.
        own = {actor.pk} | {link.actor_id for link in parties if link.signatory_id == actor.pk}
        links += [(actor, link.actor, "agreement", agreement.title) for link in parties if link.actor_id not in own]
    weight: Counter[int] = Counter()
    names = {}
    for ends in links:
        for other in ends[:2]:
            if other.pk != actor.pk:
                weight[other.pk] += 1
                names[other.pk] = other.name
    drawn = {actor.pk, *sorted(weight, key=lambda pk: (-weight[pk], names[pk]))[:GRAPH_NEIGHBOURS]}
    builder = GraphBuilder()
    builder.node(actor)
    for source, target, kind, label in links:
        if source.pk in drawn and target.pk in drawn:
            builder.edge(source, target, kind, label)
    graph = ego_layout(builder, actor.pk) if len(builder.nodes) > 1 else None
    return graph, len(weight) + 1 - len(drawn)


def actor_detail(request, slug: str):
    """Everything the knowledge base holds about one actor, with the claims that back it."""
    problems = Problems()
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    dossier = actor_dossier(user=request.user, actor=actor)
    claims_page = paginate(request, dossier.claims, problems, per_page=20)
    today = timezone.localdate()
    graph, graph_left_out = _neighbour_graph(actor, dossier.relationships, dossier.transfers, dossier.agreements)
    timeline = timeline_layout(
        [
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in dossier.events
            if e.start
        ],
        today=today,
    )
    events_url = reverse("kb:event-list")
    zoom = [
        (period.short_name, f"{events_url}?{urlencode({'actor': actor.slug, **period.query})}")
        for period in zoom_periods(
            ((e.start.start, (e.end or e.start).end) for e in dossier.events if e.start), today=today
        )
    ]
    context = {
        "actor": actor,
        "aliases": [a for a in actor.aliases.all() if a.name != actor.name],
        "relationships": dossier.relationships,
        "events": dossier.events,
        "timeline": timeline,
        "zoom": zoom,
        "agreements": dossier.agreements,
        "supplied": dossier.supplied,
        "received": dossier.received,
        **dossier.totals,
        "section_limit": dossier.limit,
        "claims_page": claims_page,
        "graph": graph,
        "graph_left_out": graph_left_out,
        "problems": problems,
        "kind_legend": ActorKind.choices,
    }
    return render(request, "kb/actor_detail.html", context, status=problems.status)
