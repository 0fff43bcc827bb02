"""Plotly figure builders: plain data in, go.Figure out. No Streamlit here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mlcore.train import Progress

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), height=320, hovermode="x unified")


def _layout(fig: go.Figure, title: str, x: str, y: str, **extra) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, **{**LAYOUT, **extra})
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
    return fig


def loss_figure(series: Sequence[tuple[str, Sequence[Progress]]]) -> go.Figure:
    """Training loss against iteration, one line per (label, history)."""
    fig = go.Figure()
    for i, (label, history) in enumerate(series):
        fig.add_scatter(
            x=[p.iteration for p in history],
            y=[p.train_loss for p in history],
            name=label,
            mode="lines+markers" if len(history) < 40 else "lines",
            line=dict(color=COLORS[i % len(COLORS)]),
            hovertemplate="loss %{y:.4f}",
        )
    return _layout(fig, "Training loss (cross-entropy)", "iteration", "loss")


def accuracy_figure(series: Sequence[tuple[str, Sequence[Progress]]]) -> go.Figure:
    """Test (solid) and training (dotted) accuracy in % against iteration, per run."""
    fig = go.Figure()
    for i, (label, history) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        tested = [p for p in history if p.test_accuracy is not None]
        fig.add_scatter(
            x=[p.iteration for p in tested],
            y=[100 * p.test_accuracy for p in tested],
            name=f"test {label}",
            mode="lines+markers",
            line=dict(color=color),
            hovertemplate="test %{y:.2f}%",
        )
        fig.add_scatter(
            x=[p.iteration for p in history],
            y=[100 * p.train_accuracy for p in history],
            name=f"train {label}",
            mode="lines",
            line=dict(color=color, dash="dot"),
            hovertemplate="train %{y:.2f}%",
        )
    return _layout(fig, "Accuracy", "iteration", "accuracy (%)")


def probability_bars(probabilities: np.ndarray) -> go.Figure:
    """Bar chart of the ten class probabilities (10,), the most likely digit highlighted."""
    best = int(np.argmax(probabilities))
    colors = ["#d62728" if d == best else "#9ecae1" for d in range(10)]
    fig = go.Figure(
        go.Bar(
            x=[str(d) for d in range(10)],
            y=100 * probabilities,
            marker_color=colors,
            text=[f"{100 * p:.1f}%" for p in probabilities],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.2f}%<extra></extra>",
        )
    )
    return _layout(
        fig,
        "Probability of each digit",
        "digit",
        "probability (%)",
        yaxis_range=[0, 115],
        xaxis_type="category",
        hovermode="closest",
    )


def image_figure(pixels: np.ndarray, title: str, diverging: bool = False) -> go.Figure:
    """A 28x28 image (28, 28): grayscale pixels, or a red/blue map centred on 0."""
    if diverging:
        bound = float(np.abs(pixels).max()) or 1.0
        heat = go.Heatmap(z=pixels, colorscale="RdBu_r", zmin=-bound, zmax=bound, showscale=False)
    else:
        heat = go.Heatmap(z=pixels, colorscale="gray", zmin=0, zmax=255, showscale=False)
    fig = go.Figure(heat)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(title=title, margin=dict(l=0, r=0, t=40, b=0), height=260)
    return fig


def softmax_bars(naive: np.ndarray, stable: np.ndarray) -> go.Figure:
    """Grouped bars of one row's naive and stable softmax (k,); nan bars are labelled 'nan'."""
    x = [f"class {j}" for j in range(len(stable))]
    fig = go.Figure()
    for name, values, color in (("naive", naive, "#d62728"), ("stable", stable, "#1f77b4")):
        shown = np.nan_to_num(values, nan=0.0, posinf=0.0)
        labels = ["nan" if np.isnan(v) else f"{v:.4g}" for v in values]
        fig.add_bar(
            x=x, y=shown, name=name, marker_color=color, text=labels, textposition="outside"
        )
    return _layout(
        fig,
        "Softmax outputs",
        "",
        "probability",
        barmode="group",
        yaxis_range=[0, 1.15],
        hovermode="closest",
    )


def breaking_point_figure(
    top: np.ndarray, curves: dict[str, np.ndarray], limit: float, dtype_name: str
) -> go.Figure:
    """Loss against the larger logit m, naive vs stable; the region where naive fails shaded."""
    fig = go.Figure()
    fig.add_scatter(
        x=top,
        y=curves["loss_stable"],
        name="stable (log-softmax): exact",
        line=dict(color="#1f77b4", width=4),
        hovertemplate="stable %{y:.4g}",
    )
    naive = np.where(np.isfinite(curves["loss_naive"]), curves["loss_naive"], np.nan)
    fig.add_scatter(
        x=top,
        y=naive,
        name="naive: inf (and nan probabilities) past the limit",
        line=dict(color="#d62728", dash="dash", width=2),
        hovertemplate="naive %{y:.4g}",
    )
    fig.add_vrect(
        x0=limit,
        x1=float(top[-1]),
        fillcolor="#d62728",
        opacity=0.08,
        line_width=0,
        annotation_text=f"exp(m) overflows {dtype_name} past m = {limit:.1f}",
        annotation_position="top left",
    )
    return _layout(
        fig,
        f"Loss for logits [0, m] when the true class is the smaller ({dtype_name})",
        "m, the larger logit",
        "cross-entropy loss",
        height=360,
    )
