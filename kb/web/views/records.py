"""Agreements, the arms-transfer register (with its CSV) and the events timeline."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.utils import timezone

from kb.choices import DatePrecision
from kb.dates import PartialDate, period_start
from kb.exports import csv_response, sipri_response
from kb.filtersets import AgreementFilterSet, ArmsTransferFilterSet, EventFilterSet
from kb.models import Actor, Agreement, ArmsTransfer, Event, Provision
from kb.selectors import (
    EventTimeline,
    event_timeline,
    is_editor,
    party_links,
    visible_claim_count,
    visible_evidence,
    visible_records,
)
from kb.selectors.cache import cached
from kb.web.common import Problems, paginate
from kb.web.forms import AgreementFilterForm, EventFilterForm, TransferFilterForm, form_problems
from kb.web.sorting import chosen_ordering, order_fields, sort_columns
from kb.web.svg import Bar, TimelineItem, bar_chart_layout, timeline_layout

# The columns each list sorts by: the FilterSet's ``ordering`` keys (the API's), with their headers.
AGREEMENT_SORTS = {"title": "Title", "status": "Status", "signed_on": "Signed", "in_force_on": "In force"}
TRANSFER_SORTS = {
    "supplier": "Supplier",
    "recipient": "Recipient",
    "category": "Category",
    "quantity_high": "Quantity",
    "start_on": "Period",
    "status": "Status",
}
EVENT_SORTS = {"start_on": "Date", "title": "Title", "kind": "Kind"}

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
        .order_by(*order_fields(filterset, ("-signed_on", "title")))
    )
    page = paginate(request, agreements, problems)
    sort = sort_columns(request, filterset, AGREEMENT_SORTS)
    context = {"page": page, "filterset": filterset, "problems": problems, "sort": sort}
    return render(request, "kb/agreement_list.html", context, status=problems.status)


def agreement_detail(request, slug: str):
    """One agreement: parties and signatories, dates, status, provisions and the claims behind them."""
    user = request.user
    agreement = get_object_or_404(
        visible_records(user=user, queryset=Agreement.objects.select_related("signed_place")).prefetch_related(
            party_links(evidence=True, user=user),
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
    form = data.pop("format", ["html"])[-1]
    wants_sipri = form == "sipri" or request.path.endswith(".sipri.csv")
    wants_csv = wants_sipri or form == "csv" or request.path.endswith(".csv")
    filterset = ArmsTransferFilterSet(
        data, queryset=ArmsTransfer.objects.all(), request=request, form_class=TransferFilterForm
    )
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    transfers = (
        visible_records(user=user, queryset=filterset.qs)
        .select_related("supplier", "recipient")
        .prefetch_related(visible_evidence(user=user, to_attr="visible_evidence"))
        .order_by(*order_fields(filterset, ("-start_on", "supplier__name", "recipient__name", "pk")))
    )
    first = (chosen_ordering(filterset) or [""])[0].lstrip("-")
    if first in ("supplier", "recipient"):
        # Names are never empty: this keeps every row, and lets SQLite read a page in name order from
        # the actors' name index instead of sorting every transfer (as the API's list does).
        transfers = transfers.filter(**{f"{first}__name__gt": ""})
    if wants_sipri and not problems:
        # SIPRI's Trade Register layout, which ``import_sipri`` reads back.
        return sipri_response(transfers, user=user, filename=f"kb-arms-transfers-sipri-{timezone.now():%Y%m%d}")
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
    context = {
        "page": page,
        "filterset": filterset,
        "problems": problems,
        "csv_query": query.urlencode(),
        "sort": sort_columns(request, filterset, TRANSFER_SORTS),
    }
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
        return list(Actor.objects.filter(pk__in=top).order_by("sort_name", "pk").values_list("slug", "name"))

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


# Above this many dated events the timeline counts them per period instead of drawing each one.
TIMELINE_EVENTS = 60
# The most periods (bars) a counted timeline has; the finest unit that fits is used.
TIMELINE_PERIODS = 40
_COARSER = {
    DatePrecision.DAY: DatePrecision.MONTH,
    DatePrecision.MONTH: DatePrecision.YEAR,
    DatePrecision.YEAR: DatePrecision.DECADE,
}


def event_list(request):
    """The events on a timeline and in a paginated list; when there are many, the timeline counts them per period.

    Up to ``TIMELINE_EVENTS`` dated events are each drawn (points for days, spans for
    coarser or lasting dates); beyond that the picture has a bar per year (per decade or
    more over a long span, per month or day over a short one), each a link that zooms to
    its period through the ``date_from``/``date_to`` filters. The page reads the events
    grouped by period and one page of the list, whatever the knowledge base holds.
    """
    user = request.user
    problems = Problems()
    filterset = EventFilterSet(request.GET, queryset=Event.objects.all(), request=request, form_class=EventFilterForm)
    if not filterset.is_valid():
        problems.extend(form_problems(filterset.form))
    events = visible_records(user=user, queryset=filterset.qs)
    window = (filterset.form.cleaned_data.get("date_from"), filterset.form.cleaned_data.get("date_to"))
    today = timezone.localdate()
    # The same for every reader of the same filters until the data changes: kept under the data's version.
    found = cached(
        f"event-timeline:{_filters_key(filterset.form, today)}",
        lambda: event_timeline(
            queryset=events, today=today, window=window, draw_at_most=TIMELINE_EVENTS, most_periods=TIMELINE_PERIODS
        ),
        user=user,
    )
    rows = events.select_related("place").order_by(*order_fields(filterset, ("start_on", "title", "pk")))
    page = paginate(request, rows, problems, count=found.total)
    span = (window[0].start if window[0] else None, window[1].end if window[1] else None)
    timeline = timeline_layout(
        (
            TimelineItem(label=e.title, url=e.get_absolute_url(), start=e.start, end=e.end, kind=e.kind)
            for e in found.events
        ),
        today=today,
        window=span,
    )
    context = {
        "page": page,
        "found": found,
        "summary": _timeline_summary(found),
        "timeline": timeline,
        "chart": bar_chart_layout(_period_bars(request, found)),
        "zoom_out": _zoom_out(request, window),
        "zoom": _zoom_in(request, found, today),
        "filterset": filterset,
        "problems": problems,
        "sort": sort_columns(request, filterset, EVENT_SORTS),
    }
    return render(request, "kb/event_list.html", context, status=problems.status)


def _filters_key(form, today) -> str:
    """The filters a list applied (the valid ones), the day and the thresholds: what its timeline depends on."""
    applied = sorted((name, repr(value)) for name, value in form.cleaned_data.items() if name != "ordering")
    return repr((applied, today.isoformat(), TIMELINE_EVENTS, TIMELINE_PERIODS))


def _events(count: int) -> str:
    return f"{count:,} event{pluralize(count)}"


def _timeline_summary(found: EventTimeline) -> str:
    """What the picture shows, in words: "4,855 events, counted per year; choose a year to zoom in"."""
    text = _events(found.total)
    if found.unit:
        # A period's count is what its zoom lists: at most TIMELINE_EVENTS are drawn one by one there.
        most = max(count for _, count in found.periods)
        then = "see its events" if most <= TIMELINE_EVENTS else "zoom in"
        text += f", counted per {found.unit}; choose a {found.unit} to {then}"
    if found.undated:
        text += f" ({found.undated:,} without a date {'is' if found.undated == 1 else 'are'} in the list only)"
    return text


def _with(request, **params: str | None) -> str:
    """The address of this page with ``params`` set (None removes one), from its first page."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in params.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return f"?{query.urlencode()}" if query else request.path


