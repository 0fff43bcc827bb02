"""The table of a workspace's runs (Train, Home → Your work): one row per run."""

from __future__ import annotations

from runs.run import Run
from ui.text import done_of


def row(run: Run) -> dict:
    """One row of the runs table: numbers as a person writes them, "–" where there is none."""
    c, h = run.config, run.history
    last = h[-1] if h else None
    test = run.latest_test_accuracy
    unit = "step" if c.batch_size is None else "pass"
    row = {  # what a run reached first: on a narrow screen the settings scroll out of view
        "run": run.id,
        "status": run.status,
        "test accuracy": "–" if test is None else f"{100 * test:.2f}%",
        "done": done_of(0 if last is None else last.iteration, c.iterations, unit),
        "training loss": "–" if last is None else f"{last.train_loss:.4f}",
        "seconds": "–" if last is None else f"{last.elapsed:.1f}",
        "hidden": c.hidden_size,
        "learning rate": f"{c.learning_rate:g}",
        "batch": "full" if c.batch_size is None else str(c.batch_size),
        "scaling": c.scale,
        "init": c.init if c.init_scale == 1 else f"{c.init} ×{c.init_scale:g}",
        "momentum": f"{c.momentum:g}",
        "schedule": c.schedule,
        "softmax": c.softmax,
        "precision": c.dtype,
    }
    if run.kind == "range":  # no iterations, no test: the rate it suggests
        result = run.range_test
        row["done"] = "range test"
        if result is not None:  # it sweeps the rate
            row["learning rate"] = f"{result.rates[0]:g} to {result.rates[-1]:g}"
        row["status"] = f"{run.status} · suggests {result.suggestion:.2g}" if result else run.status
    return row
