"""Layouts for the server-drawn pictures: the timeline, the relationship graph and a dossier's neighbours.

Everything here is plain geometry computed in Python and handed to templates, which
draw it as inline SVG (and escape every label). Layouts are deterministic: the same
records always give the same picture (the graph's spring layout starts from a fixed seed).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import networkx
import numpy.random  # noqa: F401  networkx's layouts import it on first use: import it with the app instead

from kb.choices import DatePrecision
from kb.dates import PartialDate

# --- timeline -----------------------------------------------------------------------

_COARSENESS = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2, DatePrecision.DECADE: 3}


@dataclass
class TimelineItem:
    """One thing on a timeline: a period from ``start`` to ``end`` (or just ``start``)."""

    label: str
    url: str
    start: PartialDate
    end: PartialDate | None = None
    kind: str = ""
    # Filled in by the layout.
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    shape: str = "point"
    precision: str = DatePrecision.DAY
    label_x: float = 0.0
    label_anchor: str = "start"
    label_lines: list[tuple[float, str]] = field(default_factory=list)  # (baseline, text): the whole label, wrapped
    label_box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom

    @property
    def when(self) -> str:
        if self.end and self.end != self.start:
            return f"{self.start.display()} – {self.end.display()}"
        return self.start.display()


@dataclass
class Tick:
    x: float
    label: str
    major: bool = True
    anchor: str = "middle"


@dataclass
class Timeline:
    items: list[TimelineItem]
    ticks: list[Tick]
    width: int
    height: int
    axis_y: float
    top: float
    first: dt.date  # the axis: from the first day drawn…
    last: dt.date  # …to the last (today for what is still going on)
    narrow: Timeline | None = None  # the same items laid out for a phone's width


CHAR_WIDTH = 6.6  # the mean advance of a 12px system-ui character, a little generous
LINE_HEIGHT = 15


def wrap(text: str, chars: int) -> list[str]:
    """``text`` in lines of at most ``chars`` characters, broken between words (inside a word only if it is longer)."""
    return textwrap.wrap(text, max(chars, 8), break_on_hyphens=False) or [text]


def _tick_step(years: float, most: int = 12) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if years / step <= most:
            return step
    return 200


def _drawn(item: TimelineItem, today: dt.date, lo: dt.date | None, hi: dt.date | None) -> tuple[dt.date, dt.date]:
    """The first and last day drawn of an item: its period, stopped at today and cut to the window."""
    start, end = item.start.start, (item.end or item.start).end
    if start <= today:  # a period known only to this year or decade, or still lasting, is drawn up to today
        end = min(end, today)
    if lo is not None:
        start = max(start, lo)
    if hi is not None:
        end = min(end, hi)
    return start, max(start, end)


def _axis(
    first: dt.date, last: dt.date, most_ticks: int = 12
) -> tuple[dt.date, dt.date, list[tuple[dt.date, str, bool]]]:
    """Where the axis starts and ends, and its ticks (day, label, major), for a span from ``first`` to ``last``.

    The axis runs from ``first``'s month (or quarter, or year) to the end of ``last``'s:
    no padding to a round number. No tick is drawn at the end, so the last label is the
    last month or year drawn.
    """
    ticks: list[tuple[dt.date, str, bool]] = []
    if (last - first).days <= 62:  # a month or two: weekly ticks
        lo, hi = first.replace(day=1), PartialDate(last.replace(day=1), DatePrecision.MONTH).end + dt.timedelta(days=1)
        month = lo
        while month < hi:
            for d in (1, 8, 15, 22):
                tick = month.replace(day=d)
                if d > 1:
                    ticks.append((tick, str(d), False))
                elif tick == lo or tick.month == 1:
                    ticks.append((tick, f"{tick:%b} {tick.year}", True))
                else:
                    ticks.append((tick, f"{tick:%b}", True))
            month = PartialDate(month, DatePrecision.MONTH).end + dt.timedelta(days=1)
        return lo, hi, ticks
    span_years = last.year - first.year + 1
    if span_years <= 3:
        lo = dt.date(first.year, 1, 1) if first.month <= 3 else dt.date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
        hi = dt.date(last.year + 1, 1, 1)
        year, month = lo.year, lo.month
        while dt.date(year, month, 1) < hi:
            day = dt.date(year, month, 1)
            ticks.append((day, str(year) if month == 1 else f"{day:%b}", month == 1))
            month += 3 if span_years > 1 else 1
            if month > 12:
                year, month = year + 1, month - 12
        return lo, hi, ticks
    step = _tick_step(span_years, most_ticks)
    lo = dt.date(first.year, 1, 1)
    hi = dt.date(min(last.year + 1, 9999), 1, 1)
    # The first year drawn, then the round years after it.
    years = [lo.year] + [y for y in range(-(-lo.year // step) * step, hi.year, step) if y > lo.year]
    ticks.extend((dt.date(year, 1, 1), str(year), True) for year in years)
    return lo, hi, ticks


def _place_label(item: TimelineItem, width: int, margin: int) -> None:
    """Put the whole label beside its mark, wrapped to the room there, or under it across the picture."""
    right_room = width - margin - (item.x + item.width + 8)
    left_room = item.x - 8 - margin
    need = len(item.label) * CHAR_WIDTH
    if need <= right_room:
        lines, item.label_x, item.label_anchor = [item.label], item.x + item.width + 8, "start"
    elif need <= left_room:
        lines, item.label_x, item.label_anchor = [item.label], item.x - 8, "end"
    elif max(right_room, left_room) >= 16 * CHAR_WIDTH:  # room for a few words a line: wrap beside the mark
        room = max(right_room, left_room)
        lines = wrap(item.label, int(room // CHAR_WIDTH))
        if right_room >= left_room:
            item.label_x, item.label_anchor = item.x + item.width + 8, "start"
        else:
            item.label_x, item.label_anchor = item.x - 8, "end"
    else:  # a long span or a narrow picture: the label runs under the mark, across the picture
        lines = wrap(item.label, int((width - 2 * margin) // CHAR_WIDTH))
        text_width = max(len(line) for line in lines) * CHAR_WIDTH
        item.label_x, item.label_anchor = max(min(item.x, width - margin - text_width), margin), "start"
        item.label_lines = [(round(item.y + 8 + LINE_HEIGHT * (n + 1), 1), line) for n, line in enumerate(lines)]
    if not item.label_lines:
        item.label_lines = [(round(item.y + 4 + LINE_HEIGHT * n, 1), line) for n, line in enumerate(lines)]
    item.label_x = round(item.label_x, 1)
    text_width = max(len(line) for line in lines) * CHAR_WIDTH
    left = {"start": item.label_x, "end": item.label_x - text_width}[item.label_anchor]
    item.label_box = (
        round(left, 1),
        round(item.label_lines[0][0] - 11, 1),
        round(left + text_width, 1),
        round(item.label_lines[-1][0] + 3, 1),
    )


def _timeline(
    items: list[TimelineItem],
    *,
    today: dt.date,
    window: tuple[dt.date | None, dt.date | None],
    width: int,
) -> Timeline:
    items = [replace(item, label_lines=[]) for item in items]
    lo_limit, hi_limit = window
    drawn = [_drawn(item, today, lo_limit, hi_limit) for item in items]
    first = lo_limit or min(start for start, _ in drawn)
    last = max(end for _, end in drawn)
    if hi_limit is not None:
        last = max(min(hi_limit, max(today, last)), last)
    lo, hi, tick_days = _axis(first, last, most_ticks=max(width // 80, 4))
    margin, top = 12, 34
    inner = width - 2 * margin
    days = max((hi - lo).days, 1)

    def x_of(day: dt.date) -> float:
        return round(margin + (day - lo).days / days * inner, 1)

    ticks = []
    shown_until = -math.inf
    for day, label, major in tick_days:
        tick = Tick(x=x_of(day), label=label, major=major)
        # Labels at the picture's edges are aligned inwards so they are not cut off.
        text_width = len(label) * 6.2
        if tick.x > width - margin - text_width / 2:
            tick.anchor = "end"
        elif tick.x < margin + text_width / 2:
            tick.anchor = "start"
        left = {"start": tick.x, "middle": tick.x - text_width / 2, "end": tick.x - text_width}[tick.anchor]
        if left < shown_until + 6:  # too close to the previous label: the line stays, the label goes
            tick.label = ""
        else:
            shown_until = left + text_width
        ticks.append(tick)
    y = float(top)
    for item, (start, end) in zip(items, drawn, strict=True):
        item_end = item.end or item.start
        item.precision = max((item.start.precision, item_end.precision), key=_COARSENESS.__getitem__)
        item.x = x_of(start)
        # A period covers through its last day: draw to the start of the next.
        right = x_of(end + dt.timedelta(days=1))
        item.width = round(max(right - item.x, 3.0), 1)
        item.shape = "point" if item.precision == DatePrecision.DAY and item.end in (None, item.start) else "span"
        item.y = round(y + 6, 1)
        _place_label(item, width, margin)
        y = max(item.y + 12, item.label_box[3] + 6)
    return Timeline(
        items=items,
        ticks=ticks,
        width=width,
        height=round(y + 4),
        axis_y=top - 14,
        top=top - 6,
        first=lo,
        last=hi - dt.timedelta(days=1),
    )


def timeline_layout(
    items: Iterable[TimelineItem],
    *,
    today: dt.date,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    width: int = 960,
    narrow_width: int = 340,
) -> Timeline | None:
    """Place each item on its own row, ordered by start; spans for coarse or lasting dates, points for days.

    Periods that reach past ``today`` (a date known only to this decade, something still
    lasting) stop at today, and the axis runs from the first year (or quarter, or month)
    drawn to the last. ``window`` (first and last day, either may be None) is the range the
    items were filtered to: the axis covers it and items are cut to it. Every label is
    drawn whole, wrapped onto several lines where it does not fit. The picture is laid out
    twice: ``width`` wide, and ``narrow_width`` wide for a phone, where it is drawn at
    about its own size so its text stays legible. The same items on the same day give
    the same picture.
    """
    items = sorted(items, key=lambda i: (i.start.sort_key(), i.label))
    if not items:
        return None
    timeline = _timeline(items, today=today, window=window, width=width)
    timeline.narrow = _timeline(items, today=today, window=window, width=narrow_width)
    return timeline


@dataclass
class Bar:
    """One period of a counted timeline: how many events, and where its zoom leads."""

    label: str  # the period on the axis: 2023, 2020s, Sep, 13
    title: str  # the tooltip: "2023: 185 events"
    count: int
    url: str
    note: str = ""  # a second axis line: the year under January, the month under the 1st
    # Filled in by the layout.
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    slot_x: float = 0.0
    slot_width: float = 0.0
    centre: float = 0.0
    count_y: float = 0.0
    show_label: bool = True
    show_count: bool = True


@dataclass
class Gridline:
    y: float
    label: str

    @property
    def text_y(self) -> float:
        return round(self.y + 4, 1)


@dataclass
class BarChart:
    bars: list[Bar]
    gridlines: list[Gridline]
    width: int
    height: int
    left: float  # where the bars start; the gridlines' labels sit left of it
    top: float
    baseline: float
    label_y: float
    note_y: float
    narrow: BarChart | None = None  # the same bars laid out for a phone's width

    @property
    def label_x(self) -> float:
        return self.left - 6

    @property
    def hit_height(self) -> float:
        """A bar's link covers its whole column, down to its labels, so a short bar is easy to choose."""
        return self.note_y - self.top


