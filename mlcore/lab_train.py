"""Train a student's own lab functions: their initialize_weights, forward and back, with plain
gradient descent (w -= learning_rate * gradient) over mini-batches.

`python -m mlcore.lab_train` is what a code run runs inside the sandbox (runs.code_task starts
it): stdin holds one JSON line ({"config": TrainConfig's fields, "data": a folder of .npy
files}) and then the source; stdout gets one JSON line per event (lab_events: a report, the
weights as base64 .npz without pickle, or an error sentence; before the last, its CPU time).
The student's own prints go to /dev/null. Seeding as the lab does (NumPy's global RNG, from
the config's seed, before their initialize_weights), shuffling with default_rng(seed): a
correct implementation trains exactly as our reference (mlcore.lab_reference) does.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator

import numpy as np

from mlcore import notebook
from mlcore.config import TrainConfig
from mlcore.functions import one_hot
from mlcore.progress import report_due
from mlcore.wording import counted

FUNCTIONS = ("initialize_weights", "forward", "back")
N_INPUTS, N_CLASSES = 784, 10
# Seconds between the weights sent with reports (and always at the end): each costs ~10 ms to
# encode here and decode in the worker (1.3 MB as float64 for H = 200); once a second keeps
# the Inside page current.
SNAPSHOT_EVERY = 1.0
MAX_TEXT = 300  # characters of a student's exception message quoted back
# Two correct implementations trained by this loop give the same curve up to float64
# rounding: the lab's typed code (np.insert) against one written with np.hstack and @ differed
# by at most 6e-16 in relative train loss over 3 passes of batch 64 and over 20 full-batch
# steps (bundled sample, H = 32), with equal test accuracies; the page's tolerance
# (mlcore.lab_curves.CURVE_RTOL) is far above that and far below any real mistake.


class LabError(Exception):
    """A student's code failed: the message is the sentence the page shows."""


def load_functions(source: str) -> dict[str, Callable]:
    """initialize_weights, forward and back defined by source, run as a notebook would
    (mlcore.notebook: shell lines, plotting imports and failing top-level lines skipped, as
    the check skips them)."""
    try:
        namespace, _, _ = notebook.load(source)
    except SyntaxError as e:
        raise LabError(f"Your code has a syntax error on line {e.lineno}: {e.msg}.") from None
    except (Exception, SystemExit) as e:
        raise LabError(f"Your code raised {_quote(e)} while it was being read.") from None
    missing = [name for name in FUNCTIONS if not callable(namespace.get(name))]
    if missing:
        raise LabError(f"Your code defines no function {', '.join(missing)}: training needs it.")
    return {name: namespace[name] for name in FUNCTIONS}


def _quote(e: BaseException) -> str:
    text = str(e).strip()
    text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _call(name: str, where: str, fn: Callable, *args):
    """fn(*args), or LabError naming the function, where it was and what it raised."""
    try:
        return fn(*args)
    except MemoryError:
        raise LabError(f"Your {name} ran out of memory {where}.") from None
    except Exception as e:
        raise LabError(f"Your {name} raised {_quote(e)} {where}.") from None


def _pair(name: str, where: str, out, shapes: tuple) -> tuple[np.ndarray, np.ndarray]:
    """out as two float64 arrays of the given shapes, or LabError saying what came back."""
    names = {"initialize_weights": "(w1, w2)", "forward": "(y_hat, h)", "back": "(w1_gradient, "
             "w2_gradient)"}[name]  # fmt: skip
    if not isinstance(out, tuple | list) or len(out) != 2:
        got = type(out).__name__ + (f" of {len(out)}" if isinstance(out, tuple | list) else "")
        raise LabError(f"Your {name} returned a {got} {where}; it should return {names}.")
    arrays = []
    for part, want in zip(out, shapes, strict=True):
        a = np.asarray(part)
        if a.shape != want or not np.issubdtype(a.dtype, np.number):
            got = f"shape {a.shape}" if np.issubdtype(a.dtype, np.number) else f"{a.dtype} values"
            raise LabError(
                f"Your {name} returned {got} {where} where {names} should have shapes "
                f"{shapes[0]} and {shapes[1]}."
            )
        arrays.append(a.astype(np.float64, copy=False))
    return arrays[0], arrays[1]


