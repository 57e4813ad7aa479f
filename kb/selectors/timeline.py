"""Events over time at any scale: each event when there are few, how many per period when there are many.

The counts come from the database grouped by period (one row per period of start, period
of end and precision, never one per event), and they count as the ``date_from``/``date_to``
filters match: an event is counted in every period that its own period overlaps, from its
start to the end of its end (or of its start when it has no end). So a period's count is
the number of events that its zoom (``?date_from=<period>&date_to=<period>``) lists: "the
2020s" counts in every year of the decade, and a war in every year it lasted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, CharField, Count, DateField, F, Func, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce

from kb.choices import DatePrecision
from kb.dates import PartialDate, period_start
from kb.models import Event

# Periods from the finest; a picture counts per the finest unit that needs at most ``most_periods`` bars.
UNITS = ("day", "month", "year", "decade", "century", "millennium")
_YEARS = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}


@dataclass(frozen=True)
class Period:
    """A day, month, year, decade, century or millennium: what one bar of the picture counts."""

    unit: str
    start: dt.date
    end: dt.date

    @property
    def first(self) -> PartialDate:
        """The period's ``date_from``."""
        if self.unit == "day":
            return PartialDate(self.start, DatePrecision.DAY)
        if self.unit == "month":
            return PartialDate(self.start, DatePrecision.MONTH)
        if self.unit in ("year", "century", "millennium"):
            return PartialDate(self.start, DatePrecision.YEAR)
        return PartialDate(self.start, DatePrecision.DECADE)

    @property
    def last(self) -> PartialDate:
        """The period's ``date_to``."""
        if self.unit in ("century", "millennium"):
            return PartialDate(period_start(self.end, DatePrecision.DECADE), DatePrecision.DECADE)
        return self.first

    @property
    def query(self) -> dict[str, str]:
        """The date filters that list this period's events."""
        return {"date_from": str(self.first), "date_to": str(self.last)}

    @property
    def name(self) -> str:
        """In words: 13 September 2023, September 2023, 2023, the 2020s, 1900–1999."""
        if self.unit in ("day", "month", "year", "decade"):
            return self.first.display()
        return f"{self.start.year}–{self.end.year}"

    @property
    def short_name(self) -> str:
        """As the picture's axis names it: 13, Sep, 2023, 2020s, 1900–1999."""
        if self.unit == "day":
            return str(self.start.day)
        if self.unit == "month":
            return f"{self.start:%b}"
        if self.unit == "year":
            return str(self.start.year)
        if self.unit == "decade":
            return f"{self.start.year}s"
        return self.name


def period_of(day: dt.date, unit: str) -> Period:
    """The period of ``unit`` that contains ``day``."""
    if unit == "day":
        return Period(unit, day, day)
    if unit == "month":
        return Period(unit, day.replace(day=1), PartialDate(day.replace(day=1), DatePrecision.MONTH).end)
    years = _YEARS[unit]
    first = day.year // years * years
    return Period(unit, dt.date(max(first, 1), 1, 1), dt.date(min(first + years - 1, 9999), 12, 31))


def _count_between(first: dt.date, last: dt.date, unit: str) -> int:
    if unit == "day":
        return (last - first).days + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    years = _YEARS[unit]
    return last.year // years - first.year // years + 1


# A zoom offers each year that holds events when there are at most this many of them.
ZOOM_YEARS = 24


