"""Training: a config, a resumable state, and a generator of progress reports.

The caller drives the loop: it pulls reports as fast as it likes, stops by not asking for
more, and continues later by calling train() again with the same state.
Run as `python -m mlcore.train` to train from the command line (see mlcore.cli).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from mlcore import inspection
from mlcore.augment import AUGMENTS, augment_batch
from mlcore.functions import cross_entropy, one_hot, softmax_naive
from mlcore.network import INITS, Params, accuracy, backward, forward, init_params
from mlcore.scaling import SCALES
from mlcore.step import Workspace, apply_update, loss_and_gradients
from mlcore.wording import counted

SCHEDULES = ("constant", "cosine")
SOFTMAXES = ("stable", "naive")
DTYPES = ("float32", "float64")
REPORTS_PER_ITERATION = 10  # mini-batch mode: enough for a live chart, test set every 5th
EARLY_TESTS = (8,)  # first pass: reports after batches 1, 2, 4, 8, ...; the test set once early
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
        _check(self.softmax in SOFTMAXES, "softmax", self.softmax, f"must be one of {SOFTMAXES}")
        _check(self.dtype in DTYPES, "dtype", self.dtype, f"must be one of {DTYPES}")
        _check(self.augment in AUGMENTS, "augment", self.augment, f"must be one of {AUGMENTS}")
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


# The values a text field accepts, per field name: the CLI's (and any form's) choices.
# A new text field of TrainConfig adds its tuple here (tests/test_cli.py checks every one has).
CHOICES = {
    "scale": SCALES,
    "init": INITS,
    "schedule": SCHEDULES,
    "softmax": SOFTMAXES,
    "dtype": DTYPES,
    "augment": AUGMENTS,
}
# The word a field that may be None uses for None on the command line and in URLs.
NONE_WORDS = {"batch_size": "full"}


# The presets and the lab's own settings live with the lessons: mlcore.lessons.PRESETS.


@dataclass(frozen=True)
class Progress:
    """One report. iteration is fractional in mini-batch mode (2.5 = half through the 3rd pass).

    train_loss/train_accuracy are means over the batches since the previous report, from the
    training steps' own forward passes (on the distorted rows, with config.augment).
    test_accuracy is None where the test set was not run.
    Diagnostics (None when train() runs without them): gradient norms of the last step,
    and, on a fixed probe of training rows (inspection.probe_rows), the share of saturated
    hidden pre-activations (|z| > inspection.SATURATION_Z), the mean sigmoid slope and the
    largest |logit|; distinct_units counts hidden units that differ (1 = perfect symmetry).
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
    steps: int = 0  # gradient steps applied so far in the run
    images_seen: int = 0  # training rows those steps used
    grad_norm_w1: float | None = None  # L2 norms of the last step's true gradients
    grad_norm_b1: float | None = None
    grad_norm_w2: float | None = None
    grad_norm_b2: float | None = None
    saturated_share: float | None = None  # of hidden pre-activations on the probe
    sigmoid_slope: float | None = None  # mean sigma'(z) on the probe, at most 0.25
    max_abs_logit: float | None = None  # on the probe
    distinct_units: int | None = None


@dataclass
class TrainState:
    """Everything needed to continue a run exactly where it stopped."""

    params: Params
    velocity: Params  # the last step: rate x PyTorch's momentum buffer (see apply_update)
    rng: np.random.Generator
    velocity_rate: float = 0.0  # the learning rate velocity was taken with
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


def latest_test_accuracy(history: Sequence[Progress]) -> float | None:
    """The test accuracy of the last report that measured one, or None."""
    tested = (p.test_accuracy for p in reversed(history) if p.test_accuracy is not None)
    return next(tested, None)


