"""What the scheduler and its workers send each other (pickled over a local connection).

Server -> worker: ("task", Task) (kind "train", or "range": mlcore.range_test on its config),
("stop", run_id), ("pause", run_id), ("threads", n),
("prewarm", DataRef, scale, dtype), ("quit",).
Worker -> server: ("hello", pid), ("started", run_id, Scaling), ("report", run_id, Progress,
Params | None), ("checkpoint", run_id, bytes) now and then at a report boundary (the whole
state, mlcore.checkpoint), ("step", run_id, StepChange) after a single Step, ("range", run_id,
RangeTest),
("end", run_id, outcome, message, TrainState | None).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlcore.train import TrainConfig, TrainState

AUTHKEY_ENV = "MNIST_LAB_WORKER_KEY"  # the connection's secret, passed to workers privately


@dataclass(frozen=True)
class DataRef:
    """Where a worker finds a run's data: load_mnist(location), or .npy files of an upload."""

    kind: str  # "directory", "cache", "sample" or "upload"
    location: str


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
