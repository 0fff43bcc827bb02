"""A training worker: a process of its own that trains the runs the scheduler hands it.

Started by runs.scheduler as `python -m runs.worker ADDRESS`; it connects back and then
loops: receive a task, load its data (cached), train, send each report, and check between
reports whether it was told to stop, pause or use another number of threads. It imports
NumPy and mlcore only: it starts in a fraction of a second on Linux, macOS and Windows.
"""

from __future__ import annotations

import os
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Client, Connection

import numpy as np

from mlcore.checkpoint import state_to_bytes
from mlcore.data import load_mnist
from mlcore.inspection import step_change
from mlcore.range_test import lr_range_test
from mlcore.scaling import Scaling, fit_scaling
from mlcore.threads import set_compute_threads
from mlcore.train import TrainConfig, last_batch_rows, new_state, train
from mlcore.wording import counted
from runs.code_task import run_code_task
from runs.protocol import (
    AUTHKEY_ENV,
    Checkpoint,
    DataRef,
    End,
    Hello,
    Pause,
    Prewarm,
    Quit,
    RangeResult,
    Report,
    Started,
    StepDone,
    Stop,
    Task,
    Threads,
)

SNAPSHOT_EVERY = 0.5  # seconds between weight snapshots sent with reports (and at the end)
CACHED_DATASETS = 2  # scaled datasets kept per worker (~220 MB each for full MNIST)


class DataCache:
    """Scaled datasets by (data, scale, dtype), the most recently used kept."""

    def __init__(self, size: int = CACHED_DATASETS):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, data: DataRef, scale: str, dtype: str):
        """(Scaling, X, y, X_test, y_test) with X (n, 784) in dtype, read-only."""
        key = (data, scale, dtype)
        if key not in self._items:
            self._items[key] = _load(data, scale, dtype)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        self._items.move_to_end(key)
        return self._items[key]


def _load(data: DataRef, scale: str, dtype: str):
    """(Scaling, X, y, X_test, y_test), the images scaled to dtype and read-only.

    Each split's raw pixels are let go as soon as they are scaled, so the training set's
    pixels and its float copy are the most held at once (full MNIST in float32: a peak of
    280 MB RSS, not 310 MB with every raw and scaled array alive together: bench/worker_memory.py).
    """
    raw = _raw(data)
    X, y, Xt, yt = raw.pop(0), np.array(raw.pop(0)), raw.pop(0), np.array(raw.pop(0))
    scaling = fit_scaling(scale, X)
    X_s = scaling.apply(X, dtype)
    del X  # the last reference to the raw training pixels: freed before the test set is scaled
    Xt_s = scaling.apply(Xt, dtype)
    del Xt
    for a in (X_s, Xt_s):
        a.flags.writeable = False
    return scaling, X_s, y, Xt_s, yt


def _raw(data: DataRef) -> list[np.ndarray]:
    """[X_train, y_train, X_test, y_test] as stored (uint8), nothing else holding them."""
    if data.kind == "upload":
        return [
            np.load(os.path.join(data.location, f"{n}.npy"), mmap_mode="r")
            for n in ("X_train", "y_train", "X_test", "y_test")
        ]
    d = load_mnist(data.location)
    return [d.X_train, d.y_train, d.X_test, d.y_test]


def run_task(conn: Connection, task: Task, cache: DataCache) -> None:
    """Train task's run, sending Started, Reports and one End over conn."""
    if task.code is not None:  # a student's code: in the sandbox (issue 23)
        run_code_task(conn, task, cache)
        return
    config: TrainConfig = task.config
    set_compute_threads(task.threads)
    scaling: Scaling
    scaling, X, y, X_test, y_test = cache.get(task.data, config.scale, config.dtype)
    conn.send(Started(task.run_id, scaling))
    if task.kind == "range":  # ~100 mini-batches: a second or two, never paused
        _range_test(conn, task, X, y)
        return
    state = task.state or new_state(config)
    if (command := _poll(conn)) is not None:  # stopped while its data was loading
        conn.send(End(task.run_id, *command, state))
        return
    extra = {"background": scaling.background}
    if task.max_batches is not None:
        extra["max_batches"] = task.max_batches
    before = state.params.copy() if task.max_batches == 1 else None  # for "what changed"
    reports = train(config, state, X, y, X_test, y_test, **extra)
    outcome, message = _train(conn, task, state, reports)
    if before is not None and outcome in ("paused", "finished"):  # a Step that ended the run
        rows = last_batch_rows(state, len(y), config.batch_size)
        conn.send(StepDone(task.run_id, step_change(before, state.params, X[rows], y[rows])))
    state.history = []  # the server keeps the history; the state only resumes the run
    conn.send(End(task.run_id, outcome, message, state))


