"""Diagrams drawn by the server as inline SVG: a timeline, a membership network, a bar chart.

Each function takes plain records (labels already in the reader's language, link targets already
mapped to the server) and returns the SVG markup, built with :mod:`xml.etree.ElementTree` so that
it is well-formed and escaped. Layouts are deterministic: the same input gives the same picture,
byte for byte. Nothing is fetched: no fonts, no scripts, no outside service.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, timedelta

SVG_NS = "http://www.w3.org/2000/svg"
#: colours of the relations in a network, in the order relations are met (sorted by label)
PALETTE = ("#1f6feb", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#be185d")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _svg(width: int, height: int, title: str, ident: str) -> ET.Element:
    """Return the root of an accessible SVG picture of the given size and title."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{ident}-title",
            "class": "diagram",
            "font-family": FONT,
            "font-size": "12",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{ident}-title"}).text = title
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": _num(x), "y": _num(y), **attributes})
    element.text = text
    return element


def _link(parent: ET.Element, url: str | None) -> ET.Element:
    """Return an ``<a>`` around what follows when there is a URL, else ``parent`` itself."""
    return ET.SubElement(parent, "a", {"href": url}) if url else parent


def _num(value: float) -> str:
    """Write a coordinate with at most one decimal (stable output)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _render(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


# -- Timeline ------------------------------------------------------------------------------------


@dataclass
class TimelineItem:
    """One row of a timeline.

    :param start: first day, when the event has a precise date.
    :param end: last day (the start day when not given).
    :param possible: possible days, when the source gives several and no precise date.
    :param note: words shown instead of (or next to) a bar: "dates to be confirmed"...
    """

    label: str
    url: str | None = None
    depth: int = 1
    start: date | None = None
    end: date | None = None
    possible: list[date] = field(default_factory=list)
    note: str | None = None


def _ticks(first: date, last: date) -> list[date]:
    """Return at most about ten evenly spaced days from ``first`` to ``last``."""
    span = (last - first).days + 1
    step = next(s for s in (1, 2, 7, 14, 31, 92, 183, 366, 3653) if span / s <= 10 or s == 3653)
    return [first + timedelta(days=d) for d in range(0, span, step)]


def timeline(items: list[TimelineItem], title: str, short_date, ident: str = "timeline") -> str:
    """Return an SVG timeline of ``items``: bars for precise dates, hollow marks for possible ones.

    An item with no precise date is never drawn as one: its possible days are hollow dashed
    marks, and its note ("dates to be confirmed") is written where a bar would be.

    :param short_date: function turning a day into a short tick label in the reader's language.
    """
    # the chart leaves room on its right for the note after possible dates
    left, right, row, top = 310, 750, 26, 34
    height = top + row * max(1, len(items)) + 10
    svg = _svg(960, height, title, ident)
    days = [d for i in items for d in ([i.start, i.end] if i.start else []) + i.possible if d]
    # without days no axis is drawn and no position is asked: the bounds are then never read
    first, last = (min(days), max(days)) if days else (date.min, date.min)
    per_day = (right - left) / ((last - first).days + 1) if days else 0.0

    def x_of(day: date) -> float:
        return left + (day - first).days * per_day

    if days:
        axis = ET.SubElement(svg, "g", {"class": "axis", "fill": "#57606a"})
        for tick in _ticks(first, last):
            x = x_of(tick)
            ET.SubElement(
                axis,
                "line",
                {
                    "x1": _num(x),
                    "x2": _num(x),
                    "y1": "22",
                    "y2": str(height - 6),
                    "stroke": "#d0d7de",
                    "stroke-width": "1",
                },
            )
            _text(axis, x + 2, 16, short_date(tick))
    for index, item in enumerate(items):
        y = top + index * row
        group = ET.SubElement(svg, "g", {"class": "row"})
        label = _link(group, item.url)
        indent = 8 * (item.depth - 1)
        _text(label, 4 + indent, y + 13, _shorten(item.label, 44 - indent // 6)).append(
            _title(item.label)
        )
        if item.start and days:
            end = item.end or item.start
            x = x_of(item.start)
            width = max(per_day * ((end - item.start).days + 1), 3.0)
            ET.SubElement(
                group,
                "rect",
                {
                    "x": _num(x),
                    "y": str(y + 2),
                    "width": _num(width),
                    "height": "14",
                    "rx": "3",
                    "fill": "#1f6feb",
                    "class": "bar",
                },
            )
        elif item.possible and days:
            for day in item.possible:
                x = x_of(day)
                ET.SubElement(
                    group,
                    "rect",
                    {
                        "x": _num(x + 1),
                        "y": str(y + 2),
                        "width": _num(max(per_day - 2, 3.0)),
                        "height": "14",
                        "rx": "3",
                        "fill": "none",
                        "stroke": "#1f6feb",
                        "stroke-dasharray": "3 2",
                        "class": "possible",
                    },
                )
        if item.note:
            anchor = x_of(item.possible[-1]) + per_day + 4 if item.possible and days else left
            _text(group, anchor, y + 13, item.note, **{"font-style": "italic", "fill": "#57606a"})
    return _render(svg)


def _title(text: str) -> ET.Element:
    element = ET.Element("title")
    element.text = text
    return element


# -- Membership network --------------------------------------------------------------------------


@dataclass
class NetworkNode:
    """An organisation (or person) linked to the centre of a membership network.

    :param member_side: True when the node is a member of the centre (drawn on the left); False
        when the centre is a member of it (drawn on the right).
    :param relation: the label of the property linking them (one colour per relation).
    :param note: a short time note, e.g. "since 2017".
    :param inferred: only the reasoner links them (dashed line).
    """

    label: str
    url: str | None
    member_side: bool
    relation: str
    note: str | None = None
    inferred: bool = False


def network(
    centre: str,
    nodes: list[NetworkNode],
    title: str,
    legend_inferred: str,
    ident: str = "network",
) -> str:
    """Return an SVG membership network: members left, the centre, what it belongs to right.

    Nodes are sorted by relation then label within their side; each relation has its colour and
    a legend entry; inferred links are dashed.
    """
    left = sorted((n for n in nodes if n.member_side), key=lambda n: (n.relation, n.label))
    right = sorted((n for n in nodes if not n.member_side), key=lambda n: (n.relation, n.label))
    relations = sorted({n.relation for n in nodes})
    colours = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(relations)}
    row = 34
    rows = max(len(left), len(right), 1)
    body = rows * row
    legend_top = 30 + body + 16
    height = legend_top + 18 * (len(relations) + 1) + 8
    svg = _svg(900, height, title, ident)
    cx, cy = 450, 30 + body / 2
    xl, xr = 280, 620

    def y_of(index: int, count: int) -> float:
        return 30 + body / 2 + (index - (count - 1) / 2) * row

    edges = ET.SubElement(svg, "g", {"class": "edges", "fill": "none"})
    for side, x, items in ((True, xl, left), (False, xr, right)):
        for index, node in enumerate(items):
            y = y_of(index, len(items))
            attributes = {
                "x1": _num(x),
                "y1": _num(y),
                "x2": _num(cx),
                "y2": _num(cy),
                "stroke": colours[node.relation],
                "stroke-width": "2",
            }
            if node.inferred:
                attributes["stroke-dasharray"] = "5 4"
            ET.SubElement(edges, "line", attributes).append(_title(node.relation))
            group = ET.SubElement(svg, "g", {"class": "node"})
            target = _link(group, node.url)
            ET.SubElement(
                target,
                "circle",
                {"cx": _num(x), "cy": _num(y), "r": "6", "fill": colours[node.relation]},
            )
            anchor = "end" if side else "start"
            tx = x - 12 if side else x + 12
            _text(target, tx, y + 4, _shorten(node.label, 34), **{"text-anchor": anchor}).append(
                _title(node.label)
            )
            if node.note:
                _text(
                    group,
                    tx,
                    y + 17,
                    node.note,
                    **{"text-anchor": anchor, "font-size": "10", "fill": "#57606a"},
                )
    centre_group = ET.SubElement(svg, "g", {"class": "centre"})
    shown = _shorten(centre, 30)
    half = max(80.0, 4.0 * len(shown) + 14)  # about 8 px a bold character
    ET.SubElement(
        centre_group,
        "rect",
        {
            "x": _num(cx - half),
            "y": _num(cy - 16),
            "width": _num(2 * half),
            "height": "32",
            "rx": "16",
            "fill": "#24292f",
        },
    )
    _text(
        centre_group,
        cx,
        cy + 4,
        shown,
        **{"text-anchor": "middle", "fill": "#ffffff", "font-weight": "bold"},
    ).append(_title(centre))
    legend = ET.SubElement(svg, "g", {"class": "legend"})
    for index, relation in enumerate(relations):
        _legend_entry(legend, legend_top + 18 * index, relation, colours[relation])
    _legend_entry(
        legend,
        legend_top + 18 * len(relations),
        legend_inferred,
        "#57606a",
        **{"stroke-dasharray": "5 4"},
    )
    return _render(svg)


def _legend_entry(
    legend: ET.Element, y: float, text: str, stroke: str, **line_attributes: str
) -> None:
    """Add a legend row at ``y``: a sample of the line, then its text."""
    ET.SubElement(
        legend,
        "line",
        {
            "x1": "10",
            "x2": "40",
            "y1": _num(y),
            "y2": _num(y),
            "stroke": stroke,
            "stroke-width": "2",
            **line_attributes,
        },
    )
    _text(legend, 48, y + 4, text)


# -- Bar chart -----------------------------------------------------------------------------------


@dataclass
class Bar:
    """One bar: a label, a count and the page it links to."""

    label: str
    value: int
    url: str | None = None


def bar_chart(bars: list[Bar], title: str, ident: str = "bars") -> str:
    """Return a horizontal SVG bar chart of ``bars`` in the given order."""
    row, top, left, width = 20, 8, 250, 440
    height = top + row * max(1, len(bars)) + 8
    svg = _svg(760, height, title, ident)
    largest = max((b.value for b in bars), default=1) or 1
    for index, bar in enumerate(bars):
        y = top + index * row
        group = ET.SubElement(svg, "g", {"class": "bar"})
        label = _link(group, bar.url)
        _text(label, left - 8, y + 13, _shorten(bar.label, 38), **{"text-anchor": "end"}).append(
            _title(bar.label)
        )
        length = max(width * bar.value / largest, 1.0)
        ET.SubElement(
            group,
            "rect",
            {
                "x": str(left),
                "y": str(y + 3),
                "width": _num(length),
                "height": "14",
                "fill": "#1f6feb",
            },
        )
        _text(group, left + length + 6, y + 14, str(bar.value))
    return _render(svg)