def new_state(config: TrainConfig, n_inputs: int = 784) -> TrainState:
    """Fresh weights from config.seed; the same generator then shuffles the batches."""
    rng = np.random.default_rng(config.seed)
    dtype = np.dtype(config.dtype)
    params = init_params(rng, config.hidden_size, config.init, config.init_scale, dtype, n_inputs)
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
    early_reports=False drops the first pass's extra reports (see _report_due; they cost one
    test evaluation, ~20 ms on full MNIST): the benchmarks' plain epoch.
    background: the scaled value of a black pixel (Scaling.background), needed when
    config.augment is not "none": each batch is then distorted after it is gathered, with
    state.rng (so a stopped run continues exactly), and train_loss/train_accuracy are on
    the distorted rows; the test set and the diagnostics' probe stay undistorted.
    """
    _check_inputs(config, state, X, max_batches, background)
    n = X.shape[0]
    batch = n if config.batch_size is None else min(config.batch_size, n)
    n_batches = math.ceil(n / batch)
    step = _Step(config, state.params, batch)
    xb = np.empty((batch, X.shape[1]), X.dtype) if batch < n else None
    probe = X[inspection.probe_rows(n, config.seed)] if diagnostics else None
    running = np.zeros(3)  # loss sum, correct, rows since the last report
    batches_here = 0
    tick = time.perf_counter()
    while state.iteration < config.iterations:
        Xb, yb = _next_batch(state, X, y, batch, xb)
        if config.augment != "none":
            Xb = augment_batch(Xb, state.rng, config.augment, background).astype(
                X.dtype, copy=False
            )
        lr = learning_rate_at(
            config, (state.iteration + state.batch / n_batches) / config.iterations
        )
        with np.errstate(all="ignore"):  # a diverging run is reported below, not warned about
            b_loss, b_correct = step(state.params, Xb, yb, lr)
            diverged = not b_loss / len(yb) < DIVERGED_LOSS  # also catches nan
            if not diverged:
                step.update(state, config.momentum, lr)
                running += (b_loss, b_correct, len(yb))
                _advance(state, len(yb), n_batches)
        batches_here += 1
        due, test_due = _report_due(state.iteration, state.batch, n_batches, early_reports)
        final = max_batches is not None and batches_here >= max_batches
        if diverged or due or final:
            state.elapsed += time.perf_counter() - tick  # the step that diverged included
            report = _report(config, state, running, lr, n_batches, diverged, step)
            # Diagnostics through the first pass, then with each test (twice a pass) and at
            # the end: a default run pays < 1% for them (every report: ~3%).
            diagnose = test_due or final or report.done or state.iteration == 0
            measured = _measure(
                report, state, step, probe if diagnose else None, X_test, y_test, test_due
            )
            report = replace(report, **measured)
            running[:] = 0
            state.history.append(report)
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
    _check(max_batches is None or max_batches >= 1, "max_batches", max_batches, "must be >= 1")
    if config.augment != "none" and background is None:
        raise ValueError(
            f"augment={config.augment!r} needs background= the scaled value of a black pixel "
            f"(Scaling.background for scale={config.scale!r})"
        )


class _Step:
    """Gradients of one batch: the fused step, or the lab's naive softmax through network.py."""

    def __init__(self, config: TrainConfig, params: Params, max_rows: int):
        self.naive = config.softmax == "naive"
        self.ws = None if self.naive else Workspace(params, max_rows)
        self.scratch = np.empty_like(params.w1) if self.ws is None else self.ws.w1_half
        self.grads = params.zeros_like() if self.ws is None else self.ws.grads
        self.max_logit: float | None = None  # naive: the batch's largest logit

    def __call__(
        self, params: Params, X: np.ndarray, y: np.ndarray, rate: float
    ) -> tuple[float, int]:
        """(sum of the rows' losses, rows predicted right); gradients into self.grads.

        The fused step's gradients come out times rate (see apply_update's grads_factor).
        """
        if not self.naive:
            return loss_and_gradients(params, X, y, self.ws, factor=rate or 1.0)
        Y = one_hot(y, dtype=params.dtype)
        fwd = forward(params, X, softmax_naive)  # nan once a logit's exp overflows
        self.grads = backward(params, X, Y, fwd)
        self.max_logit = float(np.max(fwd.logits))
        correct = int(np.count_nonzero(np.argmax(fwd.logits, axis=1) == y))
        return cross_entropy(fwd.y_hat, Y) * len(y), correct

    def update(self, state: TrainState, momentum: float, rate: float) -> None:
        """Apply the gradients just computed to state's weights at this rate."""
        factor = 1.0 if self.ws is None else self.ws.factor
        update_state(state, self.grads, momentum, rate, self.scratch, factor)

    def gradients(self) -> Params:
        """The last step's true gradients."""
        return self.grads if self.ws is None else self.ws.gradients()


