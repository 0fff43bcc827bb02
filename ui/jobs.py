"""Training runs in a background thread, so the page stays responsive while NumPy works.

The thread only iterates mlcore's training generator and writes into its Run object; it
never calls Streamlit. Pages poll the Run from a fragment and draw what it holds.
"""

from __future__ import annotations

import itertools
import os
import threading
import traceback
from dataclasses import dataclass, field, replace

import numpy as np

from mlcore.model import Model
from mlcore.scaling import Scaling
from mlcore.threads import compute_threads as blas_threads
from mlcore.train import TrainConfig, TrainState, new_state, train

# One training run at a time for the whole server: a class of users queues up instead of
# slowing everyone down. It gets one BLAS thread: the other core stays free for the web
# server and the page polling it. Measured in a real browser (8 passes, batch 64): 2 BLAS
# threads 18-27 s, 1 thread 10-11 s -- idle-spinning BLAS threads fight the server for CPU.
TRAINING_SLOTS = threading.BoundedSemaphore(1)
BLAS_THREADS = int(os.environ.get("MNIST_LAB_BLAS_THREADS", "1"))
_ids = itertools.count(1)


@dataclass
class Run:
    """One training run of a session: config, live state, status. Mutated only by its thread."""

    config: TrainConfig
    scaling: Scaling
    data_label: str
    state: TrainState
    id: int = field(default_factory=lambda: next(_ids))
    status: str = "ready"  # ready, waiting, running, stopped, finished, diverged, failed
    message: str = ""
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _arrays: tuple[np.ndarray, ...] | None = field(default=None, repr=False)

    @classmethod
    def create(cls, config: TrainConfig, scaling: Scaling, data_label: str) -> Run:
        return cls(config, scaling, data_label, new_state(config))

    @property
    def active(self) -> bool:
        return self.status in ("waiting", "running")

    @property
    def label(self) -> str:
        c = self.config
        batch = "full" if c.batch_size is None else c.batch_size
        return f"#{self.id} H={c.hidden_size} lr={c.learning_rate:g} batch={batch} {c.scale}"

    def start(self, arrays: tuple[np.ndarray, ...] | None = None) -> None:
        """Train on arrays (X, y, X_test, y_test) in a new thread; continue if already trained.

        Without arrays, continues on the arrays of the previous start.
        """
        if self.active:
            return
        arrays = self._arrays = arrays if arrays is not None else self._arrays
        if self.state.finished:  # Continue after the end: as many iterations again
            self.config = replace(self.config, iterations=self.config.iterations * 2)
            self.state.history[-1] = replace(self.state.history[-1], done=False)
        self._stop.clear()
        self.status = "waiting"
        self._thread = threading.Thread(target=self._work, args=(arrays,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop at its next report; the weights stay where they are."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self, arrays) -> None:
        while not TRAINING_SLOTS.acquire(timeout=0.2):  # queue, but a Stop still counts
            if self._stop.is_set():
                self.status, self.message = "stopped", "stopped before it started"
                return
        try:
            with blas_threads(BLAS_THREADS):
                self._iterate(arrays)
        finally:
            TRAINING_SLOTS.release()

    def _iterate(self, arrays) -> None:
        self.status = "running"
        try:
            for report in train(self.config, self.state, *arrays):
                if report.done:
                    self.status = "diverged" if report.diverged else "finished"
                    self.message = report.reason
                elif self._stop.is_set():
                    self.status, self.message = "stopped", "stopped by you"
                    return
        except Exception as e:  # shown on the page instead of dying silently in a thread
            self.status, self.message = "failed", f"{type(e).__name__}: {e}"
            traceback.print_exc()

    def model(self) -> Model:
        """A snapshot of the current weights with their scaling and settings."""
        info = {
            "config": self.config.as_dict(),
            "test_accuracy": self.state.latest_test_accuracy,
            "data": self.data_label,
            "run": self.label,
        }
        return Model(self.state.params.copy(), self.scaling, info)

    def eta(self) -> float | None:
        """Seconds left, from the pace so far; None before the first report."""
        h = self.state.history
        if not h or h[-1].iteration <= 0:
            return None
        per_iteration = h[-1].elapsed / h[-1].iteration
        return max(0.0, (self.config.iterations - h[-1].iteration) * per_iteration)
