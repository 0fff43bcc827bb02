"""A run as pages see it (a frozen view) and as the scheduler keeps it (a mutable record).

The scheduler changes a Record under its lock; every change of a field pages read replaces the
record's view whole, so a page holds a value no other thread writes (it asks again for news).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Literal

from mlcore.inspection import StepChange
from mlcore.model import Model
from mlcore.network import Params
from mlcore.range_test import RangeTest, range_config
from mlcore.resources import useful_threads
from mlcore.scaling import SCALE_WORDS, Scaling
from mlcore.spec import RunSpec
from mlcore.train import Progress, TrainState, batches_per_iteration, latest_test_accuracy
from runs.protocol import DataRef

# waiting, running (active); paused, stopped, finished, diverged, failed; interrupted (its
# server stopped while it trained: it continues from its last saved state); elsewhere (another
# live server of a shared store trains it)
Status = Literal[
    "waiting", "running", "paused", "stopped", "finished", "diverged", "failed",
    "interrupted", "elsewhere",
]  # fmt: skip
ACTIVE = ("waiting", "running")
ENDED_UNUSABLE = ("diverged", "failed")


@dataclass(frozen=True, eq=False)
class Run:
    """One run at one moment, as pages see it; the scheduler publishes a new one per change."""

    id: str
    workspace: str
    spec: RunSpec
    data: DataRef
    data_label: str
    n_train: int
    created: float = field(default_factory=time.time)
    status: Status = "waiting"
    message: str = ""
    history: tuple[Progress, ...] = ()
    scaling: Scaling | None = None
    snapshot: Params | None = None  # weights at a report boundary (never mid-step)
    snapshot_at: int = 0  # len(history) when the snapshot was taken
    stopping: bool = False  # the user (or a closed tab) asked it to stop
    continuable: bool = True
    kind: str = "train"  # or "range": a learning-rate range test (see runs.protocol.Task)
    range_test: RangeTest | None = None  # its result, once the worker sent it
    last_step: StepChange | None = None  # what the last single Step changed
    lesson: str | None = None  # the lesson (slug) that started it
    name: str = ""  # the student's name for it ("": none)
    hidden: bool = False  # left out of the pages' lists (still kept)

    @property
    def config(self):
        return self.spec.config

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @cached_property
    def useful_threads(self) -> int:
        """Threads its steps can use (a range test trains on batches of 64, or its own)."""
        config = range_config(self.config) if self.kind == "range" else self.config
        return useful_threads(config, self.n_train)

    @property
    def batches_per_iteration(self) -> int:
        """Gradient steps in one iteration: 1 (full batch) or the batches of one pass."""
        return batches_per_iteration(self.config, self.n_train)

    @property
    def usable(self) -> bool:
        """Worth predicting with: trained a little and not blown apart."""
        return self.snapshot is not None and self.status not in ENDED_UNUSABLE

    @property
    def latest_test_accuracy(self) -> float | None:
        return latest_test_accuracy(self.history)

    @property
    def label(self) -> str:
        c = self.config
        batch, scale = "full" if c.batch_size is None else c.batch_size, SCALE_WORDS[c.scale]
        if self.kind == "range":
            return f"{self.id} range test H={c.hidden_size} batch={batch} {scale}"
        return f"{self.id} H={c.hidden_size} lr={c.learning_rate:g} batch={batch} {scale}"

    def model(self) -> Model | None:
        """The weights of the latest snapshot with their scaling and settings, or None."""
        if self.snapshot is None or self.scaling is None:
            return None
        info = {
            "config": self.config.as_dict(),
            # the snapshot's own accuracy (a stored run's reports may go past its weights)
            "test_accuracy": latest_test_accuracy(self.history[: self.snapshot_at]),
            "data": self.data_label,
            "run": self.label,
        }
        return Model(self.snapshot, self.scaling, info)

    def report_interval(self) -> float:
        """Seconds of training between the last two reports (0 before two reports)."""
        if len(self.history) < 2:
            return 0.0
        return max(0.0, self.history[-1].elapsed - self.history[-2].elapsed)

    def eta(self) -> float | None:
        """Seconds of training left at the pace so far; None before the first report."""
        if not self.history:
            return None
        last = self.history[-1]
        if last.iteration < min(0.2, 0.05 * self.config.iterations):
            return None  # the first batches (and their test evaluations) say little of the pace
        per_iteration = last.elapsed / last.iteration
        return max(0.0, (self.config.iterations - last.iteration) * per_iteration)


VIEW_FIELDS = frozenset(f.name for f in fields(Run))


@dataclass(eq=False)
class Record:
    """The scheduler's own record of a run (changed under its lock only).

    Reading a field of the view reads the view; setting one replaces the view whole.
    """

    view: Run
    state: TrainState | None = None  # resumable state while not training
    state_blob: bytes | None = None  # a stored run's state, read into `state` when resumed
    state_at: int = 0  # a stored run's reports that its state covers (it resumes from there)
    max_batches: int | None = None  # pause after this many batches (Step, +1 iteration)
    turn_started: float = 0.0
    asked_to_end: float = 0.0  # when stop/pause was sent (0: not asked)
    stop_reason: str = "stopped by you"
    data_ready: float = 0.0  # when its worker had loaded the data (this turn)
    saved: tuple = ()  # (status, message) last given to the store

    def __getattr__(self, name: str):
        if name == "view":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.view, name)

    def __setattr__(self, name: str, value) -> None:
        if name in VIEW_FIELDS:
            object.__setattr__(self, "view", replace(self.view, **{name: value}))
        else:
            object.__setattr__(self, name, value)

    def set(self, **values) -> None:
        """Change several fields of the view in one new view."""
        object.__setattr__(self, "view", replace(self.view, **values))
