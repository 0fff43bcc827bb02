"""Plotly figure builders: plain data in, go.Figure out. No Streamlit here.

Every figure follows the active Streamlit theme: transparent backgrounds, no colour that assumes
a white page (the diverging map fades to transparent at 0). Figures are built as plain dicts and
wrapped without graph_objects' validation, which cost several times the rest of a live chart's
redraw (bench/figures.py); tests/test_charts.py validates every builder's output instead.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mlcore.train import Progress
from ui.text import probability

# The one palette (Plotly's D3 10). A run's line takes color_at(its place in its workspace):
# the same colour on every page (ui/colors.py); other series take theirs by their order.
COLORS = (
    *("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"),
    *("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"),
)
BLUE, RED, LIGHT_BLUE = COLORS[0], COLORS[3], "#6baed6"  # named roles: stable/naive, the pick
CLEAR = "rgba(0,0,0,0)"
LAYOUT = dict(
    margin=dict(l=10, r=10, t=40, b=10),
    height=320,
    hovermode="x unified",
    paper_bgcolor=CLEAR,  # the page's own background, light or dark
    plot_bgcolor=CLEAR,
    legend=dict(orientation="h", yanchor="top", y=-0.38, x=0),  # below the x-axis title
)
# Blue (against) to red (for), fading to transparent at 0 instead of to white. The ends are
# mid-light blue and red, readable on a white page and on the dark theme's near-black alike
# (RdBu's navy and wine ends vanished on the dark theme).
DIVERGING = [
    [0.0, "rgba(45,120,245,1)"],
    [0.25, "rgba(45,120,245,0.55)"],
    [0.5, "rgba(128,128,128,0)"],
    [0.75, "rgba(235,55,55,0.55)"],
    [1.0, "rgba(235,55,55,1)"],
]

# Plotly's toolbar (modebar) shows while a mouse hovers a chart; a touch screen cannot hover it
# away, and at 390 px it covers every chart's title. And Plotly's drag layer takes every touch
# (it cancels the touch's default, the page's scroll): a vertical swipe over a full-width chart
# zoomed it instead of scrolling. app.py puts this style on every page, so it holds for every
# st.plotly_chart on a device whose main pointer cannot hover: no toolbar, and touches pass
# through the plot area to the page (no zoom, no pan; a mouse keeps both).
TOUCH_STYLE = (
    "<style>@media (hover: none) { "
    "[data-testid='stPlotlyChart'] .modebar-container { display: none !important; } "
    "[data-testid='stPlotlyChart'] .draglayer * { pointer-events: none !important; } }</style>"
)
# A log axis a student reads: values written 0.001 or 1e-7 (d3's "~g"), not Plotly's "100μ".


def log_axis(traces: list[dict]) -> dict:
    """A log y-axis for these traces: whole decades when they span more than one (not "2",
    "5" crowded between them), else 1, 2, 5 steps (0.1, 0.2, 0.5), so a few ticks show."""
    ys = [y for t in traces for y in t.get("y") or () if y is not None and 0 < y < math.inf]
    span = math.log10(max(ys) / min(ys)) if ys else 0.0
    return {"type": "log", "tickformat": "~g", "dtick": 1 if span > 1.5 else "D2"}


GRAY = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]  # ink white on black, as MNIST
# Colourscales are spelled out: without validation a name plotly.js lacks ("gray") is not
# expanded, and plotly.js falls back to the theme's colourscale (a blue/red digit).


def color_at(i: int) -> str:
    """The palette's i-th colour, round again past its end."""
    return COLORS[i % len(COLORS)]


def _accuracy_trace(history, x_of, which: str, accuracy) -> dict:
    """A scatter trace of accuracy(p) in % against x_of(p), hovering as 'which 96.01%'."""
    return dict(
        type="scatter",
        x=[x_of(p) for p in history],
        y=[100 * accuracy(p) for p in history],
        hovertemplate=f"{which} %{{y:.2f}}%",
    )


def legend_text(text: str) -> str:
    """A trace's name as plain text: Plotly reads <b>, <a href> and entities in names, and a
    run's name is the student's text (the light chart unescapes it once, then escapes)."""
    return html.escape(text, quote=False)


