"""Link parameters read into a TrainConfig: every bad value a sentence naming it, never a crash."""

from __future__ import annotations

import typing
from dataclasses import fields

import pytest

from mlcore.cli import build_parser
from mlcore.config import CHOICES, SETTINGS, parse_value
from mlcore.lessons import PRESETS
from mlcore.spec import config_from_params, config_to_params
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


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips_through_the_url(name):
    config = getattr(PRESETS[name], "config", PRESETS[name])  # a TrainConfig, or a Preset's
    params = config_to_params(config)
    assert all(isinstance(text, str) for text in params.values())
    assert config_from_params(params) == (config, [])


@pytest.mark.parametrize(
    ("flag", "name", "text"),
    [
        ("--batch-size", "batch_size", "lots"),
        ("--hidden-size", "hidden_size", "2.5"),
        ("--learning-rate", "learning_rate", "fast"),
        ("--scale", "scale", "huge"),
    ],
)
def test_a_bad_setting_gets_the_same_sentence_from_a_link_and_the_cli(flag, name, text, capsys):
    _, problems = config_from_params({name: text})
    with pytest.raises(SystemExit):
        build_parser().parse_args([flag, text])
    assert len(problems) == 1 and problems[0] in capsys.readouterr().err


@pytest.mark.parametrize("text", ["full", "FULL", " none "])
def test_the_full_batch_word_means_none_to_a_link_and_the_cli(text):
    assert parse_value("batch_size", text) is None
    assert config_from_params({"batch_size": text})[0].batch_size is None
    assert build_parser().parse_args(["--batch-size", text]).batch_size is None


def test_every_setting_has_its_text_and_only_text_fields_have_choices():
    hints = typing.get_type_hints(TrainConfig)
    assert list(SETTINGS) == [f.name for f in fields(TrainConfig)]
    assert {name for name, kind in hints.items() if kind is str} == set(CHOICES)
    for name, allowed in CHOICES.items():
        assert getattr(TrainConfig(), name) in allowed
    assert all(s.summary and s.help for s in SETTINGS.values())
