"""Agreements, the arms-transfer register (with its CSV) and the events timeline."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from kb.exports import csv_response
from kb.filtersets import AgreementFilterSet, ArmsTransferFilterSet, EventFilterSet
from kb.models import Actor, Agreement, ArmsTransfer, Event, Provision
from kb.selectors import is_editor, party_links, visible_claim_count, visible_evidence, visible_records
from kb.selectors.cache import cached
from kb.web.common import Problems, paginate
from kb.web.forms import AgreementFilterForm, EventFilterForm, TransferFilterForm, form_problems
from kb.web.svg import TimelineItem, timeline_layout

# --- agreements -------------------------------------------------------------------------


def agreement_list(request):
    """Agreements with their parties, signing date and place, status and number of provisions."""
    user = request.user
    problems = Problems()
    filterset = AgreementFilterSet(
        request.GET, queryset=Agreement.objects.all(), request=request, form_class=AgreementFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    agreements = (
        visible_records(user=user, queryset=filterset.qs)
        .select_related("signed_place")
        .prefetch_related(party_links(), Prefetch("provisions", queryset=Provision.objects.order_by("order", "id")))
        .annotate(evidence_count=visible_claim_count(user=user, via="agreements"))
        .order_by("-signed_on", "title")
    )
    page = paginate(request, agreements, problems)
    context = {"page": page, "filterset": filterset, "problems": problems}
    return render(request, "kb/agreement_list.html", context, status=problems.status)


def agreement_detail(request, slug: str):
    """One agreement: parties and signatories, dates, status, provisions and the claims behind them."""
    user = request.user
    agreement = get_object_or_404(
        visible_records(user=user, queryset=Agreement.objects.select_related("signed_place")).prefetch_related(
            party_links(),
            visible_evidence(user=user),
            Prefetch(
                "provisions",
                queryset=Provision.objects.order_by("order", "id").prefetch_related(visible_evidence(user=user)),
            ),
        ),
        slug=slug,
    )
    return render(request, "kb/agreement_detail.html", {"agreement": agreement})


# --- arms transfers ---------------------------------------------------------------------


def transfer_list(request):
    """The SIPRI-style register: who supplied what to whom, when, how many, and who says so."""
    user = request.user
    problems = Problems()
    data = request.GET.copy()
    wants_csv = data.pop("format", ["html"])[-1] == "csv" or request.path.endswith(".csv")
    filterset = ArmsTransferFilterSet(
        data, queryset=ArmsTransfer.objects.all(), request=request, form_class=TransferFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    transfers = (
        visible_records(user=user, queryset=filterset.qs)
        .select_related("supplier", "recipient")
        .prefetch_related(visible_evidence(user=user, to_attr="visible_evidence"))
        .order_by("-start_on", "supplier__name", "recipient__name", "pk")
    )
    if wants_csv and not problems:
        # The same writer as the API's CSV, with the register's own columns.
        filename = f"kb-arms-transfers-{timezone.now():%Y%m%d}"
        return csv_response(
            "transfer-register", transfers, user=user, filename=filename, absolute=request.build_absolute_uri
        )
    page = paginate(request, transfers, problems, per_page=50)
    query = data.copy()
    query.pop("page", None)
    chosen = [slug for name in ("supplier", "recipient") for value in data.getlist(name) for slug in value.split(",")]
    filterset.form.offer_actors(_transfer_actors(user, chosen[:20]))
    context = {"page": page, "filterset": filterset, "problems": problems, "csv_query": query.urlencode()}
    return render(request, "kb/transfer_list.html", context, status=problems.status)


# The register's supplier and recipient menus list the actors in the most transfers (at scale,
# thousands of actors take part); an actor already chosen in the address is always listed.
MENU_ACTORS = 100


def _transfer_actors(user, chosen: list[str]) -> list[tuple[str, str]]:
    """(slug, name) of the actors the menus offer, by name: counted once per version of the data."""

    def busiest() -> list[tuple[str, str]]:
        transfers = visible_records(user=user, queryset=ArmsTransfer.objects.order_by())
        sides: Counter[int] = Counter()
        for side in ("supplier_id", "recipient_id"):
            sides.update(dict(transfers.values_list(side).annotate(n=Count("pk"))))
        top = [pk for pk, _n in sides.most_common(MENU_ACTORS)]
        return list(Actor.objects.filter(pk__in=top).order_by("name").values_list("slug", "name"))

    actors = cached(f"transfer-menu-actors:{MENU_ACTORS}", busiest, user=user)
    missing = set(chosen) - {slug for slug, _name in actors}
    if missing:
        extra = Actor.objects.filter(slug__in=missing).values_list("slug", "name")
        actors = sorted([*actors, *extra], key=lambda pair: pair[1])
    return actors


def transfer_detail(request, pk: int):
    """One transfer with the claims that report it."""
    user = request.user
    transfer = get_object_or_404(
        visible_records(
            user=user, queryset=ArmsTransfer.objects.select_related("supplier", "recipient")
        ).prefetch_related(visible_evidence(user=user)),
        pk=pk,
    )
    return render(request, "kb/transfer_detail.html", {"transfer": transfer})


# --- events -----------------------------------------------------------------------------


def event_list(request):
    """The events as a timeline picture (spans for month and year dates, points for days) and a list."""
    user = request.user
    problems = Problems()
    filterset = EventFilterSet(request.GET, queryset=Event.objects.all(), request=request, form_class=EventFilterForm)
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    events = visible_records(user=user, queryset=filterset.qs).select_related("place")
    events = list(events.order_by("start_on", "title"))
    timeline = timeline_layout(
        (
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in events
            if e.start
        ),
        today=timezone.localdate(),
    )
    context = {
        "events": events,
        "timeline": timeline,
        "filterset": filterset,
        "problems": problems,
    }
    return render(request, "kb/event_list.html", context, status=problems.status)


def event_detail(request, slug: str):
    """One event: when and where, who took part, and the claims that say so."""
    user = request.user
    event = get_object_or_404(
        visible_records(user=user, queryset=Event.objects.select_related("place")).prefetch_related(
            Prefetch("participants", queryset=Actor.objects.order_by("kind", "name")), visible_evidence(user=user)
        ),
        slug=slug,
    )
    return render(request, "kb/event_detail.html", {"event": event, "editor": is_editor(user)})