def update_state(
    state: TrainState,
    grads: Params,
    momentum: float,
    rate: float,
    scratch: np.ndarray | None = None,
    grads_factor: float = 1.0,
) -> None:
    """One SGD step on state's weights (apply_update), remembering the rate its velocity was
    taken at, so a rate that changes next step (cosine, the range test) rescales it."""
    p, v, last = state.params, state.velocity, state.velocity_rate
    apply_update(p, grads, v, momentum, rate, last, scratch, grads_factor)
    state.velocity_rate = rate


def _advance(state: TrainState, rows: int, n_batches: int) -> None:
    """Count one applied step of rows rows; a pass ends after n_batches."""
    state.batch, state.steps, state.images_seen = (
        state.batch + 1,
        state.steps + 1,
        state.images_seen + rows,
    )
    if state.batch == n_batches:
        state.iteration, state.batch = state.iteration + 1, 0


def _report_due(
    iteration: int, batch: int, n_batches: int, early_reports: bool = True
) -> tuple[bool, bool]:
    """(report?, measure the test set?) after a step that left the run at (iteration, batch).

    REPORTS_PER_ITERATION equal parts of a pass each end with a report (every batch when a
    pass has fewer batches; full batch: every step), the test set at the half and the end.
    In the run's first pass, reports also come after batches 1, 2, 4, 8, ... (tested at
    EARLY_TESTS) so a chart shows its first points within a fraction of a second.
    """
    done = batch or n_batches  # batches done in the current pass
    R = REPORTS_PER_ITERATION
    k = done * R // n_batches
    if n_batches <= R:
        slot = R if done == n_batches else (k or 1)
    else:
        slot = k if k != (done - 1) * R // n_batches else None
    if slot is not None:
        return True, slot in (R // 2, R)
    first_part = early_reports and iteration == 0 and k == 0  # before the first part ends
    early = first_part and done & (done - 1) == 0
    return early, early and done in EARLY_TESTS


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


def _report(config, state, running, lr, n_batches, diverged, step) -> Progress:
    """A Progress from the running sums, without test accuracy and diagnostics."""
    loss_sum, correct, rows = running
    done = diverged or state.iteration >= config.iterations
    if diverged:
        reason = _divergence_reason(config, state, n_batches, step.max_logit)
    else:
        reason = f"finished {counted(config.iterations, 'iteration')}" if done else ""
    # A diverged step counts where it was tried, so time per iteration stays meaningful.
    tried = 1 if diverged else 0
    return Progress(
        iteration=state.iteration + (state.batch + tried) / n_batches,
        batch=state.batch,
        train_loss=float("nan") if diverged else float(loss_sum / rows),
        train_accuracy=float(correct / rows) if rows else float("nan"),
        test_accuracy=None,
        elapsed=state.elapsed,
        learning_rate=lr,
        done=done,
        diverged=diverged,
        reason=reason,
        steps=state.steps,
        images_seen=state.images_seen,
    )


def _divergence_reason(config, state, n_batches: int, max_logit: float | None) -> str:
    where = f"iteration {state.iteration + 1}"
    if n_batches > 1:
        where += f" (batch {state.batch + 1} of {n_batches})"
    limit = float(np.log(np.finfo(np.dtype(config.dtype)).max))  # exp(limit) = largest float
    if max_logit is not None and max_logit > limit:
        return (
            f"loss is nan at {where}: a logit reached {max_logit:.1f}, past {limit:.1f} "
            f"where exp overflows {config.dtype}"
        )
    return f"diverged at {where} — learning rate too high?"


def _measure(report, state, step, probe, X_test, y_test, test_due) -> dict:
    """Test accuracy (when due or done) and diagnostics, as Progress fields."""
    fields = {}
    with np.errstate(all="ignore"):  # weights about to diverge may overflow here first
        if (test_due or report.done) and not report.diverged:
            fields["test_accuracy"] = accuracy(state.params, X_test, y_test)
        if probe is not None:
            norms = inspection.gradient_norms(step.gradients())
            stats = inspection.probe_stats(state.params, probe)
            fields |= {f"grad_norm_{name}": value for name, value in norms.items()}
            fields |= stats._asdict()
            p = state.params
            fields["distinct_units"] = inspection.distinct_units(p.w1, p.b1)
    return fields


if __name__ == "__main__":
    from mlcore.cli import main

    raise SystemExit(main())