def _period_bars(request, found: EventTimeline) -> list[Bar]:
    bars = []
    for i, (period, count) in enumerate(found.periods):
        note = ""
        if period.unit == "month" and (i == 0 or period.start.month == 1):
            note = str(period.start.year)
        elif period.unit == "day" and (i == 0 or period.start.day == 1):
            note = f"{period.start:%b} {period.start.year}"
        bars.append(
            Bar(
                label=period.short_name,
                title=f"{period.name}: {_events(count)}",
                count=count,
                url=_with(request, **period.query) if count else "",
                note=note,
            )
        )
    return bars


def _zoom_in(request, found: EventTimeline, today) -> list[tuple[str, str, bool]]:
    """Links (label, address, current) to each decade and year that holds the events shown, other filters kept."""
    links = []
    for period in found.zoom_periods(today=today):
        query = period.query
        current = all(request.GET.get(name) == value for name, value in query.items())
        links.append((period.short_name, _with(request, **query), current))
    return links


def _zoom_out(request, window: tuple[PartialDate | None, PartialDate | None]) -> list[tuple[str, str]]:
    """Links (label, address) out of a zoom: to the period around it, and to all dates (other filters kept)."""
    if window == (None, None):
        return []
    links = []
    first, last = window
    if first is not None and first == last and first.precision in _COARSER:
        around = PartialDate(period_start(first.start, _COARSER[first.precision]), _COARSER[first.precision])
        links.append((around.display(), _with(request, date_from=str(around), date_to=str(around))))
    links.append(("all dates", _with(request, date_from=None, date_to=None)))
    return links


def event_detail(request, slug: str):
    """One event: when and where, who took part, and the claims that say so."""
    user = request.user
    event = get_object_or_404(
        visible_records(user=user, queryset=Event.objects.select_related("place")).prefetch_related(
            Prefetch("participants", queryset=Actor.objects.order_by("kind", "sort_name")), visible_evidence(user=user)
        ),
        slug=slug,
    )
    return render(request, "kb/event_detail.html", {"event": event, "editor": is_editor(user)})
