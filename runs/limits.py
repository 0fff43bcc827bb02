"""What one server allows, from environment variables (see the README's settings table)."""

from __future__ import annotations

import os
from dataclasses import dataclass

# Each worker holds up to two scaled datasets (~220 MB each for full MNIST): more workers than
# this by default would hold gigabytes on a big server for little gain in a class.
MAX_DEFAULT_WORKERS = 8


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Limits:
    """What one server allows; each from an environment variable (defaults in brackets)."""

    workers: int  # MNIST_LAB_WORKERS [cores]: runs that train at the same time
    cores: int  # MNIST_LAB_CORES [cores available]: split among the running workers
    turn_seconds: float  # MNIST_LAB_TURN_SECONDS [10]: a run's turn while others wait
    active_per_session: int  # MNIST_LAB_ACTIVE_RUNS [4]: waiting + running runs per session
    kept_per_session: int  # MNIST_LAB_KEPT_RUNS [20]: runs a session keeps (oldest dropped)
    run_memory: int  # MNIST_LAB_RUN_MEMORY_MB [1024]: estimated bytes one run may use
    session_grace: float  # MNIST_LAB_SESSION_GRACE [3]: seconds a closed tab's runs go on
    session_keep: float  # MNIST_LAB_SESSION_KEEP [60]: seconds its runs and data are kept
    stop_grace: float  # MNIST_LAB_STOP_GRACE [3]: at least, for a worker to obey a Stop
    workspace_bytes: int = 200 * 2**20  # MNIST_LAB_WORKSPACE_MB [200]: a workspace's store
    # MNIST_LAB_CHECKPOINT_SECONDS [5]: a restart loses at most this much of a run's training
    # (the default run's whole state: ~1.5 MB and ~5 ms in the worker, each time)
    checkpoint_seconds: float = 5.0

    @classmethod
    def from_env(cls, env=None) -> Limits:
        """Limits from environment variables; ValueError naming a bad one and its value."""
        env = os.environ if env is None else env

        def read(name: str, kind, default, minimum):
            text = env.get(name)
            try:
                value = default if text is None else kind(text)
            except ValueError:
                raise ValueError(f"{name}={text!r} is not a {kind.__name__}") from None
            if not value >= minimum:
                raise ValueError(f"{name}={text!r} must be >= {minimum}")
            return value

        cores = read("MNIST_LAB_CORES", int, _cores(), 1)
        return cls(
            workers=read("MNIST_LAB_WORKERS", int, min(cores, MAX_DEFAULT_WORKERS), 1),
            cores=cores,
            turn_seconds=read("MNIST_LAB_TURN_SECONDS", float, 10.0, 0.1),
            active_per_session=read("MNIST_LAB_ACTIVE_RUNS", int, 4, 1),
            kept_per_session=read("MNIST_LAB_KEPT_RUNS", int, 20, 1),
            run_memory=int(read("MNIST_LAB_RUN_MEMORY_MB", float, 1024.0, 1.0) * 2**20),
            session_grace=read("MNIST_LAB_SESSION_GRACE", float, 3.0, 0.0),
            session_keep=read("MNIST_LAB_SESSION_KEEP", float, 60.0, 0.0),
            stop_grace=read("MNIST_LAB_STOP_GRACE", float, 3.0, 0.5),
            workspace_bytes=int(read("MNIST_LAB_WORKSPACE_MB", float, 200.0, 1.0) * 2**20),
            checkpoint_seconds=read("MNIST_LAB_CHECKPOINT_SECONDS", float, 5.0, 0.0),
        )


class LimitError(ValueError):
    """A run the server cannot take; the message says which limit and what to do."""
