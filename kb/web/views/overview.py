"""The overview page, the relationship graph and search across every type of record."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kb.choices import ActorKind, Modality, RelationshipPredicate, TransferCategory
from kb.selectors import (
    COUNT_CAP,
    FACET_BOUND,
    LINK_TYPES,
    SEARCH_TYPES,
    Link,
    Network,
    SearchFacets,
    SearchHit,
    SearchNarrowing,
    actor_network,
    kb_overview,
    search_all,
    search_counts,
    search_facets,
    search_pattern,
    visible_sources,
)
from kb.selectors.cache import cached
from kb.web.common import Problems
from kb.web.forms import GRAPH_MAX, GRAPH_TOP, GraphForm, SearchForm, form_problems
from kb.web.highlight import highlight
from kb.web.svg import GraphBuilder, TimelineItem, spring_layout, timeline_layout

HOME_CLAIMS = 6
HOME_RECORDS = 6
HOME_EVENTS = 12


def home(request):
    """What the knowledge base holds, the latest accepted claims, key agreements and transfers, a timeline."""
    overview = kb_overview(user=request.user, claims=HOME_CLAIMS, records=HOME_RECORDS, events=HOME_EVENTS)
    timeline = timeline_layout(
        (
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in overview.events
        ),
        today=timezone.localdate(),
    )
    context = {
        "counts": overview.totals,
        "latest": overview.latest,
        "agreements": overview.agreements,
        "transfers": overview.transfers,
        "timeline": timeline,
        "more_events": max(overview.totals["dated_events"] - HOME_EVENTS, 0),
    }
    return render(request, "kb/home.html", context)


LINKS_PER_ACTOR = 3  # lines drawn per actor, on average, at most: beyond that the picture is a hairball


@dataclass
class Picture:
    """What the graph page draws for one set of parameters, rendered; cached whole (``kb.selectors.cache``)."""

    drawing: str  # the picture and the table of its lines, as HTML
    nodes: int  # actors drawn: the "N" of "showing N of M"
    linked: int  # actors with any visible link under the filters: the "M"
    edges: int  # lines drawn
    links: int  # lines (one per pair of actors and kind) among the actors drawn, before keeping the strongest
    unlinked: list[str]  # names of the actors asked for that have no visible link under the filters


def _label(link: Link) -> str:
    if link.kind == "relationship":
        return RelationshipPredicate(link.value).label
    if link.kind == "transfer":
        return f"arms: {TransferCategory(link.value).label}"
    more = link.count - 1
    return f"{link.value} (and {more} more agreement{pluralize(more)})" if more else link.value


def _picture(network: Network, *, around: list[int]) -> Picture:
    by_id = {actor.pk: actor for actor in network.actors}
    builder = GraphBuilder()
    for actor in network.actors:
        builder.node(actor).central = actor.pk in around
    for link in network.links:
        builder.edge(by_id[link.source], by_id[link.target], link.kind, _label(link), weight=link.count)
    links = len(builder.edges)
    builder.keep_strongest(LINKS_PER_ACTOR * len(network.actors), order=list(by_id))
    graph = spring_layout(builder)
    # Drawn here, once per version of the data: at a hundred lines the drawing is most of the page's time.
    drawing = render_to_string("kb/partials/network.html", {"graph": graph, "kind_legend": ActorKind.choices})
    return Picture(
        drawing=drawing,
        nodes=len(graph.nodes),
        linked=network.linked,
        edges=len(graph.edges),
        links=links,
        unlinked=[actor.name for actor in network.unlinked],
    )


def graph(request):
    """The most linked actors and the links among them, or the neighbourhood of chosen actors, drawn as a picture.

    Bounded whatever the base holds: at most ``top`` actors (``GRAPH_MAX``), chosen by one
    aggregate; the picture is cached until the data changes.
    """
    problems = Problems()
    form = GraphForm(request.GET)
    if not form.is_valid():
        problems.extend(form_problems(form))
    data = form.cleaned_data
    kinds = [k for k in ActorKind.values if k in (data.get("kind") or ActorKind.values)]
    show = [s for s in LINK_TYPES if s in (data.get("show") or LINK_TYPES)]
    top = data.get("top") or GRAPH_TOP
    around = data.get("actor") or []
    depth = data.get("depth") or 1
    name = f"graph:kinds={','.join(kinds)}:show={','.join(show)}:top={top}"
    if around:
        name += f":around={','.join(map(str, around))}:depth={depth}"
    picture = cached(
        name,
        lambda: _picture(
            actor_network(user=request.user, kinds=kinds, show=show, limit=top, around=around, depth=depth),
            around=around,
        ),
        user=request.user,
    )
    context = {
        "form": form,
        "picture": picture,
        "problems": problems,
        "kind_legend": ActorKind.choices,
        "kinds_on": kinds,
        "show_on": show,
        "show_choices": GraphForm.base_fields["show"].choices,
        "depth_choices": GraphForm.base_fields["depth"].choices,
        "top": top,
        "top_max": GRAPH_MAX,
        "around": around,
        "depth": depth,
    }
    return render(request, "kb/graph.html", context, status=problems.status)


SEARCH_LIMIT = 60
TYPE_LABELS = {
    "actor": "Actor",
    "agreement": "Agreement",
    "arms-transfer": "Arms transfer",
    "event": "Event",
    "relationship": "Relationship",
    "claim": "Claim",
    "source": "Source",
}


TYPE_PLURALS = {
    "actor": "actors",
    "agreement": "agreements",
    "arms-transfer": "arms transfers",
    "event": "events",
    "relationship": "relationships",
    "claim": "claims",
    "source": "sources",
}


def _hit_url(hit: SearchHit) -> str:
    """The hit's page in the analyst UI; a relationship's is its subject's dossier."""
    if hit.type == "relationship":
        return reverse("kb:actor-detail", kwargs={"slug": hit.slug})
    name = {"arms-transfer": "transfer"}.get(hit.type, hit.type)
    if hit.slug:
        return reverse(f"kb:{name}-detail", kwargs={"slug": hit.slug})
    return reverse(f"kb:{name}-detail", kwargs={"pk": hit.id})


