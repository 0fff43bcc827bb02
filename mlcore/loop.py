"""The training loop: a resumable TrainState and the generator that trains it.

The caller drives the loop: it pulls reports as fast as it likes, stops by not asking for
more, and continues later by calling train() again with the same state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from mlcore import inspection
from mlcore.augment import augment_batch
from mlcore.config import TrainConfig
from mlcore.functions import cross_entropy, one_hot, softmax_naive
from mlcore.network import Params, backward, forward, init_params
from mlcore.optim import SGD, FoldedStep
from mlcore.progress import Progress, latest_test_accuracy, make_report, measure, report_due

# A mean loss this high (the true class given e^-1000) only comes from a run blown apart;
# a sigmoid layer keeps logits finite long after that, so waiting for inf would waste minutes.
DIVERGED_LOSS = 1000.0


@dataclass
class TrainState:
    """Everything needed to continue a run exactly where it stopped."""

    params: Params
    optimizer: SGD  # owns the velocity
    rng: np.random.Generator
    iteration: int = 0  # completed iterations
    batch: int = 0  # batches done within the current iteration
    order: np.ndarray | None = None  # this iteration's shuffled row order (mini-batch)
    elapsed: float = 0.0
    steps: int = 0  # gradient steps applied
    images_seen: int = 0
    history: list[Progress] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return bool(self.history) and self.history[-1].done

    @property
    def latest_test_accuracy(self) -> float | None:
        """The most recent test accuracy measured, or None before the first."""
        return latest_test_accuracy(self.history)


def new_state(config: TrainConfig, n_inputs: int = 784) -> TrainState:
    """Fresh weights from config.seed; the same generator then shuffles the batches."""
    rng = np.random.default_rng(config.seed)
    dtype = np.dtype(config.dtype)
    params = init_params(rng, config.hidden_size, config.init, config.init_scale, dtype, n_inputs)
    return TrainState(params=params, optimizer=SGD.like(params), rng=rng)


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
    max_batches: int | None = None,
    diagnostics: bool = True,
    background: float | None = None,
    early_reports: bool = True,
) -> Iterator[Progress]:
    """Train state.params on scaled X (n, 784) of config.dtype, labels y (n,); yields Progress.

    Stops after config.iterations, or when the loss is non-finite or above DIVERGED_LOSS.
    Each report is also appended to state.history. X_test (m, 784), y_test (m,): test set.
    X must already be in config.dtype (Scaling.apply(pixels, dtype)): casting here would copy
    the whole training set (188 MB in float32) on every call, and "Step" calls once a batch.
    max_batches: return after that many batches with a final report (done only if the run is).
    diagnostics=False leaves the reports' diagnostic fields None (to measure their cost).
    early_reports=False drops the first pass's extra reports (progress.report_due).
    background: the scaled value of a black pixel (Scaling.background), needed when
    config.augment is not "none" (see _Run.batch).
    """
    _check_inputs(config, state, X, max_batches, background)
    run = _Run(config, state, X, y, diagnostics, background)
    batches_here, tick = 0, time.perf_counter()
    while state.iteration < config.iterations:
        lr, diverged = run.step()
        batches_here += 1
        due, test_due = report_due(state.iteration, state.batch, run.n_batches, early_reports)
        final = max_batches is not None and batches_here >= max_batches
        if diverged or due or final:
            state.elapsed += time.perf_counter() - tick  # the step that diverged included
            report = run.report(lr, diverged, test_due, final, (X_test, y_test))
            yield report
            if report.done or final:
                return
            tick = time.perf_counter()


def _check_inputs(
    config: TrainConfig, state: TrainState, X: np.ndarray, max_batches, background
) -> None:
    want = np.dtype(config.dtype)
    if X.dtype != want:
        raise ValueError(
            f"X has dtype {X.dtype} but dtype={config.dtype!r}: scale the pixels into "
            f"{config.dtype} (Scaling.apply(pixels, np.{config.dtype}))"
        )
    if state.params.dtype != want:
        raise ValueError(
            f"the state's weights are {state.params.dtype} but dtype={config.dtype!r}: "
            "make the state with new_state(config)"
        )
    if max_batches is not None and max_batches < 1:
        raise ValueError(f"max_batches={max_batches!r} must be >= 1")
    if config.augment != "none" and background is None:
        raise ValueError(
            f"augment={config.augment!r} needs background= the scaled value of a black pixel "
            f"(Scaling.background for scale={config.scale!r})"
        )


class _Run:
    """One call of train(): its batches, its step and the sums since the last report."""

    def __init__(self, config, state: TrainState, X, y, diagnostics: bool, background):
        self.config, self.state, self.X, self.y, self.background = config, state, X, y, background
        n = X.shape[0]
        self.size = n if config.batch_size is None else min(config.batch_size, n)
        self.n_batches = math.ceil(n / self.size)
        naive = config.softmax == "naive"
        self.kernel = _NaiveStep(state.params) if naive else FoldedStep(state.params, self.size)
        self.xb = np.empty((self.size, X.shape[1]), X.dtype) if self.size < n else None
        self.probe = X[inspection.probe_rows(n, config.seed)] if diagnostics else None
        self.running = np.zeros(3)  # loss sum, correct, rows since the last report

    def step(self) -> tuple[float, bool]:
        """Train on the next batch: (its learning rate, whether the loss diverged)."""
        config, state = self.config, self.state
        Xb, yb = self.batch()
        done = state.iteration + state.batch / self.n_batches
        lr = learning_rate_at(config, done / config.iterations)
        with np.errstate(all="ignore"):  # a diverging run is reported, not warned about
            b_loss, b_correct = self.kernel(state.params, Xb, yb, lr)
            diverged = not b_loss / len(yb) < DIVERGED_LOSS  # also catches nan
            if not diverged:
                self.kernel.update(state.optimizer, state.params, lr, config.momentum)
                self.running += (b_loss, b_correct, len(yb))
                _advance(state, len(yb), self.n_batches)
        return lr, diverged

    def batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next batch's rows (b, 784) and labels (b,). With config.augment, distorted
        after the gather with state.rng (a stopped run continues exactly); the test set and
        the diagnostics' probe stay undistorted."""
        Xb, yb = _next_batch(self.state, self.X, self.y, self.size, self.xb)
        kind = self.config.augment
        if kind != "none":
            Xb = augment_batch(Xb, self.state.rng, kind, self.background)
            Xb = Xb.astype(self.X.dtype, copy=False)
        return Xb, yb

    def report(self, lr: float, diverged: bool, test_due: bool, final: bool, test) -> Progress:
        """The report due now (appended to the history); the running sums start again."""
        state, kernel = self.state, self.kernel
        report = make_report(
            self.config, state, self.running, lr, self.n_batches, diverged, kernel.max_logit
        )
        # Diagnostics through the first pass, then with each test (twice a pass) and at
        # the end: a default run pays < 1% for them (every report: ~3%).
        diagnose = test_due or final or report.done or state.iteration == 0
        probe = self.probe if diagnose else None
        grads = kernel.gradients() if probe is not None else None
        report = replace(report, **measure(report, state.params, grads, probe, test, test_due))
        self.running[:] = 0
        state.history.append(report)
        return report