def _nice_ceiling(value: int) -> tuple[int, int]:
    """A round number at least ``value`` and the step of at most four gridlines up to it."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if value <= 4 * step:
                return max(-(-value // step), 1) * step, step
        magnitude *= 10


def bar_chart_layout(
    bars: Sequence[Bar], *, width: int = 960, height: int = 240, narrow_width: int = 340
) -> BarChart | None:
    """A bar per period, heights by count on a round scale; axis labels thinned so they never overlap.

    Laid out twice: ``width`` wide, and ``narrow_width`` wide for a phone (where it is drawn
    at about its own size, so its text stays legible).
    """
    if not bars:
        return None
    chart = _bar_chart([replace(bar) for bar in bars], width=width, height=height)
    chart.narrow = _bar_chart([replace(bar) for bar in bars], width=narrow_width, height=height)
    return chart


def _bar_chart(bars: list[Bar], *, width: int, height: int) -> BarChart:
    left, right, top, bottom = 40, 12, 20, 40
    baseline = height - bottom
    plot_height = baseline - top
    slot = (width - left - right) / len(bars)
    ceiling, step = _nice_ceiling(max(max(bar.count for bar in bars), 1))
    gridlines = [
        Gridline(y=round(baseline - value / ceiling * plot_height, 1), label=f"{value:,}")
        for value in range(0, ceiling + 1, step)
    ]
    label_width = max(len(bar.label) for bar in bars) * CHAR_WIDTH + 8  # 12px system-ui
    every = max(math.ceil(label_width / slot), 1)
    for i, bar in enumerate(bars):
        bar.slot_x, bar.slot_width = round(left + i * slot, 1), round(slot, 1)
        bar.width = round(max(slot * 0.78, 1.0), 1)
        bar.x = round(left + i * slot + (slot - bar.width) / 2, 1)
        bar.centre = round(left + (i + 0.5) * slot, 1)
        bar.height = round(bar.count / ceiling * plot_height, 1) if bar.count else 0.0
        if bar.count:
            bar.height = max(bar.height, 1.5)  # one event still shows
        bar.y = round(baseline - bar.height, 1)
        bar.count_y = round(bar.y - 4, 1)
        bar.show_label = i % every == 0
        bar.show_count = bar.count > 0 and len(f"{bar.count:,}") * CHAR_WIDTH + 2 <= slot
    return BarChart(
        bars=list(bars),
        gridlines=gridlines,
        width=width,
        height=height,
        left=left,
        top=top,
        baseline=baseline,
        label_y=baseline + 15,
        note_y=baseline + 30,
    )


# --- graphs ------------------------------------------------------------------------


@dataclass
class Node:
    key: int
    label: str
    url: str
    kind: str
    x: float = 0.0
    y: float = 0.0
    degree: int = 0
    central: bool = False
    # Filled in by the label placement: the whole name, wrapped, or nothing where it fits nowhere.
    label_x: float = 0.0
    label_anchor: str = "middle"
    label_lines: list[tuple[float, str]] = field(default_factory=list)  # (baseline, text)
    label_box: tuple[float, float, float, float] | None = None

    @property
    def radius(self) -> float:
        return 11.0 if self.central else round(min(5.0 + 1.2 * self.degree, 10.0), 1)


@dataclass
class Edge:
    source: Node
    target: Node
    kind: str  # relationship, transfer, agreement
    labels: list[str] = field(default_factory=list)
    weight: int = 0  # the records behind the edge
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    # Filled in by the label placement: the label on the line, or its number (the row of the
    # graph's table) in a small disc where the label would collide, or neither.
    number: int = 0
    label_x: float = 0.0
    label_lines: list[tuple[float, str]] = field(default_factory=list)
    label_box: tuple[float, float, float, float] | None = None
    marker: tuple[float, float] | None = None  # the centre of the numbered disc

    @property
    def label(self) -> str:
        return "; ".join(self.labels)

    @property
    def marker_width(self) -> float:
        return round(self.label_box[2] - self.label_box[0], 1) if self.marker and self.label_box else 0.0


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


class GraphBuilder:
    """Collects nodes and labelled edges; parallel edges of one kind between two actors are merged."""

    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.edges: dict[tuple[int, int, str], Edge] = {}

    def node(self, actor) -> Node:
        if actor.pk not in self.nodes:
            self.nodes[actor.pk] = Node(key=actor.pk, label=actor.name, url=actor.get_absolute_url(), kind=actor.kind)
        return self.nodes[actor.pk]

    def edge(self, source, target, kind: str, label: str, weight: int = 1) -> None:
        a, b = self.node(source), self.node(target)
        edge = self.edges.get((a.key, b.key, kind))
        if edge is None:
            edge = self.edges[(a.key, b.key, kind)] = Edge(source=a, target=b, kind=kind)
            a.degree += 1
            b.degree += 1
        edge.weight += weight
        if label not in edge.labels:
            edge.labels.append(label)

    def keep_strongest(self, limit: int, order: Sequence[int]) -> None:
        """Keep at most ``limit`` edges: first each node's strongest (nodes in ``order`` of keys), then the strongest.

        An edge is stronger for more records behind it; ties go to the lower keys.
        """
        ranked = sorted(self.edges.items(), key=lambda item: (-item[1].weight, item[0]))
        strongest: dict[int, tuple[tuple[int, int, str], Edge]] = {}
        for item in ranked:
            strongest.setdefault(item[0][0], item)
            strongest.setdefault(item[0][1], item)
        kept: dict[tuple[int, int, str], Edge] = {}
        for key in order:
            if len(kept) >= limit:
                break
            if key in strongest:
                kept.setdefault(*strongest[key])
        for edge_key, edge in ranked:
            if len(kept) >= limit:
                break
            kept.setdefault(edge_key, edge)
        self.edges = kept
        for node in self.nodes.values():
            node.degree = 0
        for edge in kept.values():
            edge.source.degree += 1
            edge.target.degree += 1


def _fit(nodes: Sequence[Node], width: int, height: int, margin: float, stretch: float = 1.0) -> None:
    """Scale and centre the nodes into the picture: ``margin`` for labels at the sides, a third of it above and below.

    With ``stretch`` above 1, one axis may be scaled up to that many times the other, so a
    long thin layout fills more of the picture.
    """
    xs, ys = [n.x for n in nodes], [n.y for n in nodes]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    fit_x, fit_y = (width - 2 * margin) / span_x, (height - 2 * margin / 3) / span_y
    scale_x = min(fit_x, min(fit_x, fit_y) * stretch)
    scale_y = min(fit_y, min(fit_x, fit_y) * stretch)
    off_x = (width - span_x * scale_x) / 2
    off_y = (height - span_y * scale_y) / 2
    min_x, min_y = min(xs), min(ys)
    for n in nodes:
        n.x = round(off_x + (n.x - min_x) * scale_x, 1)
        n.y = round(off_y + (n.y - min_y) * scale_y, 1)


NODE_CHAR = 6.8  # the mean advance of a 12px system-ui character (13px bold at the centre is wider)
EDGE_CHAR = 5.7  # of a 10px one
NODE_LINE, EDGE_LINE = 14.0, 12.0
NODE_WRAP, EDGE_WRAP = 18, 26  # characters a line, for names and link labels too long for one


def _text_box(
    x: float, baselines: Sequence[float], lines: Sequence[str], anchor: str, char: float, size: float
) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) that ``lines`` of text take, the first on ``baselines[0]``."""
    width = max(len(line) for line in lines) * char
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (
        round(left - 1, 1),
        round(baselines[0] - size, 1),
        round(left + width + 1, 1),
        round(baselines[-1] + size * 0.3, 1),
    )


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box, width: float, height: float) -> bool:
    return box[0] >= 2 and box[1] >= 2 and box[2] <= width - 2 and box[3] <= height - 2


