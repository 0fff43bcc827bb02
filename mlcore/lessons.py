"""The lab's lessons as data (the Train page's presets, which share their settings, are in
mlcore/presets.py and re-exported here).

A Lesson is a question, two to four runs that differ in ONE TrainConfig field on the same
seed, what to watch while they race, and a conclusion template that `conclude` fills from
the runs just measured. `scripts/measure_lessons.py` runs them headless (the README's numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

# The numbers a conclusion quotes are mlcore/conclusion.py's; the presets are
# mlcore/presets.py. Both are read through this module too, as before they moved.
from mlcore.conclusion import summary, value_text
from mlcore.config import TrainConfig
from mlcore.presets import ELASTIC, LAB, PRESET_RESULTS, PRESET_WORDS, PRESETS
from mlcore.progress import Progress

__all__ = [  # noqa: RUF022 (grouped: lessons, conclusions, presets)
    "BY_SLUG", "LESSONS", "Lesson",
    "conclude", "range_conclusion", "summary", "value_text",
    "ELASTIC", "LAB", "PRESETS", "PRESET_RESULTS", "PRESET_WORDS",
]  # fmt: skip


@dataclass(frozen=True)
class Lesson:
    """One experiment. runs: (label, config) pairs that differ only in `field`.

    line / line_diverged: a template per run, filled with `summary`'s keys; moral: the
    sentence after the numbers. watch: Progress fields to follow live. range_test: the lesson
    also runs mlcore.range_test on its first run's config. loss_note: a sentence under its
    loss chart.
    """

    slug: str  # the URL's ?lesson= value
    title: str
    question: str
    field: str
    runs: tuple[tuple[str, TrainConfig], ...]
    watch: tuple[str, ...]
    line: str
    moral: str
    line_diverged: str = "{label}: {reason}"
    range_test: bool = False
    loss_note: str = ""  # said under the lesson's loss chart (what its curves do not show)
    # The label of a run that differs from the first in another field (a yardstick the moral
    # cites: random init beside zero init); the other runs differ in `field` alone.
    reference: str = ""

    def __post_init__(self):
        names = {f.name for f in fields(TrainConfig)}
        if self.field not in names:
            raise ValueError(f"field={self.field!r} is not a TrainConfig field")
        labels = [label for label, _ in self.runs]
        if len(set(labels)) != len(labels) or len(labels) < 2:
            raise ValueError(f"runs of {self.slug!r} need two or more distinct labels: {labels}")
        if self.reference and self.reference not in labels:
            raise ValueError(f"reference={self.reference!r} is not one of {labels}")

    def varied(self) -> tuple[tuple[str, TrainConfig], ...]:
        """The runs that differ in `field` alone (all but the reference)."""
        return tuple((label, c) for label, c in self.runs if label != self.reference)

    def other_fields(self) -> list[str]:
        """The fields in which the reference run differs from its twin (the run with the same
        `field` value: random init, float32 beside zero init, float32); [] without one."""
        config = dict(self.runs).get(self.reference)
        if config is None:
            return []
        value = getattr(config, self.field)
        twin = next((c for _, c in self.varied() if getattr(c, self.field) == value), config)
        return [
            f.name for f in fields(TrainConfig) if getattr(config, f.name) != getattr(twin, f.name)
        ]


def _vary(base: TrainConfig, field: str, values: Mapping[str, object]):
    """(label, base with field = value) for each label: runs that differ in field alone."""
    return tuple((label, replace(base, **{field: v})) for label, v in values.items())


LESSONS = (
    Lesson(
        slug="scaling",
        title="Raw pixels, [0, 1] or standardized?",
        question="The lab fed raw 0–255 pixels to the sigmoid layer. Does it matter what the "
        "pixels are divided by before the network sees them?",
        field="scale",
        runs=_vary(
            TrainConfig(iterations=2),
            "scale",
            {"raw 0–255": "raw", "[0, 1]": "unit", "standardized": "standard"},
        ),
        watch=("test_accuracy", "saturated_share", "sigmoid_slope"),
        line="{label}: {accuracy} after {steps} with {saturated} of hidden activations saturated",
        moral="Raw pixels make z = x·w1 hundreds large: nearly every sigmoid sits at 0 or 1, "
        "its slope σ′ ≈ 0 passes no gradient, and the hidden layer stops learning.",
    ),
    Lesson(
        slug="naive-softmax",
        title="The naive softmax inside training",
        question="The lab's softmax is exp(l) / Σ exp(l). What happens during training when a "
        "large learning rate makes the logits grow?",
        field="softmax",
        runs=_vary(
            replace(LAB, scale="standard", learning_rate=10.0, momentum=0.9),
            "softmax",
            {"naive exp(l)/Σexp(l)": "naive", "stable (max subtracted)": "stable"},
        ),
        watch=("max_abs_logit", "train_loss", "test_accuracy"),
        line="{label}: kept going to {accuracy} after {steps}; at the last report its "
        "largest logit was {top_logit} and its largest |logit| {logit}",
        line_diverged="{label}: {steps} done, then {reason}; at the last report its "
        "largest |logit| was {logit}",
        loss_note="The naive run's loss takes each probability as at least 1e-12 (at most "
        "27.6 per image), so once its softmax rounds a probability to 0 its curve sits below "
        "the stable run's, whose log-softmax loss is exact.",
        moral="Subtracting each row's largest logit first gives the same probabilities and "
        "never overflows: exp of a number ≤ 0 is at most 1.",
    ),
    Lesson(
        slug="zero-init",
        title="All-zero weights: symmetry",
        question="What if every weight starts at zero? Do the 200 hidden units learn different "
        "things?",
        field="dtype",
        runs=(
            *_vary(
                TrainConfig(init="zeros", iterations=2),
                "dtype",
                {"zero init, float64": "float64", "zero init, float32": "float32"},
            ),
            ("random init, float32", TrainConfig(iterations=2)),  # the yardstick
        ),
        reference="random init, float32",
        watch=("distinct_units", "test_accuracy"),
        line="{label}: {distinct} of {hidden} after {steps}, {accuracy} test accuracy",
        moral="Identical units get identical gradients, so they stay identical: exactly so in "
        "float64; in float32 only rounding tells a few apart. Random initial weights break "
        "the symmetry at the start: every unit differs, and the layer learns.",
    ),
    Lesson(
        slug="learning-rate",
        title="Learning rate: too small, right, too large",
        question="η in w ← w − η·∂L/∂w sets how far each step goes. Which rate learns best in "
        "one pass, and can a short test find it before training?",
        field="learning_rate",
        runs=_vary(
            TrainConfig(iterations=1),
            "learning_rate",
            {"too small 0.001": 0.001, "right 0.05": 0.05, "too large 10": 10.0},
        ),
        watch=("train_loss", "test_accuracy"),
        line="{label}: {accuracy} after {steps} (training loss {loss})",
        line_diverged="{label}: diverged — {reason}",
        moral="Too small crawls, too large overshoots: the loss bounces or blows up. The "
        "range test raises the rate batch by batch and suggests a tenth of the lowest-loss rate.",
        range_test=True,
    ),
    Lesson(
        slug="batch-size",
        title="Full batch or mini-batches?",
        question="The lab used all 60,000 images for every step. With the same images seen, is "
        "one exact step better than many noisy ones?",
        field="batch_size",
        runs=_vary(
            TrainConfig(iterations=3),
            "batch_size",
            {"full batch": None, "batch 1024": 1024, "batch 64": 64},
        ),
        watch=("train_loss", "test_accuracy", "steps", "images_seen"),
        line="{label}: {accuracy} after {updates} ({images}, {seconds})",
        moral="Every run sees each image once per pass, but small batches turn a pass into "
        "hundreds of updates: each gradient is noisier, yet far more is learned per image seen. "
        "Plot the runs against updates, images seen and seconds to see where the time goes.",
    ),
    Lesson(
        slug="hidden-units",
        title="How many hidden units?",
        question="Does a wider hidden layer always help, and what does it cost?",
        field="hidden_size",
        runs=_vary(
            TrainConfig(iterations=2),
            "hidden_size",
            {f"{h} units": h for h in (10, 50, 200, 1000)},
        ),
        watch=("test_accuracy", "train_loss"),
        line="{label}: {accuracy} in {seconds}",
        moral="Accuracy climbs fast from 10 to 50 units and then slowly, while each step "
        "costs about in proportion to the units: past a few hundred the gain is small.",
    ),
)
BY_SLUG = {lesson.slug: lesson for lesson in LESSONS}


def conclude(lesson: Lesson, histories: Mapping[str, Sequence[Progress]]) -> str:
    """The lesson's conclusion from its runs' reports, by label; runs without reports are left
    out. One line per run ("; "-joined), then the moral."""
    lines = []
    for label, config in lesson.runs:
        history = histories.get(label) or ()
        if not history:
            continue
        template = lesson.line_diverged if history[-1].diverged else lesson.line
        lines.append(template.format(**summary(label, config, history)))
    return "; ".join(lines) + (". " if lines else "") + lesson.moral


def range_conclusion(
    lesson: Lesson, suggestion: float, histories: Mapping[str, Sequence[Progress]]
) -> str:
    """The range test's suggested rate, next to the rate of the lesson's best finished run."""
    text = f"The range test suggests a learning rate of about {suggestion:.2g}"
    rates = dict((label, config.learning_rate) for label, config in lesson.runs)
    scored = [
        (h[-1].test_accuracy, rates[label])
        for label, h in histories.items()
        if label in rates and h and h[-1].done and h[-1].test_accuracy is not None
    ]
    if not scored:
        return text + "."
    return text + f"; of the runs above, {max(scored)[1]:g} learned best."
