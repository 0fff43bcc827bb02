"""A run's settings: TrainConfig, and what each field means as text -- help, choices, the word
for None -- declared once, read by the CLI's flags, the URL's parameters and the Train page.

A new setting: a field of TrainConfig (with its check) and its Setting in SETTINGS.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import asdict, dataclass, fields
from typing import NamedTuple

from mlcore.augment import AUGMENTS
from mlcore.network import INITS
from mlcore.quote import quoted
from mlcore.scaling import SCALES

SCHEDULES = ("constant", "cosine")
SOFTMAXES = ("stable", "naive")
DTYPES = ("float32", "float64")
# Past this the first step's logits overflow float32 (at 1e308 the weights themselves are inf),
# and the run's end would blame the learning rate: refused, naming the value.
MAX_INIT_SCALE = 100.0


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one run. The defaults reach ~98% on full MNIST in seconds."""

    hidden_size: int = 200  # sigmoid units in the hidden layer
    learning_rate: float = 0.05
    iterations: int = 8  # full batch: gradient steps; mini-batch: passes over the data
    batch_size: int | None = 64  # None = full batch (the lab: all 60,000 images per step)
    seed: int = 712  # the lab's seed: same seed, same run
    scale: str = "standard"  # raw 0-255 (the lab), unit [0, 1], or standard
    init: str = "lab"  # "lab": N(0, 1) * sqrt(1 / rows); "zeros": the symmetry experiment
    init_scale: float = 1.0  # multiplies the lab's initial weights
    momentum: float = 0.9  # 0 = plain gradient descent, as in the lab
    schedule: str = "cosine"  # learning rate constant, or cosine-decayed to 0 at the end
    # "stable": the fused step (max-shifted softmax). "naive": the lab's exp(l) / sum(exp(l))
    # through network.forward/backward -- slower per step, and exp overflows (loss nan) once
    # a logit passes ~88.7 in float32 (~709.8 in float64): the overflow lesson.
    softmax: str = "stable"
    # Weights and inputs: float32 for speed; float64 keeps all-zero weights exactly symmetric.
    dtype: str = "float32"
    # Each mini-batch is shown as randomly distorted copies (mlcore.augment): "affine" moves,
    # turns, scales and shears; "elastic" also bends and thickens or thins the strokes.
    augment: str = "none"

    def __post_init__(self):
        _check(self.hidden_size >= 1, "hidden_size", self.hidden_size, "must be >= 1")
        _check(
            math.isfinite(self.learning_rate) and self.learning_rate > 0,
            "learning_rate",
            self.learning_rate,
            "must be a positive number",
        )
        _check(self.iterations >= 1, "iterations", self.iterations, "must be >= 1")
        _check(self.seed >= 0, "seed", self.seed, "must be >= 0")
        _check(
            self.batch_size is None or self.batch_size >= 1,
            "batch_size",
            self.batch_size,
            "must be None (full batch) or >= 1",
        )
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            _check(value in allowed, name, value, f"must be one of {allowed}")
        _check(
            0 <= self.init_scale <= MAX_INIT_SCALE,
            "init_scale",
            self.init_scale,
            f"must be between 0 and {MAX_INIT_SCALE:g} (larger starting weights overflow at "
            "the first step, whatever the learning rate)",
        )
        _check(0 <= self.momentum < 1, "momentum", self.momentum, "must be in [0, 1)")
        # Distorting all 60,000 images each step would need ~0.6 GB of scratch per step.
        _check(
            self.augment == "none" or self.batch_size is not None,
            "augment",
            self.augment,
            "needs mini-batches (a batch size, not full batch)",
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _check(ok: bool, name: str, value, rule: str) -> None:
    if not ok:
        raise ValueError(f"{name}={value!r} {rule}")


class Setting(NamedTuple):
    """What a TrainConfig field means to a person."""

    summary: str  # a few words: the CLI's --help
    help: str  # what it changes in the math and what to expect: the Train page's tooltip
    choices: tuple = ()  # the values a text field accepts (empty: any of its type)
    none_word: str | None = None  # the word for None on the command line, in URLs, in widgets


SETTINGS: dict[str, Setting] = {
    "hidden_size": Setting(
        "sigmoid units in the hidden layer",
        "H, the sigmoid units between pixels and digits: w1 is 784×H, w2 is H×10. More units "
        "can tell more shapes apart (better accuracy) but each step costs ∝ H; past a few "
        "hundred the gain is small.",
    ),
    "learning_rate": Setting(
        "learning rate",
        "η in w ← w − η·∂L/∂w: how far each gradient step moves the weights. Too small "
        "crawls; too large overshoots and the loss blows up (diverges).",
    ),
    "iterations": Setting(
        "full batch: gradient steps; mini-batch: passes over the data",
        "Full batch: the number of gradient steps, each over every training image (the lab's "
        "`for i in range(iterations)`). Mini-batch: the number of passes (epochs) over the "
        "shuffled data, each of n / batch size steps.",
    ),
    "batch_size": Setting(
        "'full' (the lab) or a number of images",
        "Images per gradient step. Full batch (the lab): the exact gradient, one step per "
        "pass. Small batches: a noisy gradient but many steps per pass — usually far faster "
        "to a good accuracy.",
        none_word="full",
    ),
    "seed": Setting(
        "seed",
        "Seeds the one random generator that draws the initial weights and shuffles the "
        "batches: the same seed and settings give the same run, to the last digit.",
    ),
    "scale": Setting(
        "input scaling",
        "What the pixels are divided by before the network sees them. Raw 0–255 (the lab) "
        "makes z = x·w1 huge, so the sigmoids saturate (σ′ ≈ 0) and learning stalls; [0, 1] "
        "or standardized (mean 0, std 1) keeps z in the sigmoid's useful range.",
        choices=SCALES,
    ),
    "init": Setting(
        "init",
        "The starting weights. The lab: w ~ N(0, 1)·√(1/rows), so every unit starts "
        "different. All zeros: every hidden unit computes the same thing and gets the same "
        "update — they stay identical (symmetry) and the layer acts like one unit.",
        choices=INITS,
    ),
    "init_scale": Setting(
        "init scale",
        "Multiplies the initial weights. Larger starts z far from 0 (saturated sigmoids, "
        "large logits); 0 is the same as all-zero weights.",
    ),
    "momentum": Setting(
        "0 = the lab's plain gradient descent",
        "μ in v ← μ·v + ∂L/∂w; w ← w − η·v: each step keeps a share μ of the previous one. 0 "
        "is the lab's plain gradient descent; 0.9 speeds up progress along shallow directions"
        " and damps zig-zags.",
    ),
    "schedule": Setting(
        "schedule",
        "Constant: η throughout (the lab). Cosine: η decays smoothly to 0 by the end, so the "
        "last steps settle instead of bouncing.",
        choices=SCHEDULES,
    ),
    "softmax": Setting(
        "'naive' = the lab's exp(l) / sum(exp(l)) (slower; nan once a logit passes ~88.7)",
        "How the outputs' probabilities are computed. Stable (max subtracted): exp(l − max l)"
        " / Σ exp(l − max l), never overflows. Naive (the lab): exp(l) / Σ exp(l) — exp "
        "overflows to inf once a logit passes ~88.7 in float32 (~709.8 in float64), and the "
        "loss becomes nan.",
        choices=SOFTMAXES,
    ),
    "dtype": Setting(
        "of the weights and inputs (float64: exact symmetry, gradient checks)",
        "The numbers' precision for weights and inputs. float32: about 7 digits, fast. "
        "float64: about 16 digits, slower; all-zero weights then stay exactly identical (in "
        "float32 rounding tells a few units apart).",
        choices=DTYPES,
    ),
    "augment": Setting(
        "show each mini-batch as randomly distorted copies (mlcore.augment)",
        "Show the network randomly distorted copies of each batch, new ones every time: "
        "affine turns (±15°), scales, shears and shifts the digit; elastic also bends its "
        "strokes (Simard 2003) and makes them thicker or thinner. Slower to fit (training "
        "accuracy stays lower, on the distorted copies) and each step costs a little more, "
        "but the network reads more styles: better test accuracy after enough passes, and on "
        "digits you draw.",
        choices=AUGMENTS,
    ),
}
# Views of SETTINGS by what they hold (tests/test_config.py checks every field has a Setting).
CHOICES = {name: s.choices for name, s in SETTINGS.items() if s.choices}
NONE_WORDS = {name: s.none_word for name, s in SETTINGS.items() if s.none_word}
HELP = {name: s.help for name, s in SETTINGS.items()}


def format_value(value, name: str = "batch_size") -> str:
    """A field value as text: None -> its word ("full"), floats without noise."""
    if value is None:
        return NONE_WORDS.get(name, "none")
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    return str(value)


def parse_value(name: str, text: str):
    """Text -> the value of TrainConfig field name; ValueError naming both if it is not one.

    The one parser of a setting's text: the CLI's flags and the URL's parameters use it.
    """
    kinds = field_types()
    if name not in kinds:
        raise ValueError(f"{name} is not a setting (settings: {', '.join(kinds)})")
    kind, text = kinds[name], text.strip()
    optional = typing.get_origin(kind) in (typing.Union, types.UnionType)  # int | None
    if optional:
        if text.lower() in (NONE_WORDS.get(name, "none"), "none"):
            return None
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    try:
        value = _parse_as(kind, text)
    except ValueError:
        word = f"{NONE_WORDS.get(name, 'none')!r} or a " if optional else "a "
        raise ValueError(f"{name}={quoted(text)} is not {word}{_type_name(kind)}") from None
    if kind is float and not math.isfinite(value):  # inf, nan: no setting means either
        raise ValueError(f"{name}={quoted(text)} is not a finite number")
    if name in CHOICES and value not in CHOICES[name]:
        raise ValueError(f"{name}={quoted(text)} must be one of {', '.join(CHOICES[name])}")
    return value


def _parse_as(kind: type, text: str):
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError
        return text.lower() in ("true", "1")
    return kind(text)


def field_types() -> dict[str, type]:
    """TrainConfig's field names and their types (int | None for batch_size), in order."""
    hints = typing.get_type_hints(TrainConfig)
    return {f.name: hints[f.name] for f in fields(TrainConfig)}


def _type_name(kind) -> str:
    return {int: "whole number", float: "number", str: "text", bool: "true or false"}.get(
        kind, str(kind)
    )
