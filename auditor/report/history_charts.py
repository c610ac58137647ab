"""The trend charts of report.html as inline SVG, built server-side from ``result.history``.

No script and no external resource: the page's Content-Security-Policy stays as strict as before
(inline SVG needs none). Every chart is readable without colour: series differ by pattern and marker
shape, every bar and the last point carry their value as text, and each chart has a title and a
text description for screen readers. Elements are built with ElementTree, so every text and
attribute is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from auditor.results import AgeBucket, HistoryView, TrendPoint

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
INK, MUTED, GRID = "#1d2430", "#5b6577", "#d8dde6"
BARS_SHOWN = 60  # runs in the new-vs-resolved chart (the newest)


@dataclass(frozen=True)
class Chart:
    """One chart: its id (for aria), its SVG markup, and the table of the same numbers."""

    id: str
    title: str
    svg: Markup
    table_header: tuple[str, ...]
    table_rows: Sequence[tuple[str, ...]]


def _svg(chart_id: str, title: str, description: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "chart",
            "font-family": "sans-serif",
            "font-size": "11",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "fill": INK, **attrs})
    element.text = text


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> None:
    ET.SubElement(
        parent,
        "line",
        {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}", "stroke": colour},
    )


def _el(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    """A child element; attribute names use ``_`` for ``-`` (``stroke_width`` -> ``stroke-width``)."""
    return ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})


def _markup(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))


def _date(stamp: str) -> str:
    return stamp[:10]


def _x_positions(count: int) -> list[float]:
    inner = WIDTH - LEFT - RIGHT
    if count == 1:
        return [LEFT + inner / 2]
    return [LEFT + inner * i / (count - 1) for i in range(count)]


def compliance_chart(points: list[TrendPoint]) -> Chart:
    """Compliance % per run: a line with square markers; the y axis is 0-100 %."""
    chart_id = "chart-compliance"
    known = [p for p in points if p.compliance_percent is not None]
    last = known[-1].compliance_percent if known else None
    description = (
        f"Compliance over {len(points)} run(s), from {_date(points[0].observed_at)} to "
        f"{_date(points[-1].observed_at)}; this run {_pct(last)}."
    )
    low = _axis_floor([p.compliance_percent for p in known])
    if low > 0:
        description += f" The axis starts at {low}%."
    svg = _svg(chart_id, "Compliance % per run", description)
    plot_h = HEIGHT - TOP - BOTTOM
    for step in range(5):
        value = low + (100 - low) * step / 4
        y = TOP + plot_h * (1 - step / 4)
        _line(svg, LEFT, y, WIDTH - RIGHT, y)
        _text(svg, LEFT - 6, y + 4, f"{value:g}%", **{"text-anchor": "end", "fill": MUTED})
    xs = _x_positions(len(points))
    coords = [
        (x, TOP + plot_h * (1 - (p.compliance_percent - low) / (100 - low)))
        for x, p in zip(xs, points, strict=True)
        if p.compliance_percent is not None
    ]
    if len(coords) > 1:
        ET.SubElement(
            svg,
            "polyline",
            {
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                "fill": "none",
                "stroke": INK,
                "stroke-width": "2",
            },
        )
    for (x, y), p in zip(coords, [p for p in points if p.compliance_percent is not None], strict=True):
        marker = ET.SubElement(
            svg,
            "rect",
            {"x": f"{x - 3.5:.1f}", "y": f"{y - 3.5:.1f}", "width": "7", "height": "7", "fill": INK},
        )
        ET.SubElement(marker, "title").text = f"{_date(p.observed_at)}: {_pct(p.compliance_percent)}"
    if coords:
        x, y = coords[-1]
        _text(svg, min(x, WIDTH - RIGHT - 40), max(y - 8, TOP + 10), _pct(last), **{"font-weight": "bold"})
    _axis_dates(svg, xs, points)
    rows = [(_date(p.observed_at), _pct(p.compliance_percent)) for p in points]
    return Chart(chart_id, "Compliance % per run", _markup(svg), ("Scan date", "Compliance"), rows)


def _axis_floor(values: Sequence[float | None]) -> int:
    """Where the compliance axis starts: 0, or a multiple of 5 below the lowest value when every value
    is high (a fleet at 98-99 % would otherwise draw a flat line); the labels show where it starts."""
    known = [v for v in values if v is not None]
    if not known:
        return 0
    return max(0, min(95, int((min(known) - 1) // 5 * 5)))


def _axis_dates(svg: ET.Element, xs: list[float], points: list[TrendPoint]) -> None:
    y = HEIGHT - BOTTOM + 16
    shown = {0, len(points) - 1} if len(points) > 1 else {0}
    for i in sorted(shown):
        anchor = "start" if i == 0 and len(points) > 1 else "end" if i else "middle"
        _text(svg, xs[i], y, _date(points[i].observed_at), **{"text-anchor": anchor, "fill": MUTED})


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def change_chart(points: list[TrendPoint]) -> Chart:
    """New failures (solid bars) and resolved ones (hatched bars) per run, side by side."""
    chart_id = "chart-changes"
    shown = points[-BARS_SHOWN:]
    description = (
        f"New and resolved failures in each of the last {len(shown)} run(s); this run: "
        f"{shown[-1].newly_failing} new, {shown[-1].resolved} resolved."
    )
    svg = _svg(chart_id, "New and resolved failures per run", description)
    defs = ET.SubElement(svg, "defs")
    pattern = ET.SubElement(
        defs,
        "pattern",
        {
            "id": "hatch",
            "width": "6",
            "height": "6",
            "patternUnits": "userSpaceOnUse",
            "patternTransform": "rotate(45)",
        },
    )
    ET.SubElement(pattern, "rect", {"width": "6", "height": "6", "fill": "#ffffff"})
    ET.SubElement(
        pattern, "line", {"x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": INK, "stroke-width": "2.5"}
    )
    top = max([1, *(max(p.newly_failing, p.resolved) for p in shown)])
    plot_h = HEIGHT - TOP - BOTTOM - 30  # room for the legend and the tallest bar's value
    base = HEIGHT - BOTTOM
    _line(svg, LEFT, base, WIDTH - RIGHT, base, MUTED)
    _text(svg, LEFT - 6, base - plot_h + 4, str(top), **{"text-anchor": "end", "fill": MUTED})
    _text(svg, LEFT - 6, base + 4, "0", **{"text-anchor": "end", "fill": MUTED})
    slot = (WIDTH - LEFT - RIGHT) / len(shown)
    bar = max(1.0, min(18.0, slot * 0.4))
    label_values = len(shown) <= 20
    for i, p in enumerate(shown):
        centre = LEFT + slot * (i + 0.5)
        for offset, value, fill, name in (
            (-bar, p.newly_failing, INK, "new"),
            (0.0, p.resolved, "url(#hatch)", "resolved"),
        ):
            height = plot_h * value / top
            rect = ET.SubElement(
                svg,
                "rect",
                {
                    "x": f"{centre + offset:.1f}",
                    "y": f"{base - height:.1f}",
                    "width": f"{bar:.1f}",
                    "height": f"{height:.1f}",
                    "fill": fill,
                    "stroke": INK,
                    "stroke-width": "1",
                },
            )
            ET.SubElement(rect, "title").text = f"{_date(p.observed_at)}: {value} {name}"
            if label_values and value:
                _text(
                    svg, centre + offset + bar / 2, base - height - 3, str(value), **{"text-anchor": "middle"}
                )
    xs = [LEFT + slot * (i + 0.5) for i in range(len(shown))]
    _axis_dates(svg, xs, shown)
    legend_y = TOP + 2
    ET.SubElement(
        svg, "rect", {"x": str(LEFT), "y": str(legend_y), "width": "12", "height": "10", "fill": INK}
    )
    _text(svg, LEFT + 16, legend_y + 9, "new failures (solid)")
    ET.SubElement(
        svg,
        "rect",
        {
            "x": str(LEFT + 150),
            "y": str(legend_y),
            "width": "12",
            "height": "10",
            "fill": "url(#hatch)",
            "stroke": INK,
        },
    )
    _text(svg, LEFT + 166, legend_y + 9, "resolved (hatched)")
    rows = [(_date(p.observed_at), str(p.newly_failing), str(p.resolved)) for p in shown]
    return Chart(
        chart_id, "New and resolved failures per run", _markup(svg), ("Scan date", "New", "Resolved"), rows
    )


def age_chart(buckets: list[AgeBucket]) -> Chart:
    """Open failures of this run by age: horizontal bars, each labelled with its bucket and count."""
    chart_id = "chart-ages"
    total = sum(b.count for b in buckets)
    description = f"{total} open failure(s) by how long they have been failing: " + ", ".join(
        f"{b.label}: {b.count}" for b in buckets
    )
    svg = _svg(chart_id, "Open failures by age", description)
    top = max([1, *(b.count for b in buckets)])
    label_w = 120
    row_h = (HEIGHT - TOP - 10) / max(1, len(buckets))
    width = WIDTH - LEFT - RIGHT - label_w - 50
    for i, b in enumerate(buckets):
        y = TOP + row_h * i
        _text(svg, LEFT + label_w - 8, y + row_h / 2 + 4, b.label, **{"text-anchor": "end"})
        length = width * b.count / top
        rect = ET.SubElement(
            svg,
            "rect",
            {
                "x": str(LEFT + label_w),
                "y": f"{y + row_h * 0.2:.1f}",
                "width": f"{length:.1f}",
                "height": f"{row_h * 0.6:.1f}",
                "fill": INK,
            },
        )
        ET.SubElement(rect, "title").text = f"{b.label}: {b.count}"
        _text(svg, LEFT + label_w + length + 6, y + row_h / 2 + 4, str(b.count), **{"font-weight": "bold"})
    rows = [(b.label, str(b.count)) for b in buckets]
    return Chart(chart_id, "Open failures by age", _markup(svg), ("Failing for", "Open failures"), rows)


def charts(view: HistoryView) -> list[Chart]:
    """The three trend charts of the report's history section."""
    if not view.trend:
        return []
    return [compliance_chart(view.trend), change_chart(view.trend), age_chart(view.age_buckets)]
