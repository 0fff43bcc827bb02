"""Link parameters read into a TrainConfig: every bad value a sentence naming it, never a crash."""

from __future__ import annotations

import pytest

from mlcore.spec import config_from_params
from mlcore.train import TrainConfig
from ui.widgets import widget_problem


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e400"])
def test_a_non_finite_number_in_a_link_is_named_and_the_default_kept(text):
    config, problems = config_from_params({"init_scale": text})
    assert config.init_scale == TrainConfig().init_scale
    assert problems == [f"init_scale={text!r} is not a finite number"]


def test_a_long_link_value_is_quoted_cut_with_its_length():
    _, problems = config_from_params({"learning_rate": "9" * 100 + "x" * 99_900})
    assert len(problems[0]) < 200 and "(100,000 characters)" in problems[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("init_scale", 1e308),
        ("init_scale", float("inf")),
        ("init_scale", float("nan")),
        ("init_scale", 5.05),
        ("iterations", 10**4000),
        ("hidden_size", 10**4000),
    ],
    ids=lambda v: f"{v:g}" if isinstance(v, float) else str(v)[:12],
)
def test_a_value_no_widget_can_show_is_a_short_sentence_not_an_overflow(name, value):
    said = widget_problem(name, value)
    assert said.startswith(f"{name}=") and len(said) < 300
