"""The editors' review desk: one proposed claim at a time, corrected in place and accepted, rejected or disputed.

Plain HTML forms posted and redirected (post, redirect, get) work without JavaScript; with it,
kb/static/kb/desk.js posts the same forms and swaps in the next claim's fragment (asked for
with the ``X-Desk-Fragment`` header, which a followed redirect keeps).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from kb import services
from kb.choices import ClaimStatus, DraftStatus
from kb.errors import error_lines, messages_by_field
from kb.models import Actor, Claim, Draft, Source
from kb.selectors import is_editor
from kb.selectors.desk import DeskPlace, claim_drafts, desk_place, review_queue, waiting_drafts
from kb.web.common import Problems
from kb.web.forms import form_problems
from kb.web.reader import paragraphs_html, quote_in_paragraph
from kb.web.review import DRAFT_FROM_CLAIM_KINDS, DecisionForm, DraftForm, QueueForm

FRAGMENT_HEADER = "X-Desk-Fragment"


def editors_only(view):
    """Editors pass; anyone signed out is sent to the admin's login, anyone else finds nothing (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_editor(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def _queue(request) -> tuple[QueueForm, Problems]:
    problems = Problems()
    queue = QueueForm(request.GET)
    if not queue.is_valid():
        problems.extend(form_problems(queue))
    return queue, problems


def _claims():
    return Claim.objects.select_related("source", "speaker").prefetch_related("subjects")


def _initial(claim: Claim) -> dict:
    subjects = [actor.slug for actor in claim.subjects.all()]
    return {
        "statement": claim.statement,
        "modality": claim.modality,
        "about": str(claim.about) if claim.about else "",
        "subjects": subjects,
        "speaker": [claim.speaker.slug] if claim.speaker else [],
        "attributed_to": claim.attributed_to,
        "credibility": claim.credibility,
    }


def _render(
    request, queue: QueueForm, problems: Problems, *, claim=None, form=None, missing=(), draft_forms=None, status=200
):
    """The desk at ``claim`` (or at the queue's next claim), as a whole page or as the fragment JavaScript swaps in.

    ``?claim=`` shows that claim even when it no longer waits (after a draft accepted it, or
    when an editor comes from the claim's page to review its drafts), without the decision form.
    """
    data = queue.cleaned_data if hasattr(queue, "cleaned_data") else {}
    order = data.get("order") or "oldest"
    source_id, subject_ids = data.get("source"), data.get("subject") or []
    after = None
    if claim is None and data.get("claim"):
        claim = _claims().filter(pk=data["claim"]).first()
        if claim is None:
            problems.add(f"There is no claim #{data['claim']}; showing the next one that waits for review.")
    if claim is None and data.get("after"):
        after = Claim.objects.filter(pk=data["after"]).only("pk", "created_at").first()
    if claim is not None and claim.status != ClaimStatus.PROPOSED:
        place = DeskPlace(claim=claim, waiting=review_queue(source=source_id, subjects=subject_ids).count(), position=0)
    else:
        place = desk_place(source=source_id, subjects=subject_ids, order=order, after=after, claim=claim)
    claim = place.claim
    kept = queue.kept()
    context = {
        "queue": queue,
        "problems": problems,
        "place": place,
        "claim": claim,
        "order": order,
        "kept": kept,
        "filter_source": Source.objects.only("pk", "title").filter(pk=source_id).first() if source_id else None,
        "filter_subjects": list(Actor.objects.filter(pk__in=subject_ids).only("pk", "slug", "name"))
        if subject_ids
        else [],
        "missing": missing,
        "draft_kinds": DRAFT_FROM_CLAIM_KINDS,
    }
    if claim is None:
        context["waiting_drafts"], context["drafts_waiting"] = waiting_drafts(source=source_id)
    else:
        here = queue.kept(claim=claim.pk)
        context["paragraph"] = paragraphs_html([quote_in_paragraph(claim.source.text, claim)], focus=claim.pk)[0]
        context["waits"] = claim.status == ClaimStatus.PROPOSED
        context["form"] = form or DecisionForm(initial=_initial(claim))
        context["subjects"] = list(claim.subjects.all())
        context["action"] = reverse("kb:review-decide", args=[claim.pk]) + (f"?{kept}" if kept else "")
        context["next_url"] = reverse("kb:review") + "?" + queue.kept(after=claim.pk)
        context["draft_action_query"] = here
        given = draft_forms or {}
        drafts = claim_drafts(claim)
        context["drafts"] = [given.get(d.pk) or DraftForm(draft=d) for d in drafts.own]
        context["name_drafts"] = [given.get(d.pk) or DraftForm(draft=d) for d in drafts.names]
        context["names_waiting"] = drafts.names_waiting
        # A new name sent back with an error stays in view.
        context["names_open"] = any(d.pk in given for d in drafts.names)
    status = max(status, problems.status) if problems else status
    fragment = request.headers.get(FRAGMENT_HEADER) == "1"
    context["fragment"] = fragment
    template = "kb/partials/desk_claim.html" if fragment else "kb/desk.html"
    return render(request, template, context, status=status)


