"""The class view's figures: valid Plotly (they skip validation), one colour per student for
a class of 30, names shown as text."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io
import pytest

from runs.class_summary import Finding
from ui import class_charts

FINDINGS = [
    Finding("w1", "<b>ada</b>", {"[0, 1]": 0.9, "standardized": 0.95}, "…"),
    Finding("w2", "bob", {"raw 0–255": 0.11}, "…"),
]
FIGURES = {
    "best": lambda: class_charts.best_figure([("ada", 95.0, "#000000"), ("bob", 91.0, "#111111")]),
    "lesson": lambda: class_charts.lesson_figure(
        "Scaling", ["raw 0–255", "[0, 1]", "standardized"], FINDINGS, {"w1": "#222222"}
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_the_class_figures_are_what_plotlys_validation_would_have_made(name):
    figure = FIGURES[name]()
    validated = go.Figure(figure.to_dict())
    assert json.loads(plotly.io.to_json(figure)) == json.loads(plotly.io.to_json(validated))


def test_thirty_students_get_thirty_colours_in_the_order_they_came():
    colors = class_charts.student_colors([f"w{i}" for i in range(30)])
    assert len(set(colors.values())) == 30
    assert class_charts.student_colors(["w0", "w1"]) == {k: colors[k] for k in ("w0", "w1")}


def test_a_students_line_follows_the_lessons_order_and_their_name_is_text():
    (ada, bob) = FIGURES["lesson"]().to_dict()["data"]
    assert ada["x"] == ["[0, 1]", "standardized"] and ada["y"] == [90.0, 95.0]
    assert ada["name"] == "&lt;b&gt;ada&lt;/b&gt;" and bob["line"]["color"] == "#7f7f7f"


def test_the_best_chart_grows_with_the_class_and_puts_the_best_on_top():
    rows = [(f"s{i}", 90.0 + i / 10, "#000000") for i in range(30)]
    figure = class_charts.best_figure(rows).to_dict()
    assert figure["layout"]["height"] >= 30 * class_charts.ROW_PX
    assert figure["data"][0]["y"][-1] == "s29"  # Plotly draws the last bar on top
