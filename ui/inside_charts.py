"""Plotly figures of the "Inside the network" page: arrays in, go.Figure out. No Streamlit.

Backgrounds are transparent so the figures follow the app's light or dark theme; weights use
a diverging red/blue scale centred on 0 (0 = white).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"  # negative blue, 0 white, positive red
CLEAR = "rgba(0,0,0,0)"
# Ticks as a person writes numbers: 0.0005 and 5e-7, never Plotly's SI "500μ" (d3's "~g").
PLAIN = "~g"
GAP = 1  # pixels of gap between tiles (transparent)


def _layout(fig: go.Figure, title: str, height: int = 300, **extra) -> go.Figure:
    base = dict(margin=dict(l=10, r=10, t=40, b=10), paper_bgcolor=CLEAR, plot_bgcolor=CLEAR)
    fig.update_layout(title=title, height=height, hovermode="closest", **{**base, **extra})
    return fig


def _square_image(fig: go.Figure) -> go.Figure:
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    return fig


def tile(images: np.ndarray, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Images (k, 28, 28) in a grid of cols columns -> (tiled image, unit slot per pixel).

    Gaps and empty slots are nan (drawn transparent); the slot array holds each pixel's
    position in images (-1 in gaps), for hover text and clicks.
    """
    k, size = len(images), images.shape[1]
    rows = -(-k // cols)
    step = size + GAP
    out = np.full((rows * step - GAP, cols * step - GAP), np.nan, np.float32)
    slot = np.full(out.shape, -1, np.int32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        out[r * step : r * step + size, c * step : c * step + size] = image
        slot[r * step : r * step + size, c * step : c * step + size] = i
    return out, slot


def unit_grid(images: np.ndarray, units: Sequence[int], cols: int = 10) -> go.Figure:
    """Incoming weights of hidden units (k, 28, 28) as one tiled heatmap; units (k,) their ids.

    One colour range for all, so units can be compared: up to the 99.5th percentile of
    |weight| (a few extreme pixels would otherwise wash every tile out).
    """
    z, slot = tile(images, cols)
    names = np.append(np.asarray(units), -1)[slot]  # slot -1 (gap) -> -1
    bound = float(np.nanpercentile(np.abs(z), 99.5)) if np.isfinite(z).any() else 1.0
    bound = bound or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            customdata=names,
            colorscale=DIVERGING,
            zmin=-bound,
            zmax=bound,
            hovertemplate="unit %{customdata}<br>weight %{z:.3f}<extra></extra>",
            colorbar=dict(thickness=10, len=0.6, tickformat=PLAIN),
        )
    )
    rows = z.shape[0] / (28 + GAP)
    return _square_image(_layout(fig, "", height=int(60 + 52 * rows)))  # phones: less slack


def unit_image(image: np.ndarray, title: str) -> go.Figure:
    """One unit's incoming weights (28, 28), large, on the diverging scale."""
    bound = float(np.abs(image).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=image,
            colorscale=DIVERGING,
            zmin=-bound,
            zmax=bound,
            hovertemplate="row %{y}, column %{x}<br>weight %{z:.4f}<extra></extra>",
            colorbar=dict(thickness=10, tickformat=PLAIN),
        )
    )
    return _square_image(_layout(fig, title, height=320))


def digit_bars(values: np.ndarray, title: str, y_title: str, highlight: int | None = None):
    """Bars over the ten digits (10,): positive red, negative blue; highlight one digit."""
    colors = ["#d62728" if v >= 0 else "#1f77b4" for v in values]
    if highlight is not None:
        colors[highlight] = "#ff7f0e"
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(len(values))],
            y=values,
            marker_color=colors,
            hovertemplate="digit %{x}: %{y:.4g}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title="digit")
    fig.update_yaxes(title=y_title, tickformat=PLAIN)
    return _layout(fig, title, height=260)


def activation_bars(counts: np.ndarray, title: str) -> go.Figure:
    """Histogram (bins,) of activations over equal bins of [0, 1]: the unit's output sigma(z)."""
    width = 1.0 / len(counts)
    fig = go.Figure(
        go.Bar(
            x=(np.arange(len(counts)) + 0.5) * width,
            y=counts,
            width=width,
            marker_color="#7f7f7f",
            hovertemplate="activation ≈ %{x:.2f}: %{y} images<extra></extra>",
        )
    )
    fig.update_xaxes(title="activation σ(z)", range=[0, 1])
    fig.update_yaxes(title="images")
    return _layout(fig, title, height=260, bargap=0.05)


def saturation_histogram(counts: np.ndarray, edges: np.ndarray, flat: float, title: str):
    """Histogram of hidden pre-activations z (bins over edges); |z| > flat shaded (sigmoid flat).

    The end bins also hold everything beyond the edges.
    """
    share = counts / max(int(counts.sum()), 1)
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=100 * share,
            width=np.diff(edges),
            marker_color="#1f77b4",
            hovertemplate="z ≈ %{x:.2f}: %{y:.2f}%<extra></extra>",
        )
    )
    for x0, x1 in ((edges[0], -flat), (flat, edges[-1])):
        fig.add_vrect(x0=x0, x1=x1, fillcolor="#d62728", opacity=0.12, line_width=0, layer="below")
    fig.add_annotation(
        x=edges[-1], y=1, yref="paper", text="flat: σ' < 0.01", showarrow=False, xanchor="right"
    )
    fig.update_xaxes(title="pre-activation z (ends hold everything beyond ±20)")
    fig.update_yaxes(title="share of all z (%)")
    return _layout(fig, title, height=300, bargap=0)


def confusion_heatmap(matrix: np.ndarray, normalised: bool) -> go.Figure:
    """Confusion matrix (10, 10), row = true, column = predicted: counts or row shares.

    The colour range stops at the largest off-diagonal value, so mistakes stand out (the
    diagonal is simply the darkest).
    """
    off = matrix[~np.eye(len(matrix), dtype=bool)]
    top = float(off.max()) if off.size and off.max() > 0 else 1.0
    text = np.vectorize(lambda v: f"{100 * v:.1f}" if normalised else f"{int(v)}")(matrix)
    digits = [str(d) for d in range(len(matrix))]
    unit = "% of the row" if normalised else "images"
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=digits,
            y=digits,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=top,
            showscale=False,
            hovertemplate=f"true %{{y}}, predicted %{{x}}: %{{text}} {unit}<extra></extra>",
        )
    )
    fig.update_xaxes(title="predicted digit", type="category", side="top")
    fig.update_yaxes(title="true digit", type="category", autorange="reversed")
    return _layout(fig, "", height=420, margin=dict(l=10, r=10, t=30, b=10))


def per_digit_bars(accuracy: np.ndarray) -> go.Figure:
    """Accuracy (10,) in [0, 1] of each true digit, as % bars; the axis starts near the lowest."""
    low = float(np.nanmin(accuracy)) if np.isfinite(accuracy).any() else 0.0
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(len(accuracy))],
            y=100 * accuracy,
            marker_color="#2ca02c",
            text=[f"{100 * a:.1f}" for a in accuracy],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.2f}% right<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title="true digit")
    fig.update_yaxes(title="right (%)", range=[max(0.0, 100 * low - 10), 102])
    return _layout(fig, "Accuracy per digit", height=260)
