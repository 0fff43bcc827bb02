"""Figures of the class view: arrays and rows in, go.Figure out (no Streamlit)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ui.charts import COLORS, _figure


def lesson_figure(title: str, results: list[tuple[str, str, float]]) -> go.Figure:
    """Each student's test accuracy (%) per run of a lesson: one dot per (label, nickname)."""
    labels = list(dict.fromkeys(label for label, _, _ in results))  # the lesson's order
    traces = []
    for i, label in enumerate(labels):
        mine = [(nick, acc) for lab, nick, acc in results if lab == label]
        traces.append(
            dict(
                type="scatter",
                mode="markers",
                name=html.escape(label),
                x=[label] * len(mine),
                y=[round(100 * acc, 2) for _, acc in mine],
                text=[html.escape(nick) for nick, _ in mine],  # Plotly reads tags in text
                marker=dict(size=11, color=COLORS[i % len(COLORS)]),
                hovertemplate="%{text}: %{y:.2f}%<extra></extra>",
            )
        )
    return _figure(traces, title, "run of the lesson", "test accuracy (%)", showlegend=False)
