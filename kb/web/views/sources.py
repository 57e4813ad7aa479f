"""The sources list, the annotated reader and the claim page."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from kb import selectors
from kb.choices import ClaimStatus, Modality
from kb.filtersets import SourceFilterSet
from kb.models import Actor, Agreement, Claim, ClaimLink, Provision, Source
from kb.web.common import Problems, paginate, visible
from kb.web.forms import SourceFilterForm, form_problems
from kb.web.reader import annotate, quote_in_paragraph


def _visible_claim_count(user) -> Count:
    if selectors.is_editor(user):
        return Count("claims")
    return Count("claims", filter=Q(claims__status=ClaimStatus.ACCEPTED))


def source_list(request):
    """Every stored article, newest first, with the number of claims a reader can see in it."""
    problems = Problems()
    filterset = SourceFilterSet(
        request.GET, queryset=Source.objects.all(), request=request, form_class=SourceFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    sources = filterset.qs.annotate(claim_count=_visible_claim_count(request.user)).order_by("-published_on", "title")
    page = paginate(request, sources, problems)
    context = {"page": page, "filterset": filterset, "problems": problems}
    return render(request, "kb/source_list.html", context, status=problems.status)


def source_detail(request, pk: int):
    """The article with every visible claim highlighted in place and listed beside the text."""
    source = get_object_or_404(Source.objects.prefetch_related("authors"), pk=pk)
    claims = list(
        selectors.visible_claims(request.user, source.claims.all())
        .select_related("speaker")
        .prefetch_related(Prefetch("subjects", queryset=Actor.objects.only("pk", "name", "slug")))
        .order_by("start", "pk")
    )
    context = {
        "source": source,
        "paragraphs": annotate(source.text, claims),
        "claims": claims,
        "modalities": Modality.choices,
        "editor": selectors.is_editor(request.user),
    }
    return render(request, "kb/source_detail.html", context)


def claim_detail(request, pk: int):
    """One claim: its quote in its paragraph, the grades, the records it backs and the claims linked to it."""
    user = request.user
    claims = selectors.visible_claims(user, Claim.objects.select_related("source", "speaker", "reviewed_by"))
    claim = get_object_or_404(claims.prefetch_related("subjects"), pk=pk)
    visible_ids = selectors.visible_claims(user, Claim.objects.all()).values("pk")
    links_out = (
        ClaimLink.objects.filter(from_claim=claim, to_claim__in=visible_ids)
        .select_related("to_claim__source")
        .order_by("kind", "to_claim__source__published_on", "to_claim_id")
    )
    links_in = (
        ClaimLink.objects.filter(to_claim=claim, from_claim__in=visible_ids)
        .select_related("from_claim__source")
        .order_by("kind", "from_claim__source__published_on", "from_claim_id")
    )
    context = {
        "claim": claim,
        "paragraph": quote_in_paragraph(claim.source.text, claim),
        "relationships": visible(user, claim.relationships.select_related("subject", "object")),
        "events": visible(user, claim.events.all()),
        "agreements": visible(user, claim.agreements.all()),
        "provisions": Provision.objects.filter(evidence=claim, agreement__in=visible(user, Agreement.objects.all()))
        .select_related("agreement")
        .order_by("agreement__title", "order"),
        "transfers": visible(user, claim.transfers.select_related("supplier", "recipient")),
        "links_out": links_out,
        "links_in": links_in,
        "editor": selectors.is_editor(user),
    }
    return render(request, "kb/claim_detail.html", context)
