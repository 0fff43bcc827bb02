"""Training: a config, a resumable state, and a generator of progress reports.

The caller drives the loop: it pulls reports as fast as it likes, stops by not asking for
more, and continues later by calling train() again with the same state.
Run as `python -m mlcore.train` to train from the command line (see mlcore.cli).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from mlcore.network import INITS, Params, accuracy, init_params
from mlcore.scaling import SCALES
from mlcore.step import Workspace, apply_update, loss_and_gradients

SCHEDULES = ("constant", "cosine")
REPORTS_PER_ITERATION = 10  # mini-batch mode: enough for a live chart, test set every 5th
# A mean loss this high (the true class given e^-1000) only comes from a run blown apart;
# a sigmoid layer keeps logits finite long after that, so waiting for inf would waste minutes.
DIVERGED_LOSS = 1000.0


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
        _check(self.scale in SCALES, "scale", self.scale, f"must be one of {SCALES}")
        _check(self.init in INITS, "init", self.init, f"must be one of {INITS}")
        _check(self.init_scale >= 0, "init_scale", self.init_scale, "must be >= 0")
        _check(0 <= self.momentum < 1, "momentum", self.momentum, "must be in [0, 1)")
        _check(
            self.schedule in SCHEDULES,
            "schedule",
            self.schedule,
            f"must be one of {SCHEDULES}",
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _check(ok: bool, name: str, value, rule: str) -> None:
    if not ok:
        raise ValueError(f"{name}={value!r} {rule}")


# The values a text field accepts, per field name: the CLI's (and any form's) choices.
# A new text field of TrainConfig adds its tuple here (tests/test_cli.py checks every one has).
CHOICES = {"scale": SCALES, "init": INITS, "schedule": SCHEDULES}
# The word a field that may be None uses for None on the command line and in URLs.
NONE_WORDS = {"batch_size": "full"}


# The lab's own settings: raw pixels, every image in each step, plain gradient descent.
LAB = TrainConfig(
    scale="raw",
    learning_rate=0.01,
    iterations=20,
    batch_size=None,
    momentum=0.0,
    schedule="constant",
)
PRESETS = {
    "Quick start (≈98% in seconds)": TrainConfig(),
    "The lab: raw pixels, full batch, lr 0.01": LAB,
    # The same, with pixels in [0, 1]: the sigmoid no longer saturates (a rate to suit it).
    "The lab, pixels scaled to [0, 1]": replace(
        LAB, scale="unit", learning_rate=2.0, iterations=50
    ),
    "Fastest to 98%": TrainConfig(hidden_size=300, learning_rate=0.1, iterations=6),
    "Best: 98.4% (LeCun's one-layer record)": TrainConfig(
        hidden_size=1000, learning_rate=0.1, iterations=12
    ),
    # All hidden units start identical and get identical updates; only float32 rounding in
    # BLAS (edge columns summed in another order) tells them apart, and it grows each step.
    "Symmetry: all-zero weights (only rounding breaks it)": TrainConfig(init="zeros", iterations=3),
}


@dataclass(frozen=True)
class Progress:
    """One report. iteration is fractional in mini-batch mode (2.5 = half through the 3rd pass).

    train_loss/train_accuracy are means over the batches since the previous report, from the
    training steps' own forward passes. test_accuracy is None where the test set was not run.
    """

    iteration: float
    batch: int  # batches done within the current iteration (0 at a pass's end)
    train_loss: float
    train_accuracy: float
    test_accuracy: float | None
    elapsed: float  # seconds of training so far, over every call to train()
    learning_rate: float
    done: bool = False
    diverged: bool = False  # done because the loss blew up
    reason: str = ""  # why training ended, when done


@dataclass
class TrainState:
    """Everything needed to continue a run exactly where it stopped."""

    params: Params
    velocity: Params
    rng: np.random.Generator
    iteration: int = 0  # completed iterations
    batch: int = 0  # batches done within the current iteration
    order: np.ndarray | None = None  # this iteration's shuffled row order (mini-batch)
    elapsed: float = 0.0
    history: list[Progress] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return bool(self.history) and self.history[-1].done

    @property
    def latest_test_accuracy(self) -> float | None:
        """The most recent test accuracy measured, or None before the first."""
        tested = (p.test_accuracy for p in reversed(self.history) if p.test_accuracy is not None)
        return next(tested, None)


def new_state(config: TrainConfig, n_inputs: int = 784) -> TrainState:
    """Fresh weights from config.seed; the same generator then shuffles the batches."""
    rng = np.random.default_rng(config.seed)
    params = init_params(
        rng, config.hidden_size, config.init, config.init_scale, np.float32, n_inputs
    )
    return TrainState(params=params, velocity=params.zeros_like(), rng=rng)


def learning_rate_at(config: TrainConfig, progress: float) -> float:
    """Learning rate at progress in [0, 1] of the run (cosine: from lr down to 0)."""
    if config.schedule == "constant":
        return config.learning_rate
    return config.learning_rate * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def train(
    config: TrainConfig,
    state: TrainState,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
) -> Iterator[Progress]:
    """Train state.params on scaled X (n, 784) float32, labels y (n,); yields Progress.

    Stops after config.iterations, or when the loss is non-finite or above DIVERGED_LOSS.
    Each report is also appended to state.history. X_test (m, 784), y_test (m,): test set.
    """
    n = X.shape[0]
    batch = n if config.batch_size is None else min(config.batch_size, n)
    n_batches = math.ceil(n / batch)
    ws = Workspace(state.params, max_rows=batch)
    xb = np.empty((batch, X.shape[1]), X.dtype) if batch < n else None
    running = np.zeros(3)  # loss sum, correct, rows since the last report
    tick = time.perf_counter()
    while state.iteration < config.iterations:
        Xb, yb = _next_batch(state, X, y, batch, xb)
        lr = learning_rate_at(
            config, (state.iteration + state.batch / n_batches) / config.iterations
        )
        with np.errstate(all="ignore"):  # a diverging run is reported below, not warned about
            b_loss, b_correct = loss_and_gradients(state.params, Xb, yb, ws, scale=lr)
            diverged = not b_loss / len(yb) < DIVERGED_LOSS  # also catches nan
            if not diverged:
                apply_update(state.params, ws.grads, state.velocity, config.momentum)
                running += (b_loss, b_correct, len(yb))
                state.batch += 1
                if state.batch == n_batches:
                    state.iteration, state.batch = state.iteration + 1, 0
        slot = _report_slot(state.batch or n_batches, n_batches)
        if diverged or slot is not None:
            state.elapsed += time.perf_counter() - tick
            test_due = slot in (REPORTS_PER_ITERATION // 2, REPORTS_PER_ITERATION)
            report = _report(
                config,
                state,
                running,
                lr,
                n_batches,
                diverged,
                test_due,
                X_test,
                y_test,
            )
            running[:] = 0
            state.history.append(report)
            yield report
            if report.done:
                return
            tick = time.perf_counter()


def _report_slot(done: int, n_batches: int) -> int | None:
    """k if the done-th batch of a pass ends the k-th of REPORTS_PER_ITERATION equal parts.

    Every batch reports when a pass has fewer batches than that (full batch: 1 per pass).
    """
    k = done * REPORTS_PER_ITERATION // n_batches
    if n_batches <= REPORTS_PER_ITERATION:
        return REPORTS_PER_ITERATION if done == n_batches else (k or 1)
    return k if k != (done - 1) * REPORTS_PER_ITERATION // n_batches else None


def _next_batch(state: TrainState, X, y, batch: int, xb):
    """The rows of the next batch: all of X (full batch) or shuffled rows copied into xb."""
    if xb is None:
        return X, y
    if state.batch == 0 or state.order is None:
        state.order = state.rng.permutation(X.shape[0])
    idx = state.order[state.batch * batch : (state.batch + 1) * batch]
    return np.take(X, idx, axis=0, out=xb[: len(idx)]), y[idx]


def _report(config, state, running, lr, n_batches, diverged, test_due, X_test, y_test) -> Progress:
    """A Progress from the running sums; measures the test set when due or when done."""
    loss_sum, correct, rows = running
    done = diverged or state.iteration >= config.iterations
    if diverged:
        reason = f"diverged at iteration {state.iteration + 1} — learning rate too high?"
    else:
        reason = f"finished {config.iterations} iterations" if done else ""
    test_acc = None
    if (test_due or done) and not diverged:
        with np.errstate(all="ignore"):  # weights about to diverge may overflow here first
            test_acc = accuracy(state.params, X_test, y_test)
    return Progress(
        iteration=state.iteration + state.batch / n_batches,
        batch=state.batch,
        train_loss=float("nan") if diverged else loss_sum / rows,
        train_accuracy=correct / rows if rows else float("nan"),
        test_accuracy=test_acc,
        elapsed=state.elapsed,
        learning_rate=lr,
        done=done,
        diverged=diverged,
        reason=reason,
    )


if __name__ == "__main__":
    from mlcore.cli import main

    raise SystemExit(main())