@require_safe
@editors_only
def desk(request):
    """The next proposed claim of the queue (its filters and order in the address), ready for a decision."""
    queue, problems = _queue(request)
    return _render(request, queue, problems)


def _changes(claim: Claim, data: dict) -> dict:
    """The fields the editor changed, as claim_update's keywords."""
    changes = {}
    for name in ("statement", "modality", "attributed_to", "credibility"):
        if data[name] != getattr(claim, name):
            changes[name] = data[name]
    if data["about"] != claim.about:
        changes["about_on"] = data["about"]
    subjects = sorted(data["subjects"])
    if subjects != sorted(actor.pk for actor in claim.subjects.all()):
        changes["subjects"] = list(Actor.objects.filter(pk__in=subjects))
    speaker = data["speaker"][0] if data["speaker"] else None
    if speaker != claim.speaker_id:
        changes["speaker"] = Actor.objects.get(pk=speaker) if speaker else None
    return changes


@require_POST
@editors_only
def decide(request, pk: int):
    """Accept, reject, dispute or skip one claim, with the editor's corrections and note; then the next claim."""
    claim = get_object_or_404(_claims(), pk=pk)
    queue, problems = _queue(request)
    nxt = reverse("kb:review") + "?" + queue.kept(after=claim.pk)
    if request.POST.get("decision") == "skip":  # nothing changes, whatever the fields say
        return HttpResponseRedirect(nxt, status=303)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render(request, queue, problems, claim=claim, form=form, status=400)
    if claim.status != ClaimStatus.PROPOSED:
        problems.add(f"Claim #{claim.pk} was {claim.get_status_display().lower()} meanwhile; nothing changed.")
        return _render(request, queue, problems, status=409)
    missing = form.needs_confirmation()
    if missing:
        data = request.POST.copy()
        data["confirm"] = "1"
        return _render(request, queue, problems, claim=claim, form=DecisionForm(data), missing=missing)
    note = form.cleaned_data["note"]
    try:
        services.claim_update(
            claim,
            user=request.user,
            status=form.status,
            review_note=note,
            reason=note,  # the review note whole; history keeps it shortened
            **_changes(claim, form.cleaned_data),
        )
    except ValidationError as exc:
        for line in error_lines(exc):
            form.add_error(None, line)
        claim.refresh_from_db()
        return _render(request, queue, problems, claim=claim, form=form, status=400)
    return HttpResponseRedirect(nxt, status=303)


def _back_to(queue: QueueForm, claim_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("kb:review") + "?" + queue.kept(claim=claim_id), status=303)


@require_POST
@editors_only
def decide_draft(request, pk: int):
    """Accept (with the editor's corrections) or reject one draft record; then the desk at the same claim."""
    draft = get_object_or_404(Draft, pk=pk)
    queue, problems = _queue(request)
    claim_id = queue.cleaned_data.get("claim") if queue.is_valid() else None
    form = DraftForm(request.POST, draft=draft)
    if claim_id is None:
        first = draft.claims.order_by("pk").first()
        claim_id = first.pk if first else None
    claim = _claims().filter(pk=claim_id).first() if claim_id else None
    if draft.status != DraftStatus.PROPOSED:
        problems.add(f"Draft #{draft.pk} was {draft.get_status_display().lower()} meanwhile; nothing changed.")
        return _render(request, queue, problems, claim=claim, status=409)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "reject":
                # No reason of the desk's own: the service's ("draft #N rejected: note") says more.
                services.draft_reject(draft, user=request.user, note=note)
            else:
                alias_of = form.cleaned_data.get("alias_of") or []
                services.draft_accept(
                    draft,
                    user=request.user,
                    note=note,
                    data=form.overrides(),
                    actor=Actor.objects.get(pk=alias_of[0]) if alias_of else None,
                )
        except ValidationError as exc:
            for key, messages in messages_by_field(exc).items():
                field = "alias_of" if key == "actor" and "alias_of" in form.fields else key
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return _back_to(queue, claim_id) if claim_id else HttpResponseRedirect(reverse("kb:review"), status=303)
    if claim is None:
        problems.extend(form_problems(form))
    return _render(request, queue, problems, claim=claim, draft_forms={draft.pk: form}, status=400)


@require_POST
@editors_only
def draft_from_claim(request, pk: int):
    """Draft an event, transfer, relationship or agreement milestone from a claim; then the desk at that claim."""
    claim = get_object_or_404(_claims(), pk=pk)
    queue, problems = _queue(request)
    try:
        services.draft_from_claim(claim, user=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as exc:
        problems.extend(error_lines(exc))
        return _render(request, queue, problems, claim=claim, status=400)
    return _back_to(queue, claim.pk)
