"""The overview page, the relationship graph and search across every type of record."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from kb.choices import ActorKind
from kb.selectors import SearchHit, actor_network, kb_overview, search_all, search_pattern
from kb.web.common import Problems
from kb.web.forms import GraphForm, SearchForm, form_problems
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
        label_chars=38,
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


def graph(request):
    """Actors and the links between them, drawn as a picture; filterable by actor kind and link type."""
    problems = Problems()
    form = GraphForm(request.GET)
    kinds, show = list(ActorKind.values), ["relationships", "transfers", "agreements"]
    if form.is_valid():
        kinds = form.cleaned_data["kind"] or kinds
        show = form.cleaned_data["show"] or show
    else:
        problems.extend(form_problems(form))
    network = actor_network(user=request.user, kinds=kinds, show=show)
    builder = GraphBuilder()
    for rel in network.relationships:
        builder.edge(rel.subject, rel.object, "relationship", rel.get_predicate_display())
    for transfer in network.transfers:
        builder.edge(transfer.supplier, transfer.recipient, "transfer", f"arms: {transfer.get_category_display()}")
    for agreement in network.agreements:
        parties = [link.actor for link in agreement.party_links.all() if link.actor.kind in kinds]
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                builder.edge(a, b, "agreement", agreement.title)
    picture = spring_layout(builder)
    rows = sorted(picture.edges, key=lambda e: (e.source.label, e.kind, e.target.label))
    context = {
        "form": form,
        "graph": picture,
        "rows": rows,
        "problems": problems,
        "kind_legend": ActorKind.choices,
        "kinds_on": kinds,
        "show_on": show,
        "show_choices": GraphForm.base_fields["show"].choices,
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


def _hit_url(hit: SearchHit) -> str:
    """The hit's page in the analyst UI; a relationship's is its subject's dossier."""
    if hit.type == "relationship":
        return reverse("kb:actor-detail", kwargs={"slug": hit.slug})
    name = {"arms-transfer": "transfer"}.get(hit.type, hit.type)
    if hit.slug:
        return reverse(f"kb:{name}-detail", kwargs={"slug": hit.slug})
    return reverse(f"kb:{name}-detail", kwargs={"pk": hit.id})


def search(request):
    """Every kind of record matching ``q`` that the reader may see, best first, with highlighted snippets."""
    problems = Problems()
    form = SearchForm(request.GET)
    hits, q = [], ""
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            hits = search_all(user=request.user, q=q, limit=SEARCH_LIMIT)
            if not hits and search_pattern(q) is None:
                problems.add("Type at least one letter or digit to search.")
    else:
        problems.extend(form_problems(form))
    groups: dict[str, int] = {}
    for hit in hits:
        groups[hit.type] = groups.get(hit.type, 0) + 1
    results = [
        {
            "type": hit.type,
            "label": TYPE_LABELS.get(hit.type, hit.type),
            "title": hit.title,
            "url": _hit_url(hit),
            "snippet": highlight(hit.text, q),
        }
        for hit in hits
    ]
    context = {
        "form": form,
        "q": q,
        "hits": results,
        "groups": [(TYPE_LABELS.get(t, t), n) for t, n in groups.items()],
        "problems": problems,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "kb/search.html", context, status=problems.status)
