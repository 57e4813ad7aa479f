"""The sources list, the annotated reader and the claim page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from kb.choices import Modality
from kb.filtersets import SourceFilterSet
from kb.models import Claim, Source
from kb.selectors import (
    claim_dossier,
    is_editor,
    source_claim_page,
    source_claims,
    visible_claim_count,
    visible_claims,
)
from kb.web.common import Problems, paginate
from kb.web.forms import SourceFilterForm, form_problems
from kb.web.reader import annotate, paragraphs_html, quote_in_paragraph

# The reader lists an article's claims beside its text this many at a time; the text
# highlights them all (a long article may carry a thousand).
READER_CLAIMS = 50


def source_list(request):
    """Every stored article, newest first, with the number of claims a reader can see in it."""
    problems = Problems()
    filterset = SourceFilterSet(
        request.GET, queryset=Source.objects.all(), request=request, form_class=SourceFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    sources = filterset.qs.annotate(claim_count=visible_claim_count(user=request.user, via="source")).order_by(
        "-published_on", "title"
    )
    page = paginate(request, sources, problems)
    context = {"page": page, "filterset": filterset, "problems": problems}
    return render(request, "kb/source_list.html", context, status=problems.status)


def source_detail(request, pk: int):
    """The article with every visible claim highlighted in place, and listed beside the text a page at a time."""
    problems = Problems()
    source = get_object_or_404(Source.objects.prefetch_related("authors"), pk=pk)
    marks = source_claims(user=request.user, source=source)
    page = paginate(request, marks, problems, per_page=READER_CLAIMS)
    context = {
        "source": source,
        "paragraphs": paragraphs_html(annotate(source.text, marks)),
        "claims": source_claim_page(user=request.user, source=source, marks=page.object_list),
        "claims_page": page,
        "modalities": Modality.choices,
        "editor": is_editor(request.user),
        "problems": problems,
    }
    return render(request, "kb/source_detail.html", context, status=problems.status)


def claim_detail(request, pk: int):
    """One claim: its quote in its paragraph, the grades, the records it backs and the claims linked to it."""
    user = request.user
    claims = visible_claims(user=user, queryset=Claim.objects.select_related("source", "speaker", "reviewed_by"))
    claim = get_object_or_404(claims.prefetch_related("subjects"), pk=pk)
    dossier = claim_dossier(user=user, claim=claim)
    context = {
        "claim": claim,
        "paragraph": paragraphs_html([quote_in_paragraph(claim.source.text, claim)])[0],
        "relationships": dossier.relationships,
        "events": dossier.events,
        "agreements": dossier.agreements,
        "provisions": dossier.provisions,
        "parties": dossier.parties,
        "transfers": dossier.transfers,
        "links_out": dossier.links_out,
        "links_in": dossier.links_in,
        "editor": is_editor(user),
    }
    return render(request, "kb/claim_detail.html", context)
