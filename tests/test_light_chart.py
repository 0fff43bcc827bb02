"""ui.light_chart: the live charts drawn as HTML + SVG from the same figures as Plotly's."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from ui import charts, light_chart

from .test_charts import history


def polylines(markup: str) -> list[str]:
    return re.findall(r'<polyline points="([^"]*)"', markup)


def test_each_run_is_one_line_of_its_points_in_its_colour():
    markup = light_chart.figure_html(charts.loss_figure([("a", history(50)), ("b", history(3))]))
    lines = polylines(markup)
    assert [len(p.split()) for p in lines] == [3, 50]  # the first run drawn last: on top
    assert markup.index(charts.COLORS[1]) < markup.index(charts.COLORS[0])  # b's line first
    assert markup.index("> a: ") < markup.index("> b: ")  # the legend in the runs' order
    assert 'data-points="50"' in markup  # the first trace's points, for tests and benchmarks
    for x, y in (map(float, pair.split(",")) for line in lines for pair in line.split()):
        assert 0 <= x <= 1000 and 0 <= y <= 1000  # inside the plot area


def test_the_legend_gives_each_runs_last_value_as_its_hover_text_would():
    markup = light_chart.figure_html(charts.loss_figure([("a", history(4))]))
    assert "a: 0.2500" in markup  # train_loss 1/4, as its hover text "loss %{y:.4f}"
    markup = light_chart.figure_html(charts.accuracy_figure([("a", history(4))]))
    assert "train a: 90.00%" in markup


def test_names_and_titles_are_shown_as_text_never_as_markup():
    label = '<img src="http://example.com/x.png">'
    markup = light_chart.figure_html(charts.loss_figure([(label, history(3))]))
    assert "<img" not in markup and "&lt;img src=&quot;http://example.com/x.png&quot;&gt;" in markup


def test_a_log_axis_is_labelled_in_whole_decades():
    markup = light_chart.figure_html(charts.gradient_figure([("a", history(50))]))
    labels = re.findall(r"translateY\(-50%\)\">([^<]*)</span>", markup)
    assert labels == ["0.01", "0.1", "1"]  # norms from 0.01 to 1


def test_an_empty_chart_shows_the_axes_to_come():
    markup = light_chart.figure_html(charts.loss_figure([("a", [])]))
    assert not polylines(markup) and 'data-points="0"' in markup
    assert ">2.5</span>" in markup and ">0</span>" in markup  # the layout's range 0 to 2.5


@pytest.mark.parametrize(
    "lo, hi, expected",
    [(0, 2.5, [0, 0.5, 1, 1.5, 2, 2.5]), (0, 100, [0, 20, 40, 60, 80, 100]), (0.3, 0.31, None)],
)
def test_ticks_are_round_steps_inside_the_range(lo, hi, expected):
    ticks = light_chart.nice_ticks(lo, hi)
    if expected is not None:
        assert ticks == pytest.approx(expected)
    assert 2 <= len(ticks) <= 7 and all(lo - 1e-12 <= t <= hi + 1e-12 for t in ticks)


def diverged(n: int, last: float) -> list:
    """A history whose last report's loss is `last` (inf or nan: the run diverged)."""
    runs = history(n)
    runs[-1] = replace(runs[-1], train_loss=last)
    return runs


@pytest.mark.parametrize("last", [math.inf, math.nan])
def test_a_diverged_run_ends_its_line_and_says_so_in_the_legend(last):
    markup = light_chart.figure_html(charts.loss_figure([("a", diverged(5, last))]))
    assert [len(p.split()) for p in polylines(markup)] == [4]  # the bad point is left out
    assert f"a: 0.2500 (then {last})" in markup  # the last finite loss, 1/4


def test_a_gap_in_the_values_breaks_the_line_as_plotly_does():
    runs = history(6)
    runs[2] = replace(runs[2], train_loss=math.nan)
    markup = light_chart.figure_html(charts.loss_figure([("a", runs)]))
    assert [len(p.split()) for p in polylines(markup)] == [2, 3]


def test_names_stay_on_one_line_so_markdown_reads_the_whole_chart_as_html():
    markup = light_chart.figure_html(charts.loss_figure([("a\n\nb *x* $y$", history(3))]))
    assert "\n" not in markup and "a b *x* $y$" in markup


def test_extreme_gradients_and_one_point_still_draw_readable_axes():
    runs = [replace(p, grad_norm_w1=1e-30, grad_norm_w2=1.7e308) for p in history(3)]
    markup = light_chart.figure_html(charts.gradient_figure([("a", runs)]))
    labels = re.findall(r"translateY\(-50%\)\">([^<]*)</span>", markup)
    assert 2 <= len(labels) <= 9  # about 8 of the 339 decades labelled
    one = light_chart.figure_html(charts.loss_figure([("a", history(1))], "seconds"))
    x_labels = re.findall(r"translateX\(-50%\)\">([^<]*)</span>", one)
    assert x_labels and all(float(t) >= 0 for t in x_labels)  # 0 s: no negative seconds


def test_large_ticks_read_as_plotlys_do_and_the_legend_shows_each_lines_dash():
    markup = light_chart.figure_html(charts.accuracy_figure([("a", history(50))], "images"))
    x_labels = re.findall(r"translateX\(-50%\)\">([^<]*)</span>", markup)
    assert x_labels[-1] == "30k" and "e+" not in markup  # 640 images per report, 50 reports
    swatches = re.findall(r'<svg width="22"[^>]*>(.*?)</svg>', markup)
    assert len(swatches) == 2 and "stroke-dasharray" not in swatches[0]  # test: solid
    assert 'stroke-dasharray="2 4"' in swatches[1]  # train: dotted, as its line
