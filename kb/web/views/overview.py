"""The overview page, the relationship graph and search across every type of record."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render

from kb import selectors
from kb.choices import ActorKind, ClaimStatus
from kb.models import Actor, Agreement, AgreementParty, ArmsTransfer, Claim, Event, Relationship, Source
from kb.web.common import Problems, visible
from kb.web.forms import GraphForm, SearchForm, form_problems
from kb.web.svg import GraphBuilder, TimelineItem, force_layout, timeline_layout

HOME_CLAIMS = 6
HOME_RECORDS = 6
HOME_EVENTS = 12


def home(request):
    """What the knowledge base holds, the latest accepted claims, key agreements and transfers, a timeline."""
    user = request.user
    claims = selectors.visible_claims(user, Claim.objects.all())
    counts = {
        "actors": Actor.objects.count(),
        "sources": Source.objects.count(),
        "claims": claims.count(),
        "agreements": visible(user, Agreement.objects.all()).count(),
        "transfers": visible(user, ArmsTransfer.objects.all()).count(),
        "events": visible(user, Event.objects.all()).count(),
    }
    latest = (
        Claim.objects.filter(status=ClaimStatus.ACCEPTED)
        .select_related("source")
        .order_by("-reviewed_at", "-pk")[:HOME_CLAIMS]
    )
    agreements = (
        visible(user, Agreement.objects.all())
        .select_related("signed_place")
        .prefetch_related(
            Prefetch("party_links", queryset=AgreementParty.objects.select_related("actor").order_by("actor__name"))
        )
        .order_by("-signed_on", "title")[:HOME_RECORDS]
    )
    transfers = (
        visible(user, ArmsTransfer.objects.all())
        .select_related("supplier", "recipient")
        .order_by("-start_on", "supplier__name", "pk")[:HOME_RECORDS]
    )
    recent_events = list(visible(user, Event.objects.filter(start_on__isnull=False)).order_by("-start_on", "title"))
    timeline = timeline_layout(
        (
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in recent_events[:HOME_EVENTS]
        ),
        label_chars=38,
    )
    context = {
        "counts": counts,
        "latest": latest,
        "agreements": agreements,
        "transfers": transfers,
        "timeline": timeline,
        "more_events": max(len(recent_events) - HOME_EVENTS, 0),
    }
    return render(request, "kb/home.html", context)


def graph(request):
    """Actors and the links between them, drawn as a picture; filterable by actor kind and link type."""
    user = request.user
    problems = Problems()
    form = GraphForm(request.GET)
    kinds, show = list(ActorKind.values), ["relationships", "transfers", "agreements"]
    if form.is_valid():
        kinds = form.cleaned_data["kind"] or kinds
        show = form.cleaned_data["show"] or show
    else:
        problems.extend(form_problems(form))
    builder = GraphBuilder()
    if "relationships" in show:
        relationships = visible(
            user,
            Relationship.objects.filter(subject__kind__in=kinds, object__kind__in=kinds).select_related(
                "subject", "object"
            ),
        )
        for rel in relationships:
            builder.edge(rel.subject, rel.object, "relationship", rel.get_predicate_display())
    if "transfers" in show:
        transfers = visible(
            user,
            ArmsTransfer.objects.filter(supplier__kind__in=kinds, recipient__kind__in=kinds).select_related(
                "supplier", "recipient"
            ),
        )
        for transfer in transfers:
            builder.edge(transfer.supplier, transfer.recipient, "transfer", f"arms: {transfer.get_category_display()}")
    if "agreements" in show:
        agreements = visible(user, Agreement.objects.all()).prefetch_related(
            Prefetch("party_links", queryset=AgreementParty.objects.select_related("actor").order_by("actor__name"))
        )
        for agreement in agreements:
            parties = [link.actor for link in agreement.party_links.all() if link.actor.kind in kinds]
            for i, a in enumerate(parties):
                for b in parties[i + 1 :]:
                    builder.edge(a, b, "agreement", agreement.title)
    picture = force_layout(builder)
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


def search(request):
    """Every kind of record matching ``q`` that the reader may see, best first, with highlighted snippets."""
    problems = Problems()
    form = SearchForm(request.GET)
    hits, q = [], ""
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            hits = selectors.search_all(q, request.user, limit=SEARCH_LIMIT)
            if not hits and selectors.search_pattern(q) is None:
                problems.add("Type at least one letter or digit to search.")
    else:
        problems.extend(form_problems(form))
    groups: dict[str, int] = {}
    for hit in hits:
        groups[hit.type] = groups.get(hit.type, 0) + 1
    context = {
        "form": form,
        "q": q,
        "hits": [(hit, TYPE_LABELS.get(hit.type, hit.type)) for hit in hits],
        "groups": [(TYPE_LABELS.get(t, t), n) for t, n in groups.items()],
        "problems": problems,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "kb/search.html", context, status=problems.status)
