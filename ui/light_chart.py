"""Light live charts: a line figure of ui/charts drawn as plain HTML + SVG, no Plotly.

Why: each poll of a training page redraws its two live charts. Measured in headless Chromium
on this 2-core machine, a Train tab polling at 1 Hz: 0.29 of a core of renderer time with
Plotly charts, 0.21 with these, 0.11-0.13 with no charts at all. When more runs train than the
server has workers, browsers on the same machine (a teacher's laptop; the load benchmark) take
those cores from the training: pages then draw their live charts with this module (ui/live.py
decides) and go back to interactive Plotly charts when the run ends. The same figures feed
both, so colours, names, titles and ranges agree. No Streamlit here: a figure in, text out.
"""

from __future__ import annotations

import html
import math
import re
from typing import NamedTuple

import plotly.graph_objects as go

HEIGHT = 300  # px, the whole chart with its title and axes (the legend goes below)
PLOT = {"left": 58, "right": 14, "top": 32, "bottom": 46}  # px around the plot area
DASHES = {"dot": "2 4", "dash": "7 4"}
# Attributes, not a <style> element (st.html sanitises what it shows); strokes keep their
# pixel width while the plot area stretches to the column (non-scaling strokes).
FIXED = 'vector-effect="non-scaling-stroke"'
GRID = f'stroke="currentColor" stroke-opacity="0.15" {FIXED}'
LINE = f'fill="none" stroke-width="2" stroke-linejoin="round" {FIXED}'
DOT = f'stroke-width="6" stroke-linecap="round" {FIXED}'  # a zero-length segment: a dot


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """About `count` round values (steps of 1, 2 or 5 × 10^k) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]
    return [0.0 if abs(t) < step * 1e-9 else t for t in ticks]


def _limits(values: list[float], fixed, pad: float = 0.05) -> tuple[float, float]:
    """The axis range: the layout's own if it gives one, else the data's (finite values)
    with a margin; one value v alone: v to v + 1 when pad is 0 (an x-axis), else v ± 0.5."""
    if fixed:
        return float(fixed[0]), float(fixed[1])
    if not values:
        return 0.0, 1.0
    lo, hi = min(values), max(values)
    if hi == lo:
        return (lo, lo + 1.0) if pad == 0 else (lo - 0.5, hi + 0.5)
    margin = (hi - lo) * pad
    return lo - margin, hi + margin


def _tick_text(value: float, log: bool) -> str:
    """A tick's label: on a log axis value is the decade's exponent (-2 → 0.01); large
    numbers with Plotly's SI suffixes (480000 → 480k, as on the images-seen axis)."""
    if log:
        return f"{10.0**value:g}"
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.4g}{suffix}"
    return f"{value:.4g}"


def _number(value) -> float:
    """A figure's value as a float: None (no measurement) is nan."""
    return math.nan if value is None else float(value)


def _text(value) -> str:
    """User-visible text for the HTML: one line (a blank line would end Markdown's HTML
    block and let the rest be read as Markdown), every character escaped."""
    return html.escape(" ".join(html.unescape(str(value)).split()))  # names: charts.legend_text


def _legend_value(trace: dict) -> str:
    """The trace's name and its last finite value, with the number format (and any unit after
    it) of its Plotly hover text: "test %{y:.2f}%" → "test run 3: 97.12%". A run whose last
    value is inf or nan (it diverged) says so after its last finite one."""
    ys = [_number(y) for y in trace.get("y") or []]
    name = str(trace.get("name", ""))
    finite = [y for y in ys if math.isfinite(y)]
    template = (trace.get("hovertemplate") or "%{y:.4g}").split("<extra>")[0]
    match = re.search(r"%\{y(?::([^}]*))?\}(.*)", template)
    if not ys or match is None:
        return name
    shown = f"{format(finite[-1], match.group(1) or '.4g')}{match.group(2)}" if finite else "–"
    if not math.isfinite(ys[-1]):
        shown += f" (then {ys[-1]})"
    return f"{name}: {shown}"


def _color(trace: dict) -> str:
    """The trace's line colour, escaped for an attribute."""
    return html.escape(str(trace.get("line", {}).get("color", "currentColor")))


def _swatch(trace: dict) -> str:
    """A short line in the trace's colour and dash, for its legend entry."""
    dash = DASHES.get(trace.get("line", {}).get("dash", "solid"))
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        '<svg width="22" height="8" style="vertical-align:middle">'
        f'<line x1="0" x2="22" y1="4" y2="4" stroke="{_color(trace)}" stroke-width="2"{pattern}/>'
        "</svg>"
    )


class _Frame(NamedTuple):
    """The axes' ranges (y in decades on a log axis), mapped to a 1000 x 1000 view box."""

    x0: float
    x1: float
    y0: float
    y1: float
    log: bool

    def sx(self, x: float) -> float:
        return 1000 * (x - self.x0) / (self.x1 - self.x0)

    def sy(self, y: float) -> float:
        return 1000 - 1000 * (y - self.y0) / (self.y1 - self.y0)


def _ys(trace: dict, log: bool) -> list[float]:
    """The trace's y values as floats; on a log axis their log10 (nan if not > 0)."""
    ys = [_number(y) for y in trace.get("y") or []]
    return [math.log10(y) if y > 0 else math.nan for y in ys] if log else ys


def _frame(traces: list[dict], xaxis: dict, yaxis: dict) -> _Frame:
    """The ranges the traces' finite points need, or the layout's own."""
    log = yaxis.get("type") == "log"
    xs_all = [x for t in traces for x in map(_number, t.get("x") or []) if math.isfinite(x)]
    ys_all = [y for t in traces for y in _ys(t, log) if math.isfinite(y)]
    x0, x1 = _limits(xs_all, xaxis.get("range"), pad=0.0)
    fixed_y = None if log else yaxis.get("range")
    y0, y1 = _limits(ys_all, fixed_y, pad=0.0 if log else 0.05)
    if log:  # whole decades, as Plotly labels a log axis (within float64's range)
        y0 = max(-300, math.floor(y0))
        y1 = min(300, max(math.ceil(y1), y0 + 1))
    return _Frame(x0, x1, y0, y1, log)


