"""Figures of the class view: one colour per student, arrays and rows in, go.Figure out
(no Streamlit). Every name a student typed is escaped: Plotly reads tags in names and text."""

from __future__ import annotations

import html

import plotly.colors
import plotly.graph_objects as go

from runs.class_summary import Finding
from ui.charts import _figure

# 48 colours (Plotly's Dark24 then Light24): 30 students each get their own; past 48 they
# repeat, and the drill-down (one student at a time) still tells them apart.
STUDENT_COLORS = (*plotly.colors.qualitative.Dark24, *plotly.colors.qualitative.Light24)
ROW_PX = 22  # a bar per student: the chart grows with the class instead of squeezing it


def student_colors(workspaces: list[str]) -> dict[str, str]:
    """Workspace -> its colour, by its place in workspaces (runs.class_summary.students)."""
    return {w: STUDENT_COLORS[i % len(STUDENT_COLORS)] for i, w in enumerate(workspaces)}


def best_figure(rows: list[tuple[str, float, str]]) -> go.Figure:
    """Each student's best test accuracy (%), one bar each, best on top: rows of
    (name shown, accuracy in %, colour)."""
    rows = sorted(rows, key=lambda r: r[1])  # Plotly draws the first bar at the bottom
    low = min((acc for _, acc, _ in rows), default=0.0)
    trace = dict(
        type="bar",
        orientation="h",
        x=[acc for _, acc, _ in rows],
        y=[html.escape(name) for name, _, _ in rows],
        marker=dict(color=[color for _, _, color in rows]),
        hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
    )
    return _figure(
        [trace], "Each student's best test accuracy", "test accuracy (%)", "",
        height=120 + ROW_PX * len(rows), hovermode="closest",
        xaxis=dict(range=[max(0.0, low - 5.0), 100.0]), yaxis=dict(automargin=True),
    )  # fmt: skip


def lesson_figure(
    title: str, labels: list[str], found: list[Finding], colors: dict[str, str]
) -> go.Figure:
    """A line per student across the lesson's runs (in the lesson's order): each student's
    test accuracy (%) per run, so who found what shows as the lines' slopes."""
    traces = [
        dict(
            type="scatter",
            mode="lines+markers",
            name=html.escape(f.student),
            x=[label for label in labels if label in f.accuracies],
            y=[round(100 * f.accuracies[label], 2) for label in labels if label in f.accuracies],
            line=dict(color=colors.get(f.workspace, "#7f7f7f"), width=1.5),
            marker=dict(size=7),
            hovertemplate=f"{html.escape(f.student)}: %{{y:.2f}}%<extra></extra>",
        )
        for f in found
    ]
    return _figure(
        traces, title, "run of the lesson", "test accuracy (%)", showlegend=False,
        hovermode="closest", xaxis=dict(categoryorder="array", categoryarray=labels),
    )  # fmt: skip