def _range_test(conn: Connection, task: Task, X, y) -> None:
    result = lr_range_test(task.config, X, y)
    conn.send(RangeResult(task.run_id, result))
    message = (
        f"range test: suggests a rate of {result.suggestion:.2g} (a tenth of the lowest-loss rate)"
    )
    conn.send(End(task.run_id, "finished", message, None))


def _train(conn: Connection, task: Task, state, reports) -> tuple[str, str]:
    """Send each report (with weights now and then, the whole state for the store now and
    then) until the run ends or is told to; (outcome, message)."""
    config = task.config
    outcome, message, last_snapshot = "paused", "", 0.0
    if state.iteration >= config.iterations:  # nothing left to train: say so, not "paused"
        outcome, message = "finished", f"finished {counted(config.iterations, 'iteration')}"
    last_checkpoint = time.monotonic()
    for report in reports:
        now = time.monotonic()
        snapshot = None
        if report.done or now - last_snapshot >= SNAPSHOT_EVERY:
            snapshot, last_snapshot = state.params.copy(), now
        conn.send(Report(task.run_id, report, snapshot))
        if not report.done and now - last_checkpoint >= task.checkpoint_every:
            conn.send(Checkpoint(task.run_id, state_to_bytes(state)))
            last_checkpoint = now
        if report.done:
            return ("diverged" if report.diverged else "finished"), report.reason
        if (command := _poll(conn)) is not None:
            return command
    return outcome, message


def _poll(conn: Connection) -> tuple[str, str] | None:
    """Handle the messages waiting on conn; ("stopped"|"paused", message) if told to end."""
    ending = None
    while conn.poll():
        match conn.recv():
            case Threads(n):
                set_compute_threads(n)
            case Stop():
                ending = ("stopped", "stopped by you")
            case Pause() if ending is None:
                ending = ("paused", "paused: another run's turn")
            case Quit():
                raise SystemExit(0)
    return ending


def serve(conn: Connection) -> None:
    """The worker's loop: one message at a time until Quit or the server goes away."""
    cache = DataCache()
    conn.send(Hello(os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        match message:
            case Quit():
                return
            case Threads(n):
                set_compute_threads(n)
            case Prewarm(data, scale, dtype):
                _prewarm(cache, data, scale, dtype)
            case Task() if not _run_or_report(conn, message, cache):
                return  # the server is gone


def _run_or_report(conn: Connection, task: Task, cache: DataCache) -> bool:
    """Run task; a failure is reported to the page. False if the server has gone away."""
    try:
        try:
            run_task(conn, task, cache)
        except (EOFError, ConnectionError):
            raise
        except Exception as e:  # reported to the page instead of dying silently
            conn.send(End(task.run_id, "failed", f"{type(e).__name__}: {e}", None))
    except (EOFError, ConnectionError):  # the server died mid-run: nobody to tell
        return False
    return True


def _prewarm(cache: DataCache, data: DataRef, scale: str, dtype: str) -> None:
    try:
        cache.get(data, scale, dtype)
    except Exception as e:  # a bad default source is reported when a run asks for it
        print(f"worker {os.getpid()}: could not preload {data.location}: {e}", file=sys.stderr)


def main(argv: list[str]) -> int:
    address = argv[0]
    key = bytes.fromhex(os.environ.pop(AUTHKEY_ENV))
    try:
        with Client(address, authkey=key) as conn:
            serve(conn)
    except (EOFError, OSError):  # the server went away (before or while connecting): quietly
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
