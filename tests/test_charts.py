"""Figure builders: valid Plotly figures (they skip graph_objects' validation), theme-neutral."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io
import pytest

from mlcore.numerics import breaking_point
from mlcore.train import Progress
from ui import charts, inside_charts, softmax_charts


def history(n: int) -> list[Progress]:
    return [
        Progress(
            i + 1,
            0,
            1 / (i + 1),
            0.9,
            0.95 if i % 2 else None,
            i * 0.1,
            0.05,
            steps=10 * (i + 1),
            images_seen=640 * (i + 1),
            grad_norm_w1=1 / (i + 1),
            grad_norm_w2=0.5 / (i + 1),
            saturated_share=0.1,
            sigmoid_slope=0.2,
        )
        for i in range(n)
    ]


FIGURES = {
    "loss": lambda: charts.loss_figure([("a", history(50)), ("b", history(3))]),
    "accuracy": lambda: charts.accuracy_figure([("a", history(50))]),
    "loss_by_images": lambda: charts.loss_figure([("a", history(5))], x_axis="images"),
    "gradients": lambda: charts.gradient_figure([("a", history(5)), ("b", history(2))], "steps"),
    "saturation": lambda: charts.saturation_figure([("a", history(5))], "seconds"),
    "probabilities": lambda: charts.probability_bars(np.full(10, 0.1)),
    "image": lambda: charts.image_figure(np.zeros((28, 28)), "seen"),
    "grid": lambda: charts.grid_figure(np.zeros((118, 238)), "shown"),
    "diverging": lambda: charts.image_figure(np.eye(28) - 0.5, "why", diverging=True),
    "softmax": lambda: softmax_charts.softmax_bars(np.array([np.nan, 0.0]), np.array([0.0, 1.0])),
    "breaking": lambda: softmax_charts.breaking_point_figure(
        np.linspace(0, 1000, 5), breaking_point(np.linspace(0, 1000, 5)), 709.8, "float64"
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_what_plotlys_validation_would_have_made(name):
    """Validation raises on a wrong property and expands names (a colourscale "gray") that
    plotly.js does not know: the unvalidated figure must come out the same."""
    figure = FIGURES[name]()
    validated = go.Figure(figure.to_dict())
    assert json.loads(plotly.io.to_json(figure)) == json.loads(plotly.io.to_json(validated))


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_has_transparent_backgrounds_so_the_theme_shows(name):
    layout = FIGURES[name]().to_dict()["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"


def test_the_diverging_map_is_transparent_at_zero_and_opaque_at_the_ends():
    heat = FIGURES["diverging"]().to_dict()["data"][0]
    stops = dict((position, color) for position, color in heat["colorscale"])
    assert stops[0.5].endswith(",0)")  # alpha 0: the page's background, light or dark
    assert stops[0.0].endswith(",1)") and stops[1.0].endswith(",1)")
    assert heat["zmin"] == -heat["zmax"]  # 0 sits at the middle of the scale


def test_the_loss_figure_plots_each_runs_history():
    figure = charts.loss_figure([("a", history(50)), ("b", history(3))])
    assert [len(trace.x) for trace in figure.data] == [50, 3]
    assert figure.data[1].mode == "lines+markers"  # few points: markers shown


@pytest.mark.parametrize(("axis", "expected"), [("steps", 30), ("images", 1920), ("seconds", 0.2)])
def test_live_charts_plot_against_the_chosen_x_axis(axis, expected):
    for build in (charts.loss_figure, charts.accuracy_figure, charts.gradient_figure):
        fig = build([("a", history(3))], x_axis=axis)
        assert fig.data[-1].x[-1] == pytest.approx(expected)


def test_the_saturation_chart_shows_shares_as_percent_and_the_slope_against_its_maximum():
    fig = charts.saturation_figure([("a", history(2))])
    assert list(fig.data[0].y) == [10.0, 10.0] and list(fig.data[1].y) == [80.0, 80.0]


def test_a_preview_grid_is_drawn_at_its_aspect_ratio():
    fig = charts.grid_figure(np.zeros((100, 200)), "shown", width=600)
    assert fig.layout.height == 40 + 300


def test_empty_live_charts_show_the_axes_to_come_not_plotlys_defaults():
    loss, acc = charts.loss_figure([]), charts.accuracy_figure([("run", [])])
    assert list(loss.layout.yaxis.range) == [0, 2.5] and list(acc.layout.yaxis.range) == [0, 100]
    assert charts.loss_figure([("run", history(3))]).layout.yaxis.range is None  # autoscaled


@pytest.mark.parametrize(
    "figure",
    [
        lambda: charts.gradient_figure([("a", history(5))]),
        lambda: charts.loss_figure([("a", history(5))], log=True),
        lambda: inside_charts.digit_bars(np.array([5e-4, -2e-4] + [0.0] * 8), "d", "gradient"),
    ],
    ids=["gradients", "log loss", "one digit's gradient"],
)
def test_small_numbers_on_an_axis_read_as_plain_numbers_not_si_prefixes(figure):
    """Issue 19: a gradient axis read "500μ"; d3's "~g" writes 0.0005, or 5e-7 when tiny."""
    yaxis = figure().to_dict()["layout"]["yaxis"]
    assert yaxis["tickformat"] == "~g"


@pytest.mark.parametrize(("low", "high", "dtick"), [(0.08, 1.0, "D2"), (1e-6, 10.0, 1)])
def test_a_log_axis_shows_decades_when_the_values_span_several_else_1_2_5(low, high, dtick):
    """Issue 19: the gradient axis labelled every minor tick (0.08 0.09 0.1 … overlapping)."""
    points = [Progress(1, 0, 1.0, 0.9, None, 0.1, 0.05, grad_norm_w1=g, grad_norm_w2=g)
              for g in (low, high)]  # fmt: skip
    assert charts.gradient_figure([("a", points)]).layout.yaxis.dtick == dtick


def _luminance(rgb: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    c = [v / 255 for v in rgb]
    c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("page", [(255, 255, 255), (14, 17, 23)], ids=["light", "dark"])
def test_the_for_and_against_colours_stand_out_on_the_light_and_the_dark_theme(page):
    """Issue 19: the map's navy and wine ends were nearly invisible on the dark theme."""
    heat = FIGURES["diverging"]().to_dict()["data"][0]
    for position, color in heat["colorscale"]:
        if position in (0.0, 1.0):
            rgb = tuple(float(v) for v in color[color.index("(") + 1 : -1].split(",")[:3])
            assert _contrast(rgb, page) >= 3.0, (color, page)


def test_the_first_runs_lines_are_drawn_over_the_others():
    """A lesson's first run (the naive softmax) is not hidden under the one after it (the
    stable one), nor the Train page's run under the runs it is overlaid with."""
    series = [("naive", history(3)), ("stable", history(3))]
    for figure in (charts.loss_figure(series), charts.accuracy_figure(series),
                   charts.gradient_figure(series), charts.saturation_figure(series)):  # fmt: skip
        first = [t.zorder for t in figure.data if t.name.endswith("naive")]
        second = [t.zorder for t in figure.data if t.name.endswith("stable")]
        assert min(first) > max(second)