def _dots(nodes: Sequence[Node], pad: float = 2.0) -> list[tuple[float, float, float, float]]:
    return [(n.x - n.radius - pad, n.y - n.radius - pad, n.x + n.radius + pad, n.y + n.radius + pad) for n in nodes]


def _place_labels(nodes: Sequence[Node], cx: float, width: float, height: float) -> None:
    """Put each name beside its dot where it collides with no other name or dot and stays in the picture.

    Hubs are named first; the preferred side faces away from the centre. A name too long for
    one line, or that fits nowhere on one, is wrapped; one that fits nowhere at all is left
    to the dot's tooltip and the table beside the picture.
    """
    placed: list[tuple[float, float, float, float]] = []
    dots = _dots(nodes)
    for n in sorted(nodes, key=lambda n: (not n.central, -n.degree, n.label)):
        r, size = n.radius, 13.0 if n.central else 12.0
        char = NODE_CHAR * (1.1 if n.central else 1.0)
        shapes = [[n.label]] if len(n.label) <= NODE_WRAP else []
        shapes.append(wrap(n.label, NODE_WRAP))
        if len(n.label) > 10:
            shapes.append(wrap(n.label, 10))
        n.label_lines, n.label_box = [], None
        for lines in shapes:
            k = len(lines)
            beside = 4 - (k - 1) * NODE_LINE / 2  # the first baseline of lines centred on the dot
            sides = {
                "right": [(n.x + r + 4 + far, n.y + beside, "start") for far in (0, 12)],
                "left": [(n.x - r - 4 - far, n.y + beside, "end") for far in (0, 12)],
                "above": [(n.x, n.y - r - 6 - far - (k - 1) * NODE_LINE, "middle") for far in (0, 10)],
                "below": [(n.x, n.y + r + 16 + far, "middle") for far in (0, 10)],
            }
            if n.central or abs(n.x - cx) <= 40:
                order = ("above", "below", "right", "left")
            elif n.x < cx:
                order = ("left", "above", "below", "right")
            else:
                order = ("right", "above", "below", "left")
            above, below = n.y - r - 4 - (k - 1) * NODE_LINE, n.y + r + 14
            corners = [
                (n.x + r * 0.7, above, "start"),
                (n.x - r * 0.7, above, "end"),
                (n.x + r * 0.7, below, "start"),
                (n.x - r * 0.7, below, "end"),
            ]
            candidates = [sides[side][0] for side in order] + corners + [sides[side][1] for side in order]
            for x, first, anchor in candidates:
                if _try_node_label(n, x, first, anchor, lines, char, size, placed, dots, width, height):
                    break
            if n.label_box is not None:
                placed.append(n.label_box)
                break


