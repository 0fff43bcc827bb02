"""What the scheduler and its workers send each other (pickled over a local connection):
one frozen dataclass per message, handled with `match` on each side.

Server -> worker: Task (kind "train", or "range": mlcore.range_test on its config), Stop,
Pause, Threads, Prewarm, Quit.
Worker -> server: Hello, Started, Report, Checkpoint now and then at a report boundary (the
whole state, mlcore.checkpoint bytes), StepDone after a single Step, RangeResult, End.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlcore.data import DataRef  # re-exported: the worker's half of a run's data
from mlcore.inspection import StepChange
from mlcore.network import Params
from mlcore.range_test import RangeTest
from mlcore.scaling import Scaling
from mlcore.train import Progress, TrainConfig, TrainState

AUTHKEY_ENV = "MNIST_LAB_WORKER_KEY"  # the connection's secret, passed to workers privately


# ---- server -> worker -----------------------------------------------------------------


@dataclass
class Task:
    """Train run_id from state (None: fresh weights) until done, stopped or paused."""

    run_id: str
    config: TrainConfig
    data: DataRef
    state: TrainState | None
    threads: int
    max_batches: int | None = None  # pause after this many batches (Step, +1 iteration)
    kind: str = "train"  # or "range": the learning-rate range test of config (not resumable)
    checkpoint_every: float = 5.0  # seconds between whole states sent for the store
    code: str | None = None  # a student's source: trained in the sandbox (runs.code_task)
    unsandboxed_ok: bool = False  # code may run without a sandbox (the server's own setting)


@dataclass(frozen=True)
class Stop:
    """End run_id at its next report (it can be continued)."""

    run_id: str


@dataclass(frozen=True)
class Pause:
    """Its turn is over: end run_id at its next report, to be queued again."""

    run_id: str


@dataclass(frozen=True)
class Threads:
    """Use n threads for compute from now on."""

    n: int


@dataclass(frozen=True)
class Prewarm:
    """Load and scale a dataset before any run asks for it."""

    data: DataRef
    scale: str
    dtype: str


@dataclass(frozen=True)
class Quit:
    """Exit."""


# ---- worker -> server -----------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    """A new worker connected (its process id matches it to the process started)."""

    pid: int


@dataclass(frozen=True)
class Started:
    """run_id's data is loaded (scaled with scaling): it trains from now on."""

    run_id: str
    scaling: Scaling


@dataclass(frozen=True)
class Report:
    """A progress report, with the weights at it now and then (None between)."""

    run_id: str
    progress: Progress
    snapshot: Params | None


@dataclass(frozen=True)
class Checkpoint:
    """The whole state at the report just sent, as mlcore.checkpoint bytes (for the store)."""

    run_id: str
    state: bytes


@dataclass(frozen=True)
class StepDone:
    """What a single Step changed."""

    run_id: str
    change: StepChange


@dataclass(frozen=True)
class RangeResult:
    """A range test's result."""

    run_id: str
    result: RangeTest


@dataclass(frozen=True)
class End:
    """run_id ended: outcome is finished, diverged, failed, stopped or paused."""

    run_id: str
    outcome: str
    message: str
    state: TrainState | None
