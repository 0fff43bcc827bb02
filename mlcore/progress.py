"""What a run reports: Progress, when a report is due, and how one is measured.

The training loop (mlcore.loop) decides nothing here; it asks report_due after each step and
builds the report with make_report and measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlcore import inspection
from mlcore.config import TrainConfig
from mlcore.network import Params, accuracy
from mlcore.wording import counted

REPORTS_PER_ITERATION = 10  # mini-batch mode: enough for a live chart, test set every 5th
EARLY_TESTS = (8,)  # first pass: reports after batches 1, 2, 4, 8, ...; the test set once early


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
    max_logit: float | None = None  # on the probe, signed: below max_abs_logit, a negative was
    distinct_units: int | None = None


def latest_test_accuracy(history: Sequence[Progress]) -> float | None:
    """The test accuracy of the last report that measured one, or None."""
    tested = (p.test_accuracy for p in reversed(history) if p.test_accuracy is not None)
    return next(tested, None)


def report_due(
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


def make_report(config: TrainConfig, state, running, lr, n_batches, diverged, max_logit):
    """A Progress of state (a TrainState) from the running sums (loss sum, correct, rows),
    without test accuracy and diagnostics."""
    loss_sum, correct, rows = running
    done = diverged or state.iteration >= config.iterations
    if diverged:
        reason = divergence_reason(config, state.iteration, state.batch, n_batches, max_logit)
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


def divergence_reason(
    config: TrainConfig, iteration: int, batch: int, n_batches: int, max_logit: float | None
) -> str:
    """Why a run stopped at the step after (iteration, batch): a named overflow, or a guess."""
    where = f"iteration {iteration + 1}"
    if n_batches > 1:
        where += f" (batch {batch + 1} of {n_batches})"
    limit = float(np.log(np.finfo(np.dtype(config.dtype)).max))  # exp(limit) = largest float
    if max_logit is not None and max_logit > limit:
        return (
            f"loss is nan at {where}: a logit reached {max_logit:+.1f}, past +{limit:.1f} "
            f"where exp overflows {config.dtype}"
        )
    return f"diverged at {where} — learning rate too high?"


def measure(
    report: Progress,
    params: Params,
    grads: Params | None,
    probe: np.ndarray | None,
    test: tuple[np.ndarray, np.ndarray],
    test_due: bool,
) -> dict:
    """Test accuracy on test = (X_test, y_test) when due or done, and diagnostics of params
    on probe (rows, 784) with the last step's true grads, as Progress fields."""
    fields = {}
    with np.errstate(all="ignore"):  # weights about to diverge may overflow here first
        if (test_due or report.done) and not report.diverged:
            fields["test_accuracy"] = accuracy(params, *test)
        if probe is not None:
            norms = inspection.gradient_norms(grads)
            stats = inspection.probe_stats(params, probe)
            fields |= {f"grad_norm_{name}": value for name, value in norms.items()}
            fields |= stats._asdict()
            fields["distinct_units"] = inspection.distinct_units(params.w1, params.b1)
    return fields