def initial_weights(fns: dict, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The student's initial w1 (785, H) and w2 (H + 1, 10), NumPy's global RNG seeded first."""
    np.random.seed(config.seed % 2**32)  # the lab's initialize_weights calls np.random.randn
    H = config.hidden_size
    out = _call("initialize_weights", "at the start", fns["initialize_weights"], N_INPUTS, H, 10)
    w1, w2 = _pair("initialize_weights", "at the start", out, ((N_INPUTS + 1, H), (H + 1, 10)))
    return np.array(w1), np.array(w2)  # copies of our own: updated in place


def train_lab(fns: dict, config: TrainConfig, X, y, X_test, y_test) -> Iterator[dict]:
    """Train fns on X (n, 784), y (n,); yield Progress fields as dicts, with "weights":
    (w1, w2) now and then. Ends after config.iterations, or at a loss that is not finite."""
    w1, w2 = initial_weights(fns, config)
    n_batches = math.ceil(len(y) / _batch_size(config, len(y)))
    running, elapsed, last_weights, seen = np.zeros(3), 0.0, 0.0, 0
    tick = time.perf_counter()
    for steps, (iteration, batch, rows) in enumerate(_batches(config, len(y)), start=1):
        where = _where(iteration, batch, n_batches)
        loss, correct = _step(fns, X[rows], y[rows], w1, w2, config.learning_rate, where)
        b = len(y[rows])
        seen += b
        iteration, batch = (iteration + 1, 0) if batch + 1 == n_batches else (iteration, batch + 1)
        running += (loss * b, correct, b) if math.isfinite(loss) else 0
        due, test_due = report_due(iteration, batch, n_batches)
        if not (due or not math.isfinite(loss)):
            continue
        elapsed += time.perf_counter() - tick
        report = _report(config, iteration, batch, n_batches, running, elapsed, steps, seen)
        if not math.isfinite(loss):
            report |= _diverged(where)
        elif test_due or report["done"]:
            report["test_accuracy"] = _accuracy(fns, X_test, y_test, w1, w2)
        if report["done"] or time.perf_counter() - last_weights >= SNAPSHOT_EVERY:
            report["weights"], last_weights = (w1, w2), time.perf_counter()
        yield report
        if report["done"]:
            return
        running[:] = 0
        tick = time.perf_counter()


def _batch_size(config: TrainConfig, n: int) -> int:
    return n if config.batch_size is None else min(config.batch_size, n)


def _batches(config: TrainConfig, n: int) -> Iterator[tuple[int, int, slice | np.ndarray]]:
    """(iteration, batch, rows) of each step: a pass's rows shuffled by default_rng(seed)."""
    rng, size = np.random.default_rng(config.seed), _batch_size(config, n)
    n_batches = math.ceil(n / size)
    for iteration in range(config.iterations):
        order = rng.permutation(n) if size < n else None
        for batch in range(n_batches):
            rows = slice(None) if order is None else order[batch * size : (batch + 1) * size]
            yield iteration, batch, rows


def _diverged(where: str) -> dict:
    why = (
        f"the loss is not finite {where}: your forward gave a true digit a probability "
        "of 0 or nan (a learning rate too high, or a softmax that overflows?)"
    )
    return {"done": True, "diverged": True, "reason": why, "train_loss": float("nan")}


def _where(iteration: int, batch: int, n_batches: int) -> str:
    where = f"at iteration {iteration + 1}"
    return where + (f" (batch {batch + 1} of {n_batches})" if n_batches > 1 else "")


def _step(fns, Xb, yb, w1, w2, lr: float, where: str) -> tuple[float, int]:
    """One gradient-descent step of w1, w2 in place: (the batch's mean loss, rows right)."""
    b, H = len(yb), w1.shape[1]
    Yb = one_hot(yb, dtype=np.float64)
    out = _call("forward", where, fns["forward"], Xb, w1, w2)
    y_hat, h = _pair("forward", where, out, ((b, N_CLASSES), (b, H)))
    with np.errstate(all="ignore"):  # mean cross-entropy: -log of each true digit's y_hat
        loss = float(-np.mean(np.log(y_hat[np.arange(b), yb])))
    if not math.isfinite(loss):
        return loss, 0
    out = _call("back", where, fns["back"], Xb, Yb, y_hat, w2, h)
    g1, g2 = _pair("back", where, out, (w1.shape, w2.shape))
    if not (np.isfinite(g1).all() and np.isfinite(g2).all()):
        raise LabError(f"Your back returned nan or inf {where} while the loss was {loss:.4g}.")
    w1 -= lr * g1
    w2 -= lr * g2
    return loss, int(np.count_nonzero(np.argmax(y_hat, axis=1) == yb))


def _accuracy(fns, X_test, y_test, w1, w2) -> float:
    """Share of the test set the student's forward predicts right."""
    out = _call("forward", "on the test set", fns["forward"], X_test, w1, w2)
    m, H = len(y_test), w1.shape[1]
    y_hat, _ = _pair("forward", "on the test set", out, ((m, N_CLASSES), (m, H)))
    return float(np.mean(np.argmax(y_hat, axis=1) == y_test))


def _report(config, iteration, batch, n_batches, running, elapsed, steps, seen) -> dict:
    loss_sum, correct, rows = running
    done = iteration >= config.iterations
    return {
        "iteration": iteration + batch / n_batches,
        "batch": batch,
        "train_loss": float(loss_sum / rows) if rows else float("nan"),
        "train_accuracy": float(correct / rows) if rows else float("nan"),
        "test_accuracy": None,
        "elapsed": elapsed,
        "learning_rate": config.learning_rate,
        "done": done,
        "diverged": False,
        "reason": f"finished {counted(config.iterations, 'iteration')}" if done else "",
        "steps": steps,
        "images_seen": seen,
    }


def weights_npz(w1: np.ndarray, w2: np.ndarray) -> bytes:
    """w1, w2 as .npz bytes (read back with allow_pickle=False)."""
    buffer = io.BytesIO()
    np.savez(buffer, w1=w1, w2=w2)
    return buffer.getvalue()


def lab_events(source: str, config: TrainConfig, data: tuple) -> Iterator[dict]:
    """The JSON-able events of training source on data = (X, y, X_test, y_test)."""
    try:
        fns = load_functions(source)
        for report in train_lab(fns, config, *data):
            weights = report.pop("weights", None)
            if weights is not None:  # first: the report that follows carries them
                npz = weights_npz(*(w.astype(config.dtype) for w in weights))  # as kept
                yield {"type": "weights", "npz": base64.b64encode(npz).decode()}
            yield {"type": "report", "progress": report}
    except LabError as e:
        yield {"type": "error", "message": str(e)}


def load_folder(folder: str) -> tuple:
    """(X, y, X_test, y_test) from folder's .npy files, mapped read-only, never unpickled."""
    names = ("X_train", "y_train", "X_test", "y_test")
    return tuple(
        np.load(os.path.join(folder, f"{n}.npy"), mmap_mode="r", allow_pickle=False) for n in names
    )


def main() -> int:
    out = os.fdopen(os.dup(1), "w", buffering=1)  # our events; fd 1 (their prints) to nowhere
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    header = json.loads(sys.stdin.readline())
    source = sys.stdin.read()
    config = TrainConfig(**header["config"])
    for event in lab_events(source, config, load_folder(header["data"])):
        last = event["type"] == "error" or (event["type"] == "report" and event["progress"]["done"])
        if last:
            used = resource.getrusage(resource.RUSAGE_SELF)  # before the last word: measured
            out.write(json.dumps({"type": "usage", "cpu_seconds": used.ru_utime + used.ru_stime}))
            out.write("\n")
        out.write(json.dumps(event, allow_nan=True) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
