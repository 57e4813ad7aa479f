"""The sources list, the annotated reader and the claim page."""

from __future__ import annotations

from collections import Counter

from django.shortcuts import get_object_or_404, render

from kb.choices import ClaimStatus, Modality
from kb.filtersets import SourceFilterSet
from kb.models import Claim, Source
from kb.selectors import (
    claim_dossier,
    is_editor,
    source_claim_page,
    source_claims,
    source_subjects,
    visible_claim_count,
    visible_claims,
    visible_sources,
)
from kb.web.common import Problems, paginate
from kb.web.forms import ReaderForm, SourceFilterForm, form_problems
from kb.web.reader import annotate, chosen_marks, paragraphs_html, quote_in_paragraph
from kb.web.review import DRAFT_FROM_CLAIM_KINDS
from kb.web.sorting import order_fields, sort_columns

# The reader lists an article's claims beside its text this many at a time; the text
# highlights them all (a long article may carry a thousand).
READER_CLAIMS = 50


# The keys the list sorts by (the FilterSet's ``ordering``, the API's too), with their headers.
SOURCE_SORTS = {"published_on": "Published", "title": "Title", "publisher": "Publisher"}


def source_list(request):
    """Every article the reader may see (editors: every stored one), newest first, with its visible claims' number."""
    problems = Problems()
    filterset = SourceFilterSet(
        request.GET, queryset=visible_sources(user=request.user), request=request, form_class=SourceFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    sources = filterset.qs.annotate(claim_count=visible_claim_count(user=request.user, via="source")).order_by(
        *order_fields(filterset, ("-published_on", "title"))
    )
    page = paginate(request, sources, problems)
    sort = sort_columns(request, filterset, SOURCE_SORTS)
    context = {"page": page, "filterset": filterset, "problems": problems, "sort": sort}
    return render(request, "kb/source_list.html", context, status=problems.status)


def source_detail(request, pk: int):
    """The article with the visible claims highlighted in place, and listed beside the text a page at a time.

    The reader chooses which claims are highlighted (by modality, review status and subject)
    through the address, so the page works without JavaScript; ``focus`` names the claim
    drawn with a background.
    """
    problems = Problems()
    source = get_object_or_404(
        visible_sources(user=request.user, queryset=Source.objects.prefetch_related("authors")), pk=pk
    )
    marks = source_claims(user=request.user, source=source)
    subjects = source_subjects(user=request.user, source=source)
    form = ReaderForm(request.GET, subjects=[(s.slug, f"{s.name} ({len(s.claims)})") for s in subjects])
    if not form.is_valid():
        problems.extend(form_problems(form))
    chosen = form.cleaned_data  # the valid choices only
    about = {s.slug: s.claims for s in subjects}.get(chosen.get("subject") or "")
    shown = chosen_marks(
        marks, modalities=chosen.get("modality") or [], statuses=chosen.get("status") or [], about=about
    )
    page = paginate(request, shown, problems, per_page=READER_CLAIMS)
    query = request.GET.copy()
    query.pop("focus", None)
    context = {
        "source": source,
        "paragraphs": paragraphs_html(annotate(source.text, shown), focus=chosen.get("focus")),
        "claims": source_claim_page(user=request.user, source=source, marks=page.object_list),
        "claims_page": page,
        "shown": len(shown),
        "total": len(marks),
        "form": form,
        "modality_counts": _counts(Modality.choices, (m.modality for m in marks)),
        "status_counts": _counts(ClaimStatus.choices, (m.status for m in marks)),
        "filtered": any(chosen.get(name) for name in ("modality", "status", "subject")),
        "focus_query": query.urlencode(),
        "modalities": Modality.choices,
        "editor": is_editor(request.user),
        "problems": problems,
    }
    return render(request, "kb/source_detail.html", context, status=problems.status)


def _counts(choices, values) -> list[tuple[str, str, int]]:
    """Each choice (value, label) with how many of ``values`` it holds; choices that hold none are left out."""
    found = Counter(values)
    return [(value, label, found[value]) for value, label in choices if found[value]]


def claim_detail(request, pk: int):
    """One claim: its quote in its paragraph, the grades, the records it backs and the claims linked to it."""
    user = request.user
    claims = visible_claims(user=user, queryset=Claim.objects.select_related("source", "speaker", "reviewed_by"))
    claim = get_object_or_404(claims.prefetch_related("subjects"), pk=pk)
    dossier = claim_dossier(user=user, claim=claim)
    context = {
        "claim": claim,
        "paragraph": paragraphs_html([quote_in_paragraph(claim.source.text, claim)], focus=claim.pk)[0],
        "relationships": dossier.relationships,
        "events": dossier.events,
        "agreements": dossier.agreements,
        "provisions": dossier.provisions,
        "parties": dossier.parties,
        "transfers": dossier.transfers,
        "links_out": dossier.links_out,
        "links_in": dossier.links_in,
        "editor": is_editor(user),
        "draft_kinds": DRAFT_FROM_CLAIM_KINDS,
    }
    return render(request, "kb/claim_detail.html", context)
