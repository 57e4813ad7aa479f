"""The changes page: what was accepted or edited since a date, newest first, from the records' history."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import urlencode

from kb.models import Actor
from kb.selectors import is_editor
from kb.selectors.watch import CHANGES_PER_PAGE, CHANGES_SCAN, accepted_changes
from kb.web.common import Problems
from kb.web.forms import CHANGES_DEFAULT_DAYS, ChangesForm, default_since, form_problems


def changes(request):
    """Versions saved since ``?since=`` (default: the last 30 days) that the reader may see, 50 a page."""
    problems = Problems()
    form = ChangesForm(request.GET)
    form.is_valid()
    if form.errors:
        problems.extend(form_problems(form))
    data = form.cleaned_data
    if "since" not in data:  # not a date: the default period, with the message
        data["since"] = default_since()
    found = accepted_changes(
        user=request.user,
        since=data["since"],
        before=data.get("before"),
        actors=data.get("actor") or [],
        types=tuple(data.get("type") or ()),
        limit=CHANGES_PER_PAGE,
    )
    kept = [(name, value) for name, value in request.GET.lists() if name != "before" for value in value]
    older = f"?{urlencode([*kept, ('before', found.older)])}" if found.older else ""
    latest = f"?{urlencode(kept)}" if kept else request.path
    context = {
        "form": form,
        "changes": found.changes,
        "older": older,
        "latest": latest,
        "scanned_out": found.scanned_out,
        "since": data["since"],
        "actors": Actor.objects.filter(pk__in=data.get("actor") or []).only("slug", "name"),
        "paged": bool(data.get("before")),
        "types_on": request.GET.getlist("type"),
        "per_page": CHANGES_PER_PAGE,
        "scan": CHANGES_SCAN,
        "default_days": CHANGES_DEFAULT_DAYS,
        "editor": is_editor(request.user),
        "problems": problems,
    }
    return render(request, "kb/changes.html", context, status=problems.status)