def _grid_and_labels(f: _Frame) -> tuple[list[str], list[str]]:
    """Horizontal grid lines (SVG) at the y ticks, and the tick labels of both axes (HTML)."""
    grid, labels = [], []
    every = max(1, math.ceil((f.y1 - f.y0) / 8))  # at most ~8 decades labelled
    ticks_y = list(range(int(f.y0), int(f.y1) + 1, every)) if f.log else nice_ticks(f.y0, f.y1)
    for t in ticks_y:
        top = f.sy(t) / 10
        grid.append(f'<line x1="0" x2="1000" y1="{f.sy(t):.1f}" y2="{f.sy(t):.1f}" {GRID}/>')
        labels.append(
            f'<span style="position:absolute;right:calc(100% + 6px);top:{top:.2f}%;'
            f'white-space:nowrap;transform:translateY(-50%)">{_tick_text(t, f.log)}</span>'
        )
    for t in nice_ticks(f.x0, f.x1):
        labels.append(
            f'<span style="position:absolute;top:calc(100% + 4px);left:{f.sx(t) / 10:.2f}%;'
            f'transform:translateX(-50%)">{_tick_text(t, False)}</span>'
        )
    return grid, labels


def _trace_svg(trace: dict, f: _Frame) -> list[str]:
    """The trace's polylines (a nan or inf breaks the line, as in Plotly) and its dots."""
    color = _color(trace)
    dash = DASHES.get(trace.get("line", {}).get("dash", "solid"))
    style = f'stroke="{color}"' + (f' stroke-dasharray="{dash}"' if dash else "")
    segments, points = [[]], []
    for x, y in zip(map(_number, trace.get("x") or []), _ys(trace, f.log), strict=False):
        if math.isfinite(x) and math.isfinite(y):
            segments[-1].append((f.sx(x), f.sy(y)))
            points.append(segments[-1][-1])
        elif segments[-1]:
            segments.append([])
    out = []
    for segment in filter(None, segments):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
        out.append(f'<polyline points="{path}" {style} {LINE}/>')
    if points and "markers" in trace.get("mode", "") and len(points) < 40:
        dots = "".join(f"M{x:.1f} {y:.1f}h0" for x, y in points)
        out.append(f'<path d="{dots}" stroke="{color}" {DOT}/>')
    return out


def _title(node: dict) -> str:
    return _text((node.get("title") or {}).get("text", ""))


def figure_html(figure: go.Figure) -> str:
    """A line figure (scatter traces; linear or log y) as one block of HTML with an SVG.

    The plot area stretches to the column's width; strokes and dots keep their pixel size
    (non-scaling strokes). Every name and title is escaped. The outer element carries
    data-live-chart and data-points (points in the first trace), for tests and benchmarks.
    """
    spec = figure.to_dict()
    layout = spec.get("layout", {})
    traces = [t for t in spec.get("data", []) if t.get("type", "scatter") == "scatter"]
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    frame = _frame(traces, xaxis, yaxis)
    grid, labels = _grid_and_labels(frame)
    drawn = sorted(traces, key=lambda t: t.get("zorder") or 0)  # Plotly's order: low first
    svg = "".join(grid) + "".join(line for t in drawn for line in _trace_svg(t, frame))
    legend = "".join(
        f'<span style="white-space:nowrap">{_swatch(t)} {_text(_legend_value(t))}</span>'
        for t in traces
    )
    points = len(traces[0].get("x") or []) if traces else 0
    return (
        f'<div data-live-chart data-points="{points}" role="img" aria-label="{_title(layout)}" '
        'style="font-size:12px;line-height:1.2">'
        f'<div style="position:relative;height:{HEIGHT}px">'
        '<div style="font-size:15px;font-weight:600;position:absolute;left:0;top:4px">'
        f"{_title(layout)}</div>{_plot_area(svg, labels)}{_axis_titles(xaxis, yaxis)}</div>"
        f'<div style="display:flex;flex-wrap:wrap;gap:2px 14px;margin-top:6px">{legend}</div>'
        "</div>"
    )


def _plot_area(svg: str, labels: list[str]) -> str:
    """The plot area: the stretched SVG and the tick labels around it."""
    return (
        f'<div style="position:absolute;left:{PLOT["left"]}px;right:{PLOT["right"]}px;'
        f'top:{PLOT["top"]}px;bottom:{PLOT["bottom"]}px;opacity:0.999">'
        '<svg width="100%" height="100%" viewBox="0 0 1000 1000" preserveAspectRatio="none" '
        f'style="overflow:visible;position:absolute;left:0;top:0">{svg}</svg>'
        f'<div style="opacity:.75">{"".join(labels)}</div></div>'
    )


def _axis_titles(xaxis: dict, yaxis: dict) -> str:
    """The x-axis title under the plot area, the y-axis title turned up beside it."""
    return (
        f'<div style="position:absolute;left:{PLOT["left"]}px;right:{PLOT["right"]}px;bottom:2px;'
        f'text-align:center;opacity:.85">{_title(xaxis)}</div>'
        f'<div style="position:absolute;left:0;top:{PLOT["top"]}px;bottom:{PLOT["bottom"]}px;'
        'writing-mode:vertical-rl;transform:rotate(180deg);text-align:center;opacity:.85">'
        f"{_title(yaxis)}</div>"
    )
