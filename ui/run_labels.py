"""A run's label: its name, then what differs from the runs beside it; its id last.

Names are the student's own text (Run.name): labels are plain text, escaped where they are
drawn (ui/charts.legend_text, ui.text.plain).
"""

from __future__ import annotations

from collections import Counter

from mlcore.scaling import SCALE_WORDS
from mlcore.train import TrainConfig
from runs.scheduler import Run

DEFAULTS = TrainConfig()
# How a label writes each setting; the first four always, the others where runs differ in
# them or (softmax, precision, initialisation) where a run is not at the default.
LABEL_PARTS = {
    "hidden_size": lambda v: f"H={v}",
    "learning_rate": lambda v: f"lr={v:g}",
    "batch_size": lambda v: "full batch" if v is None else f"batch={v}",
    "scale": SCALE_WORDS.get,  # as the settings and the lessons name it
    "softmax": lambda v: f"{v} softmax",
    "dtype": str,
    "init": lambda v: "zero init" if v == "zeros" else "lab init",
    "init_scale": lambda v: f"init×{v:g}",
    "momentum": lambda v: f"momentum={v:g}",
    "schedule": str,
    "iterations": lambda v: f"{v} it.",
    "seed": lambda v: f"seed={v}",
    "augment": lambda v: f"{v} augment",
}
ALWAYS = ("hidden_size", "learning_rate", "batch_size", "scale")
WHEN_NOT_DEFAULT = ("softmax", "dtype", "init")


def settings_text(run: Run, names) -> str:
    """The run's settings of those names, as labels write them: "lr=0.05 batch=64"."""
    return " ".join(LABEL_PARTS[n](getattr(run.config, n)) for n in names)


def main_settings(run: Run) -> list[str]:
    """The settings that say what a run is on its own: the four main ones and any of softmax,
    precision, initialisation away from its default."""
    return [
        n
        for n in LABEL_PARTS
        if n in ALWAYS or (n in WHEN_NOT_DEFAULT and getattr(run.config, n) != getattr(DEFAULTS, n))
    ]


def labels(runs: list[Run]) -> list[str]:
    """Each run's label among runs: its name (if it has one), then the settings in which the
    runs differ ("my first · lr=0.1"); a run with neither says its main settings. The id comes
    last only where two labels would otherwise read the same."""
    differ = [n for n in LABEL_PARTS if len({getattr(r.config, n) for r in runs}) > 1]
    texts = []
    for run in runs:
        name = getattr(run, "name", "")
        what = (["range test"] if run.kind == "range" else []) + [settings_text(run, differ)]
        if not name and not differ:
            what.append(settings_text(run, main_settings(run)))
        texts.append(" · ".join(t for t in [name, " ".join(w for w in what if w)] if t))
    seen = Counter(texts)
    return [
        f"{t} · {r.id}" if seen[t] > 1 or not t else t for t, r in zip(texts, runs, strict=True)
    ]


def label(run: Run) -> str:
    """One run's label, id last: "my first (3f2a9c0d1e2b)", "H=200 lr=0.05 batch=64
    standardized (3f2a9c0d1e2b)"."""
    return f"{labels([run])[0]} ({run.id})"