def _snippet(hit: SearchHit, q: str) -> str:
    """The hit's text around the match, with words on both sides; never the title again or a bare name."""
    text = hit.body or hit.text
    if not text or text == hit.title or hit.title == f"“{text}”":  # a whole quote is the claim's title
        return ""
    return highlight(text, q)


def search(request):
    """Every kind of record matching ``q`` that the reader may see, best first or newest first, with snippets.

    Beside the hits, facets: how many records of each type match (counted up to COUNT_CAP),
    and how the newest FACET_BOUND matches of each type spread over modalities, periods and
    sources. Each facet is a link that adds its filter to the address (``?type=``,
    ``?modality=``, ``?period=``, ``?source=``) or, chosen, removes it: every view is a
    permalink. A malformed or unknown filter answers 400 and says why, and the search runs
    without it, as the list pages do with a filter they cannot use.
    """
    problems = Problems()
    form = SearchForm(request.GET)
    hits, q, kind, counts, facets = [], "", "", [], SearchFacets()
    narrowing = SearchNarrowing()
    chosen_source = None
    searched = False
    if not form.is_valid():
        problems.extend(form_problems(form))
        usable = request.GET.copy()
        for name in form.errors:
            usable.pop(name, None)
        form = SearchForm(usable)
    if form.is_valid():
        data = form.cleaned_data
        q = data["q"].strip()
        kind = data["type"]
        period = data["period"]
        narrowing = SearchNarrowing(
            modality=data["modality"],
            source=data["source"],
            start=period[1] if period else None,
            end=period[2] if period else None,
        )
        if narrowing.source:
            chosen_source = visible_sources(user=request.user).filter(pk=narrowing.source).only("title").first()
            if chosen_source is None:
                problems.add(f"Source: no source has the id {narrowing.source}; searching every source.")
                narrowing = replace(narrowing, source=None)
        if q:
            types = narrowing.types((kind,) if kind else SEARCH_TYPES)
            order = "date" if data["sort"] == "date" else "relevance"
            hits = search_all(user=request.user, q=q, limit=SEARCH_LIMIT, types=types, narrowing=narrowing, order=order)
            if not hits and search_pattern(q) is None:
                problems.add("Type at least one letter or digit to search.")
            else:
                searched = True
                counts = search_counts(user=request.user, q=q, narrowing=narrowing)
                facets = search_facets(user=request.user, q=q, narrowing=narrowing, bound=FACET_BOUND)
    results = [
        {
            "type": hit.type,
            "label": TYPE_LABELS.get(hit.type, hit.type),
            "title": hit.title,
            "url": _hit_url(hit),
            "snippet": _snippet(hit, q),
            "date": hit.date,
            "source": hit.source if hit.type == "claim" else None,
        }
        for hit in hits
    ]
    type_facets = [
        {
            "type": c.type,
            "label": TYPE_PLURALS[c.type] if c.count != 1 or c.more else TYPE_LABELS[c.type].lower(),
            "count": f"{c.count:,}+" if c.more else f"{c.count:,}",
            "chosen": c.type == kind,
        }
        for c in counts
    ]
    modality_labels = dict(Modality.choices)
    context = {
        "form": form,
        "searched": searched,
        "q": q,
        "kind": kind,
        "kind_label": TYPE_PLURALS.get(kind, ""),
        "hits": results,
        "facets": type_facets,
        "modality_facets": [
            {"value": m, "label": modality_labels.get(m, m), "count": n, "chosen": m == narrowing.modality}
            for m, n in facets.modalities
        ],
        "period_facets": [
            {"value": p, "count": n, "chosen": form.is_valid() and (form.cleaned_data["period"] or ("",))[0] == p}
            for p, n in facets.periods
        ],
        "source_facets": [
            {"value": src.pk, "source": src, "count": n, "chosen": src.pk == narrowing.source}
            for src, n in facets.sources
        ],
        "facets_bounded": facets.bounded,
        "facet_bound": FACET_BOUND,
        "narrowing": narrowing,
        "period": form.cleaned_data["period"][0] if form.is_valid() and form.cleaned_data["period"] else "",
        "modality_label": modality_labels.get(narrowing.modality, ""),
        "chosen_source": chosen_source,
        "sort": form.cleaned_data.get("sort") if form.is_valid() else "",
        "filtered": bool(kind or narrowing.modality or narrowing.source or narrowing.start),
        "count_cap": COUNT_CAP,
        "capped": any(c.more for c in counts),
        "problems": problems,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "kb/search.html", context, status=problems.status)