class _NaiveStep:
    """The lab's naive softmax through network.forward/backward, with true gradients."""

    def __init__(self, params: Params):
        self.scratch = np.empty_like(params.w1)
        self.grads = params.zeros_like()
        self.max_logit: float | None = None  # the batch's largest logit

    def __call__(
        self, params: Params, X: np.ndarray, y: np.ndarray, rate: float
    ) -> tuple[float, int]:
        """(sum of the rows' losses, rows predicted right); gradients into self.grads."""
        Y = one_hot(y, dtype=params.dtype)
        fwd = forward(params, X, softmax_naive)  # nan once a logit's exp overflows
        self.grads = backward(params, X, Y, fwd)
        self.max_logit = float(np.max(fwd.logits))
        correct = int(np.count_nonzero(np.argmax(fwd.logits, axis=1) == y))
        return cross_entropy(fwd.y_hat, Y) * len(y), correct

    def update(self, sgd: SGD, params: Params, rate: float, momentum: float) -> None:
        sgd.step(params, self.grads, rate, momentum, self.scratch)

    def gradients(self) -> Params:
        return self.grads


def _advance(state: TrainState, rows: int, n_batches: int) -> None:
    """Count one applied step of rows rows; a pass ends after n_batches."""
    state.batch, state.steps, state.images_seen = (
        state.batch + 1,
        state.steps + 1,
        state.images_seen + rows,
    )
    if state.batch == n_batches:
        state.iteration, state.batch = state.iteration + 1, 0


def batches_per_iteration(config: TrainConfig, n: int) -> int:
    """Gradient steps in one iteration on n rows: 1 (full batch) or the batches of a pass."""
    return 1 if config.batch_size is None else math.ceil(n / min(config.batch_size, n))


def last_batch_rows(state: TrainState, n: int, batch_size: int | None) -> np.ndarray:
    """Row indices (b,) of the batch the last step of state trained on (all n: full batch)."""
    if batch_size is None or batch_size >= n or state.order is None:
        return np.arange(n)
    done = (state.batch or math.ceil(n / batch_size)) - 1  # index within the pass
    return state.order[done * batch_size : (done + 1) * batch_size]


def _next_batch(state: TrainState, X, y, batch: int, xb):
    """The rows of the next batch: all of X (full batch) or shuffled rows copied into xb."""
    if xb is None:
        return X, y
    if state.batch == 0 or state.order is None:
        state.order = state.rng.permutation(X.shape[0])
    idx = state.order[state.batch * batch : (state.batch + 1) * batch]
    # mode="clip" (idx is always in range): "raise" would gather into a hidden copy of xb first
    return np.take(X, idx, axis=0, out=xb[: len(idx)], mode="clip"), y[idx]
