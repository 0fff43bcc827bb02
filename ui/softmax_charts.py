"""Figures of the Softmax page: arrays in, go.Figure out (no Streamlit), in ui.charts' style."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui import charts


def softmax_bars(naive: np.ndarray, stable: np.ndarray) -> go.Figure:
    """Grouped bars of one row's naive and stable softmax (k,); nan bars are labelled 'nan'."""
    x = [f"class {j}" for j in range(len(stable))]
    traces = [
        dict(
            type="bar",
            x=x,
            y=np.nan_to_num(values, nan=0.0, posinf=0.0),
            name=name,
            marker=dict(color=color),
            text=["nan" if np.isnan(v) else f"{v:.4g}" for v in values],
            textposition="outside",
        )
        for name, values, color in (("naive", naive, charts.RED), ("stable", stable, charts.BLUE))
    ]
    return charts._figure(
        traces,
        "Softmax outputs",
        "",
        "probability",
        barmode="group",
        yaxis=dict(range=[0, 1.15]),
        hovermode="closest",
    )


def breaking_point_figure(
    top: np.ndarray, curves: dict[str, np.ndarray], limit: float, dtype_name: str
) -> go.Figure:
    """Loss against the larger logit m, naive vs stable; the region where naive fails shaded."""
    naive = np.where(np.isfinite(curves["loss_naive"]), curves["loss_naive"], np.nan)
    traces = [
        dict(type="scatter", x=top, y=curves["loss_stable"], name="stable (log-softmax): exact",
             line=dict(color=charts.BLUE, width=4), hovertemplate="stable %{y:.4g}"),
        dict(type="scatter", x=top, y=naive,
             name="naive: inf (and nan probabilities) past the limit",
             line=dict(color=charts.RED, dash="dash", width=2), hovertemplate="naive %{y:.4g}"),
    ]  # fmt: skip
    end = float(top[-1])
    return charts._figure(
        traces,
        f"Loss for logits [0, m] ({dtype_name})",
        "m, the larger logit",
        "cross-entropy loss",
        height=360,
        xaxis=dict(range=[0, end]),
        **_overflow_region(limit, end, dtype_name),
    )


def _overflow_region(limit: float, end: float, dtype_name: str) -> dict:
    """Layout shapes and annotations shading m in [limit, end], where exp(m) overflows."""
    shaded = dict(type="rect", xref="x", yref="paper", x0=limit, x1=end, y0=0, y1=1,
                  fillcolor=charts.RED, opacity=0.08, line={"width": 0}, layer="below")  # fmt: skip
    note = dict(
        text=f"exp(m) = inf in {dtype_name}",
        xref="x",
        yref="paper",
        x=end,
        y=1,
        xanchor="right",  # inside the shaded region: on a phone a label sticking out of the
        yanchor="top",  # plot widened the x-axis (annotations count in Plotly's autorange)
        showarrow=False,
    )
    return {"shapes": [shaded], "annotations": [note]}
