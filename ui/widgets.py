"""Choices offered by the Train page's widgets (values the core's TrainConfig accepts).

A widget holds a real value for every choice: a TrainConfig None (full batch) is its word
("full"), since a select renders a None option as the placeholder "Choose an option".
to_widgets/from_widgets convert at the TrainConfig boundary.
"""

from collections.abc import Mapping
from dataclasses import fields

from mlcore.config import HELP as SETTING_HELP
from mlcore.config import NONE_WORDS, TrainConfig
from mlcore.quote import shorten

HIDDEN_SIZES = [1, 2, 5, 10, 20, 32, 50, 64, 100, 128, 200, 256, 300, 400, 512, 800, 1000]
LEARNING_RATES = [
    0.0001,
    0.0003,
    0.001,
    0.003,
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.1,
    0.2,
    0.3,
    0.5,
    1.0,
    2.0,
    3.0,
    5.0,
    10.0,
    100.0,
    1000.0,
]
FULL = NONE_WORDS["batch_size"]  # "full": the full-batch choice
BATCH_SIZES = [FULL, 16, 32, 64, 128, 256, 512, 1024]
MOMENTA = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]
# What each setting changes in the math, and what to expect: declared with TrainConfig.
HELP = SETTING_HELP
AUGMENT_LABELS = {
    "none": "none: the images as they are",
    "affine": "affine: turn, scale, shear, shift",
    "elastic": "elastic: affine + bent, thicker or thinner strokes",
}
SCALE_LABELS = {
    "raw": "raw 0–255 (lab)",
    "unit": "[0, 1]",
    "standard": "standardized",
}

# Ranges of the other widgets: (lowest, highest, step); seed: a number input.
RANGES = {"iterations": (1, 200, 1), "init_scale": (0.0, 5.0, 0.1), "seed": (0, 2**31 - 1, 1)}
CHOICES = {
    "hidden_size": HIDDEN_SIZES,
    "learning_rate": LEARNING_RATES,
    "batch_size": BATCH_SIZES,
    "momentum": MOMENTA,
}


def widget_problem(name: str, value) -> str | None:
    """Why the Train page's widget for name cannot show value (a valid setting), or None."""
    value = widget_value(name, value)
    typed = shorten(f"{value:g}" if isinstance(value, float) else str(value), 40)  # 10**4000
    if name in CHOICES and value not in CHOICES[name]:
        shown = ", ".join(v if isinstance(v, str) else f"{v:g}" for v in CHOICES[name])
        return f"{name}={typed} is not one of the page's choices ({shown})"
    if name in RANGES:
        low, high, step = RANGES[name]
        if not low <= value <= high:  # first: (1e308 - low) / step would be inf (nan: False)
            return f"{name}={typed} is outside the page's range {low:g} to {high:g} (step {step:g})"
        if abs((value - low) / step - round((value - low) / step)) >= 1e-9:
            return f"{name}={typed} is not on the page's steps of {step:g} from {low:g}"
    return None


def widget_value(name: str, value):
    """A TrainConfig field's value as its widget holds it (None: the field's word, "full")."""
    return NONE_WORDS[name] if value is None and name in NONE_WORDS else value


def to_widgets(config: TrainConfig) -> dict:
    """The Train page's widget values (keys named as TrainConfig fields) for config."""
    return {f.name: widget_value(f.name, getattr(config, f.name)) for f in fields(TrainConfig)}


def from_widgets(values: Mapping) -> TrainConfig:
    """The TrainConfig the widget values (keys named as its fields) stand for; ValueError
    names a setting TrainConfig refuses."""

    def value(name):
        word = values[name]
        return None if name in NONE_WORDS and word == NONE_WORDS[name] else word

    return TrainConfig(**{f.name: value(f.name) for f in fields(TrainConfig)})