def _try_node_label(n: Node, x, first, anchor, lines, char, size, placed, dots, width, height) -> bool:
    baselines = [round(first + i * NODE_LINE, 1) for i in range(len(lines))]
    box = _text_box(x, baselines, lines, anchor, char, size)
    if not _inside(box, width, height) or any(_overlaps(box, other) for other in (*placed, *dots)):
        return False
    n.label_x, n.label_anchor = round(x, 1), anchor
    n.label_lines, n.label_box = list(zip(baselines, lines, strict=True)), box
    return True


def _place_edge_labels(graph: Graph) -> None:
    """Write each link's label on its line where it covers no name, dot or other label; else number it.

    Every edge is numbered as its row in the graph's table. A label that fits nowhere along
    its line (or is longer than two lines) leaves a small disc with that number instead,
    where the disc fits; the table gives the label in full.
    """
    taken = [n.label_box for n in graph.nodes if n.label_box is not None] + _dots(graph.nodes)
    spots = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)
    for number, e in enumerate(graph.edges, start=1):
        e.number = number
        e.label_lines, e.label_box, e.marker = [], None, None
        lines = wrap(e.label, EDGE_WRAP)
        length = math.hypot(e.x2 - e.x1, e.y2 - e.y1) or 1.0
        nx, ny = -(e.y2 - e.y1) / length, (e.x2 - e.x1) / length  # across the line
        points = [
            (e.x1 + (e.x2 - e.x1) * t + nx * off, e.y1 + (e.y2 - e.y1) * t + ny * off)
            for t in spots
            for off in (0, 9, -9)
        ]
        if len(lines) <= 2:
            for px, py in points:
                first = py + 3.5 - (len(lines) - 1) * EDGE_LINE / 2
                baselines = [round(first + i * EDGE_LINE, 1) for i in range(len(lines))]
                box = _text_box(px, baselines, lines, "middle", EDGE_CHAR, 10.0)
                if _inside(box, graph.width, graph.height) and not any(_overlaps(box, other) for other in taken):
                    e.label_x, e.label_lines, e.label_box = round(px, 1), list(zip(baselines, lines, strict=True)), box
                    taken.append(box)
                    break
        if e.label_box is not None:
            continue
        radius = 4 + 3 * len(str(number))
        for px, py in points:
            box = (round(px - radius, 1), round(py - 7, 1), round(px + radius, 1), round(py + 7, 1))
            if _inside(box, graph.width, graph.height) and not any(_overlaps(box, other) for other in taken):
                e.marker, e.label_box = (round(px, 1), round(py, 1)), box
                taken.append(box)
                break


