"""Layouts for the server-drawn pictures: the timeline, the relationship graph and a dossier's neighbours.

Everything here is plain geometry computed in Python and handed to templates, which
draw it as inline SVG (and escape every label). Layouts are deterministic: the same
records always give the same picture (the graph's spring layout starts from a fixed seed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx
import numpy.random  # noqa: F401  networkx's layouts import it on first use: import it with the app instead

from kb.choices import DatePrecision
from kb.dates import PartialDate
from kb.text import shorten

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
    label_on_bar: bool = False
    short_label: str = ""

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


def _tick_step(years: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if years / step <= 12:
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


def _axis(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date, list[tuple[dt.date, str, bool]]]:
    """Where the axis starts and ends, and its ticks (day, label, major), for a span from ``first`` to ``last``.

    The axis ends the day after ``last``'s month or year; no tick is drawn at that end, so
    the last label is the last month or year drawn.
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
    step = _tick_step(span_years)
    lo = dt.date(max(first.year // step * step, 1), 1, 1)
    # The axis ends with the last year drawn, not at the next round number.
    hi = dt.date(min(last.year + 1, 9999), 1, 1)
    for year in range(lo.year, hi.year, step):
        ticks.append((dt.date(year, 1, 1), str(year), True))
    return lo, hi, ticks


def timeline_layout(
    items: Iterable[TimelineItem],
    *,
    today: dt.date,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    width: int = 960,
    row: int = 24,
    label_chars: int = 44,
) -> Timeline | None:
    """Place each item on its own row, ordered by start; spans for coarse or lasting dates, points for days.

    Periods that reach past ``today`` (a date known only to this decade, something still
    lasting) stop at today, and the axis ends with the last year drawn. ``window`` (first
    and last day, either may be None) is the range the items were filtered to: the axis
    covers it and items are cut to it. The same items on the same day give the same picture.
    """
    items = sorted(items, key=lambda i: (i.start.sort_key(), i.label))
    if not items:
        return None
    lo_limit, hi_limit = window
    drawn = [_drawn(item, today, lo_limit, hi_limit) for item in items]
    first = lo_limit or min(start for start, _ in drawn)
    last = max(end for _, end in drawn)
    if hi_limit is not None:
        last = max(min(hi_limit, max(today, last)), last)
    lo, hi, tick_days = _axis(first, last)
    margin, top = 12, 34
    inner = width - 2 * margin
    days = max((hi - lo).days, 1)

    def x_of(day: dt.date) -> float:
        return round(margin + (day - lo).days / days * inner, 1)

    ticks = [Tick(x=x_of(day), label=label, major=major) for day, label, major in tick_days]
    for tick in ticks:
        # Labels at the picture's edges are aligned inwards so they are not cut off.
        if tick.x > width - margin - 15:
            tick.anchor = "end"
        elif tick.x < margin + 15:
            tick.anchor = "start"
    for n, (item, (start, end)) in enumerate(zip(items, drawn, strict=True)):
        item_end = item.end or item.start
        item.precision = max((item.start.precision, item_end.precision), key=_COARSENESS.__getitem__)
        item.x = x_of(start)
        # A period covers through its last day: draw to the start of the next.
        right = x_of(end + dt.timedelta(days=1))
        item.width = round(max(right - item.x, 3.0), 1)
        item.shape = "point" if item.precision == DatePrecision.DAY and item.end in (None, item.start) else "span"
        item.y = top + n * row
        item.short_label = shorten(item.label, label_chars)
        text_width = len(item.short_label) * 6.6  # about 12px system-ui
        if item.x + item.width + 8 + text_width <= width:
            item.label_x, item.label_anchor = round(item.x + item.width + 8, 1), "start"
        elif item.x - 8 - text_width >= 0:
            item.label_x, item.label_anchor = round(item.x - 8, 1), "end"
        else:  # a long span: the label sits on the bar itself
            item.label_x, item.label_anchor = round(min(item.x, width - text_width) + 4, 1), "start"
            item.label_on_bar = True
    height = top + len(items) * row + 8
    return Timeline(items=items, ticks=ticks, width=width, height=height, axis_y=top - 14, top=top - 6)


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


def bar_chart_layout(bars: Sequence[Bar], *, width: int = 960, height: int = 240) -> BarChart | None:
    """A bar per period, heights by count on a round scale; axis labels thinned so they never overlap."""
    if not bars:
        return None
    left, right, top, bottom = 40, 12, 20, 40
    baseline = height - bottom
    plot_height = baseline - top
    slot = (width - left - right) / len(bars)
    ceiling, step = _nice_ceiling(max(max(bar.count for bar in bars), 1))
    gridlines = [
        Gridline(y=round(baseline - value / ceiling * plot_height, 1), label=f"{value:,}")
        for value in range(0, ceiling + 1, step)
    ]
    label_width = max(len(bar.label) for bar in bars) * 6.6 + 8  # about 11px system-ui
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
        bar.show_count = bar.count > 0 and len(f"{bar.count:,}") * 6.2 + 2 <= slot
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
    label_anchor: str = "middle"
    label_dx: float = 0.0
    label_dy: float = -12.0

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

    @property
    def label(self) -> str:
        return "; ".join(self.labels)

    @property
    def _label_at(self) -> float:
        # On a dossier's star, labels sit towards the neighbour so they do not pile up in the middle.
        if self.source.central:
            return 0.62
        if self.target.central:
            return 0.38
        return 0.5

    @property
    def mid_x(self) -> float:
        return round(self.x1 + (self.x2 - self.x1) * self._label_at, 1)

    @property
    def mid_y(self) -> float:
        return round(self.y1 + (self.y2 - self.y1) * self._label_at - 3, 1)


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


LABEL_CHARS = 28  # the templates truncate node labels to this many characters


def _label_box(n: Node, anchor: str, dx: float, dy: float) -> tuple[float, float, float, float]:
    text_width = min(len(n.label), LABEL_CHARS) * 6.6
    x = n.x + dx
    left = {"start": x, "end": x - text_width, "middle": x - text_width / 2}[anchor]
    baseline = n.y + dy
    return left, baseline - 11, left + text_width, baseline + 3


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_labels(nodes: Sequence[Node], cx: float, width: float = 0, height: float = 0) -> None:
    """Put each label beside its dot where it collides with no earlier label and stays in the picture.

    Hubs are labelled first; the preferred side faces away from the centre.
    """
    placed: list[tuple[float, float, float, float]] = []
    dots = [(n.x - n.radius, n.y - n.radius, n.x + n.radius, n.y + n.radius) for n in nodes]
    for n in sorted(nodes, key=lambda n: (not n.central, -n.degree, n.label)):
        r = n.radius
        right, left = ("start", r + 4, 4.0), ("end", -r - 4, 4.0)
        above, below = ("middle", 0.0, -r - 6), ("middle", 0.0, r + 14)
        if n.central or abs(n.x - cx) <= 40:
            candidates = [above, below, right, left]
        elif n.x < cx:
            candidates = [left, above, below, right]
        else:
            candidates = [right, above, below, left]
        choice = candidates[0]
        for candidate in candidates:
            box = _label_box(n, *candidate)
            inside = not width or (box[0] >= 2 and box[2] <= width - 2 and box[1] >= 2 and box[3] <= height - 2)
            clear = not any(_overlaps(box, other) for other in placed) and not any(_overlaps(box, dot) for dot in dots)
            if inside and clear:
                choice = candidate
                break
        n.label_anchor, n.label_dx, n.label_dy = choice
        placed.append(_label_box(n, *choice))


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
    return Graph(nodes=nodes, edges=edges, width=width, height=height)


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