def on_top(i: int, n: int) -> int:
    """The zorder of the i-th of n runs' lines: the first drawn over the rest (the run on
    screen; a lesson's first run, e.g. the naive softmax, never hidden under the stable one)."""
    return n - i


def _colors(colors: Sequence[str] | None, n: int) -> list[str]:
    """colors if given (one per series), else the palette in order."""
    return list(colors) if colors is not None else [color_at(i) for i in range(n)]


def _figure(traces: list[dict], title: str, x: str, y: str, **extra) -> go.Figure:
    """A figure from trace dicts and the shared layout, wrapped without re-validation."""
    layout = {**LAYOUT, "title": {"text": title}, **extra}
    layout["xaxis"] = {"title": {"text": x}, **extra.get("xaxis", {})}
    layout["yaxis"] = {"title": {"text": y}, **extra.get("yaxis", {})}
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


# What a live chart's x-axis can count: (axis title, the value of a report).
X_AXES = {
    "iteration": ("iteration (full batch: steps; mini-batch: passes)", lambda p: p.iteration),
    "steps": ("gradient steps (updates)", lambda p: p.steps),
    "images": ("images seen", lambda p: p.images_seen),
    "seconds": ("seconds of training", lambda p: p.elapsed),
}


def loss_figure(
    series: Sequence[tuple[str, Sequence[Progress]]],
    x_axis: str = "iteration",
    log: bool = False,
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Training loss against x_axis (a key of X_AXES), one line per (label, history); log: on
    a log axis (a run whose loss spikes then no longer flattens the others); colors: one per
    series (a run's own: ui/colors.py), else the palette in order."""
    x_title, x_of = X_AXES[x_axis]
    colors = _colors(colors, len(series))
    traces = [
        dict(
            type="scatter",
            x=[x_of(p) for p in history],
            y=[p.train_loss for p in history],
            name=legend_text(label),
            mode="lines+markers" if len(history) < 40 else "lines",
            line=dict(color=colors[i]),
            hovertemplate="loss %{y:.4f}",
            zorder=on_top(i, len(series)),
        )
        for i, (label, history) in enumerate(series)
    ]
    empty = _empty_axes(series, (0, 2.5))  # ln 10 = 2.3: the loss of a first guess
    if log:
        empty["yaxis"] = log_axis(traces)
    y_title = "loss (log scale)" if log else "loss"
    return _figure(traces, "Training loss (cross-entropy)", x_title, y_title, **empty)


def accuracy_figure(
    series: Sequence[tuple[str, Sequence[Progress]]],
    x_axis: str = "iteration",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Test (solid) and training (dotted) accuracy in % against x_axis, per run: one legend
    entry per run (a run's two lines toggle together), so a legend of many runs stays short."""
    x_title, x_of = X_AXES[x_axis]
    traces = []
    for i, ((label, history), color) in enumerate(
        zip(series, _colors(colors, len(series)), strict=True)
    ):
        line = dict(legendgroup=str(i), zorder=on_top(i, len(series)))  # one entry per run
        tested = [p for p in history if p.test_accuracy is not None]
        traces.append(
            dict(
                _accuracy_trace(tested, x_of, "test", lambda p: p.test_accuracy),
                name=legend_text(label), mode="lines+markers", line=dict(color=color), **line,
            )
        )  # fmt: skip
        traces.append(
            dict(
                _accuracy_trace(history, x_of, "train", lambda p: p.train_accuracy),
                name=legend_text(f"train {label}"), showlegend=False,  # the title: dotted
                mode="lines", line=dict(color=color, dash="dot"), **line,
            )
        )  # fmt: skip
    title = "Accuracy (solid: test, dotted: training)"
    return _figure(traces, title, x_title, "accuracy (%)", **_empty_axes(series, (0, 100)))


def _empty_axes(series, y_range: tuple[float, float]) -> dict:
    """Axis ranges for a chart with no points yet (Plotly's own default is -1 to 6)."""
    if any(history for _, history in series):
        return {}
    return {"xaxis": {"range": [0, 1]}, "yaxis": {"range": list(y_range)}}


def _lines(series, x_axis: str, fields: Sequence[tuple[str, str, str, float]], colors) -> list:
    """Traces of report fields per run: fields = (attribute, name, dash, factor)."""
    _, x_of = X_AXES[x_axis]
    traces = []
    for i, ((label, history), color) in enumerate(
        zip(series, _colors(colors, len(series)), strict=True)
    ):
        for attribute, name, dash, factor in fields:
            shown = [p for p in history if getattr(p, attribute, None) is not None]
            traces.append(
                dict(
                    type="scatter",
                    x=[x_of(p) for p in shown],
                    y=[factor * getattr(p, attribute) for p in shown],
                    name=legend_text(f"{name} {label}"),
                    mode="lines",
                    line=dict(color=color, dash=dash),
                    hovertemplate=f"{name} %{{y:.3g}}",
                    zorder=on_top(i, len(series)),
                )
            )
    return traces


def gradient_figure(
    series: Sequence[tuple[str, Sequence[Progress]]],
    x_axis: str = "iteration",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Size (L2 norm) of the last step's gradient of w1 (solid) and w2 (dashed), log scale."""
    fields = [("grad_norm_w1", "‖∂L/∂w1‖", "solid", 1.0), ("grad_norm_w2", "‖∂L/∂w2‖", "dash", 1.0)]
    traces = _lines(series, x_axis, fields, colors)
    axis = log_axis(traces)
    return _figure(traces, "Gradient size per layer", X_AXES[x_axis][0], "L2 norm", yaxis=axis)


def saturation_figure(
    series: Sequence[tuple[str, Sequence[Progress]]],
    x_axis: str = "iteration",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Share of saturated hidden units (solid) and mean σ'(z) as % of its maximum (dotted)."""
    fields = [
        ("saturated_share", "saturated %", "solid", 100.0),
        ("sigmoid_slope", "mean σ′ (% of 0.25)", "dot", 400.0),
    ]
    traces = _lines(series, x_axis, fields, colors)
    return _figure(
        traces,
        "Saturated sigmoids (on 500 training images)",
        X_AXES[x_axis][0],
        "%",
        yaxis={"range": [0, 102]},
    )


def probability_bars(probabilities: np.ndarray) -> go.Figure:
    """Bar chart of the ten class probabilities (10,), the most likely digit highlighted."""
    best = int(np.argmax(probabilities))
    bars = dict(
        type="bar",
        x=[str(d) for d in range(10)],
        y=100 * np.asarray(probabilities, dtype=float),
        marker=dict(color=[RED if d == best else LIGHT_BLUE for d in range(10)]),
        text=[probability(float(p)) for p in probabilities],
        textposition="outside",
        hovertemplate="digit %{x}: %{y:.2f}%<extra></extra>",
    )
    return _figure(
        [bars],
        "Probability of each digit",
        "digit",
        "probability (%)",
        xaxis=dict(type="category"),
        yaxis=dict(range=[0, 115]),
        hovermode="closest",
    )


def image_figure(pixels: np.ndarray, title: str, diverging: bool = False) -> go.Figure:
    """A 28x28 image (28, 28): grayscale pixels, or red/blue centred on a transparent 0."""
    if diverging:
        bound = float(np.abs(pixels).max()) or 1.0
        heat = dict(z=pixels, colorscale=DIVERGING, zmin=-bound, zmax=bound)
    else:
        heat = dict(z=pixels, colorscale=GRAY, zmin=0, zmax=255)
    return _figure(
        [dict(type="heatmap", showscale=False, **heat)],
        title,
        "",
        "",
        xaxis=dict(visible=False),
        yaxis=dict(autorange="reversed", scaleanchor="x", visible=False),
        margin=dict(l=0, r=0, t=40, b=0),
        height=260,
        hovermode="closest",
    )


def grid_figure(pixels: np.ndarray, title: str, width: int = 640) -> go.Figure:
    """A grid of grayscale 0-255 images (h, w), e.g. augment.preview's, at its aspect ratio."""
    fig = image_figure(pixels, title)
    fig.update_layout(height=40 + round(width * pixels.shape[0] / pixels.shape[1]))
    return fig