def _finish(builder: GraphBuilder, width: int, height: int) -> Graph:
    edges = sorted(builder.edges.values(), key=lambda e: (e.source.label, e.target.label, e.kind))
    for e in edges:
        # Stop the line at the target's rim so the arrowhead stays visible.
        dx, dy = e.target.x - e.source.x, e.target.y - e.source.y
        dist = math.hypot(dx, dy) or 1.0
        e.x1 = round(e.source.x + dx / dist * e.source.radius, 1)
        e.y1 = round(e.source.y + dy / dist * e.source.radius, 1)
        e.x2 = round(e.target.x - dx / dist * (e.target.radius + 3), 1)
        e.y2 = round(e.target.y - dy / dist * (e.target.radius + 3), 1)
    nodes = sorted(builder.nodes.values(), key=lambda n: (n.kind, n.label))
    graph = Graph(nodes=nodes, edges=edges, width=width, height=height)
    _place_edge_labels(graph)
    return graph


def _lengthwise(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points turned about their centre so that their longest extent lies across: labels run across too."""
    count = len(points)
    cx, cy = sum(p[0] for p in points) / count, sum(p[1] for p in points) / count
    sxx = sum((p[0] - cx) ** 2 for p in points)
    syy = sum((p[1] - cy) ** 2 for p in points)
    sxy = sum((p[0] - cx) * (p[1] - cy) for p in points)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)  # the principal axis
    cos, sin = math.cos(-angle), math.sin(-angle)
    return [((p[0] - cx) * cos - (p[1] - cy) * sin, (p[0] - cx) * sin + (p[1] - cy) * cos) for p in points]


def spring_layout(builder: GraphBuilder, *, width: int = 960, height: int = 640, seed: int = 1) -> Graph:
    """Each connected group of actors placed by networkx's spring layout, the groups packed in rows, largest first.

    Deterministic: nodes and edges go to networkx in a fixed order and its random start is
    seeded, so the same records always give the same picture.
    """
    nodes = sorted(builder.nodes.values(), key=lambda n: (n.kind, n.label, n.key))
    if not nodes:
        return Graph(nodes=[], edges=[], width=width, height=height)
    order = {n.key: i for i, n in enumerate(nodes)}
    whole = networkx.Graph()
    whole.add_nodes_from(order)
    whole.add_edges_from((e.source.key, e.target.key) for e in builder.edges.values())
    components = sorted(
        (sorted(c, key=order.__getitem__) for c in networkx.connected_components(whole)),
        key=lambda keys: (-len(keys), order[keys[0]]),
    )
    shelf_width = max(math.sqrt(len(nodes)) * 1.7, math.sqrt(len(components[0])))
    x = y = row_height = 0.0
    gap = 0.7
    for keys in components:
        # Each group on its own: in one layout, groups push each other to the edges of the picture.
        group = networkx.Graph()
        group.add_nodes_from(keys)
        group.add_edges_from(sorted(whole.subgraph(keys).edges, key=lambda e: (order[e[0]], order[e[1]])))
        positions = networkx.spring_layout(group, seed=seed, iterations=100)
        points = _lengthwise([(float(positions[k][0]), float(positions[k][1])) for k in keys])
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        side = max(math.sqrt(len(keys)), 0.6)
        if x > 0 and x + side > shelf_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for k, (px, py) in zip(keys, points, strict=True):
            builder.nodes[k].x = x + (px - min(xs)) / span * side
            builder.nodes[k].y = y + (py - min(ys)) / span * side
        x += side + gap
        row_height = max(row_height, (max(ys) - min(ys)) / span * side)
    _fit(nodes, width, height, margin=110 if width > 500 else 40, stretch=2.0)
    _place_labels(nodes, width / 2, width, height)
    return _finish(builder, width, height)


def ego_layout(builder: GraphBuilder, center_key: int, *, width: int = 560, height: int = 400) -> Graph:
    """The centre actor in the middle and its neighbours on rings around it, ordered by kind and name."""
    center = builder.nodes.get(center_key)
    others = sorted((n for n in builder.nodes.values() if n.key != center_key), key=lambda n: (n.kind, n.label))
    cx, cy = width / 2, height / 2
    if center is not None:
        center.central = True
        center.x, center.y = cx, cy
    ring = 16
    for i, n in enumerate(others):
        # Beyond one ring's worth of neighbours, alternate two radii so labels do not collide.
        outer = len(others) > ring and i % 2
        rx, ry = (width * 0.34, height * 0.40) if outer else (width * 0.25, height * 0.30)
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(others), 1)
        n.x, n.y = round(cx + rx * math.cos(angle), 1), round(cy + ry * math.sin(angle), 1)
    _place_labels(list(builder.nodes.values()), cx, width, height)
    return _finish(builder, width, height)
