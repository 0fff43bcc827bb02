"""A run's label: its id, its main settings and what differs from the runs beside it."""

from __future__ import annotations

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


def labels(runs: list[Run]) -> list[str]:
    """Each run's label: its id, its main settings and every setting in which the runs
    differ (so two runs that differ in softmax alone say so, not just by their ids)."""
    differ = {n for n in LABEL_PARTS if len({getattr(r.config, n) for r in runs}) > 1}

    def shown(name: str, value) -> bool:
        return (
            name in ALWAYS
            or name in differ
            or (name in WHEN_NOT_DEFAULT and value != getattr(DEFAULTS, name))
        )

    out = []
    for run in runs:
        parts = [run.id] + (["range test"] if run.kind == "range" else [])
        for name, write in LABEL_PARTS.items():
            if shown(name, value := getattr(run.config, name)):
                parts.append(write(value))
        out.append(" ".join(parts))
    return out


def label(run: Run) -> str:
    """One run's label (see labels)."""
    return labels([run])[0]