def zoom_periods(spans: Iterable[tuple[dt.date, dt.date]], *, today: dt.date, years: bool = True) -> list[Period]:
    """The decades (when more than one) and years (when ``years`` and few) that the periods ``spans`` reach into.

    A period still going on (its end after ``today``, as "the 2020s" is) reaches to today.
    """
    held: set[int] = set()
    for start, end in spans:
        last = min(end, max(today, start))
        held.update(range(start.year, min(last.year, start.year + 1000) + 1))
    decades = sorted({year // 10 * 10 for year in held})
    zoom = [period_of(dt.date(max(decade, 1), 1, 1), "decade") for decade in decades] if len(decades) > 1 else []
    if years and len(held) <= ZOOM_YEARS:
        zoom += [period_of(dt.date(year, 1, 1), "year") for year in sorted(held)]
    return zoom


def periods_between(first: dt.date, last: dt.date, *, most: int) -> list[Period]:
    """The periods from ``first`` to ``last`` of the finest unit that needs at most ``most`` of them."""
    if most < 10:
        raise ValueError(f"most={most}: at least 10 periods are needed to cover any span of years.")
    unit = next(u for u in UNITS if _count_between(first, last, u) <= most)
    periods = [period_of(first, unit)]
    while periods[-1].end < last:
        periods.append(period_of(periods[-1].end + dt.timedelta(days=1), unit))
    return periods


class PeriodKey(Func):
    """A date's day, month or year as a partial date (``2023-09-13``, ``2023-09``, ``2023``), computed in SQL.

    Built-in SQL on both databases: Django's ``Trunc`` on SQLite calls back into Python for every row.
    """

    output_field = CharField()
    _LENGTHS = {"year": 4, "month": 7, "day": 10}
    _FORMATS = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}

    def __init__(self, expression, unit: str) -> None:
        super().__init__(expression)
        self.unit = unit

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template=f"TO_CHAR(%(expressions)s, '{self._FORMATS[self.unit]}')", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps dates as ISO 8601 text.
        return super().as_sql(compiler, connection, template=f"SUBSTR(%(expressions)s, 1, {self._LENGTHS[self.unit]})")


def period_end(date: dt.date, precision: str) -> dt.date:
    """The last day of the period of ``precision`` that contains ``date``."""
    return PartialDate(period_start(date, precision), precision).end


@dataclass
class _Group:
    """Events whose (clamped) start and end fall in the same periods, end known to the same precision."""

    start: dt.date  # first day of the period of the start
    end: dt.date  # a day in the period of the end
    precision: str  # of the end (of the start when the event has no end)
    count: int
    first: dt.date  # the earliest start in the group
    last_start: dt.date  # the latest start
    last: dt.date  # the latest end date (a first day at ``precision``)

    @property
    def end_day(self) -> dt.date:
        return period_end(self.end, self.precision)

    @property
    def last_day(self) -> dt.date:
        return period_end(self.last, self.precision)


def _groups(
    queryset: models.QuerySet[Event], unit: str, lo: dt.date | None, hi: dt.date | None
) -> tuple[list[_Group], int]:
    """The events of ``queryset`` grouped by the periods of ``unit`` (day, month or year) of their start and end.

    Starts before ``lo`` count as ``lo``, ends after ``hi`` as ``hi``, so the number of groups
    follows the periods between them, not the events. Also returns the number of undated events.
    """
    start = F("start_on")
    if lo is not None:
        start = Case(When(start_on__lt=lo, then=Value(lo)), default=F("start_on"), output_field=DateField())
    end = Coalesce("end_on", "start_on", output_field=DateField())
    if hi is not None:
        after = Q(end_on__gt=hi) | Q(end_on__isnull=True, start_on__gt=hi)
        end = Case(When(after, then=Value(hi)), default=end, output_field=DateField())
    precision = Case(When(end_on__isnull=True, then=F("start_on_precision")), default=F("end_on_precision"))
    rows = (
        queryset.order_by()
        .values(s=PeriodKey(start, unit), e=PeriodKey(end, unit), p=precision)
        .annotate(n=Count("pk"), first=Min(start), last_start=Max(start), last=Max(end))
    )
    groups, undated = [], 0
    for row in rows:
        if row["s"] is None:
            undated += row["n"]
            continue
        start_day, end_day = PartialDate.parse(row["s"]).start, PartialDate.parse(row["e"]).start
        groups.append(_Group(start_day, end_day, row["p"], row["n"], row["first"], row["last_start"], row["last"]))
    return groups, undated


@dataclass
class EventTimeline:
    """What the timeline of a list of events shows: the events themselves, or how many fall in each period."""

    total: int  # the events listed, dated or not
    undated: int
    first: dt.date | None = None  # the span of the picture: the earliest start…
    last: dt.date | None = None  # …to the latest end, stopped at today unless an event starts later
    events: list[Event] = field(default_factory=list)  # every dated event, when there are few
    periods: list[tuple[Period, int]] = field(default_factory=list)  # otherwise, each period and its count

    @property
    def dated(self) -> int:
        return self.total - self.undated

    @property
    def unit(self) -> str:
        """The unit the events are counted per, or "" when each event is drawn."""
        return self.periods[0][0].unit if self.periods else ""

    def zoom_periods(self, *, today: dt.date) -> list[Period]:
        """The decades and years that hold events, to zoom to; from what the timeline already read."""
        if self.events:
            return zoom_periods(((e.start.start, (e.end or e.start).end) for e in self.events), today=today)
        if self.unit in ("year", "month", "day", "decade"):
            spans = ((period.start, period.end) for period, count in self.periods if count)
            return zoom_periods(spans, today=today, years=self.unit != "decade")
        return []  # counted per century or more: the bars themselves zoom


def event_timeline(
    *,
    queryset: models.QuerySet[Event],
    today: dt.date,
    window: tuple[PartialDate | None, PartialDate | None] = (None, None),
    draw_at_most: int,
    most_periods: int = 40,
) -> EventTimeline:
    """The timeline of the events of ``queryset``: each one if at most ``draw_at_most`` are dated, else counts.

    ``window`` is the range the list is filtered to (its ``date_from`` and ``date_to``): the
    picture covers no more than it. Its span stops at ``today``: an event known only to this
    decade, or still going on, does not stretch it into the future. Two queries: the events
    grouped by year (their number, span and yearly counts), then the events to draw or,
    when the span is short enough to count per month or day, those groups.
    """
    lo = window[0].start if window[0] else None
    hi = window[1].end if window[1] else None
    groups, undated = _groups(queryset, "year", lo, hi)
    timeline = EventTimeline(total=undated + sum(g.count for g in groups), undated=undated)
    if not groups:
        return timeline
    timeline.first = min(g.first for g in groups)
    # Periods end at today; only an event that starts later carries the span beyond it.
    last = max(min(max(g.last_day for g in groups), today), max(g.last_start for g in groups))
    timeline.last = max(min(last, hi) if hi else last, timeline.first)
    if timeline.dated <= draw_at_most:
        timeline.events = list(queryset.filter(start_on__isnull=False).order_by("start_on", "title", "pk"))
        return timeline
    periods = periods_between(timeline.first, timeline.last, most=most_periods)
    if periods[0].unit in ("month", "day"):
        groups, _ = _groups(queryset, periods[0].unit, timeline.first, timeline.last)
    counts = dict.fromkeys(periods, 0)
    for group in groups:
        start, end = group.start, group.end_day
        for period in periods:
            if period.start <= end and start <= period.end:
                counts[period] += group.count
    timeline.periods = list(counts.items())
    return timeline
