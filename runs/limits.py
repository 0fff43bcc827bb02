"""What one server allows, from environment variables (see the README's settings table)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import partial

from mlcore.resources import machine_memory, run_bytes

# Each worker holds up to two scaled datasets (~220 MB each for full MNIST): more workers than
# this by default would hold gigabytes on a big server for little gain in a class.
MAX_DEFAULT_WORKERS = 8
# The most any setting may be (Limits.from_env clamps, with a warning line): a worker holds up
# to two scaled datasets and a run, ~0.5 GB with full MNIST; more workers than twice the cores
# only share them; a workspace's runs beyond MAX_RUNS are no lesson anyone can follow.
WORKER_MB = 512
MAX_RUNS = 100
TMP_PREFIX = "mnist-lab-"  # + the server's pid + "-": the folder of its uploads


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
    active_per_workspace: int  # MNIST_LAB_ACTIVE_RUNS [4]: waiting + running runs per workspace
    kept_per_workspace: int  # MNIST_LAB_KEPT_RUNS [20]: runs a workspace keeps (oldest dropped)
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
        read = partial(_read, os.environ if env is None else env)
        machine_cores, ram_mb = _cores(), (machine_memory() or 2**40) / 2**20
        cores = read("MNIST_LAB_CORES", int, machine_cores, 1, (machine_cores, "its cores"))
        most_workers = max(1, min(2 * machine_cores, int(ram_mb // WORKER_MB)))
        hour = (3600.0, "an hour")
        return cls(
            workers=read(
                "MNIST_LAB_WORKERS", int, min(cores, MAX_DEFAULT_WORKERS), 1,
                (most_workers, f"2 per core, {WORKER_MB} MB each of {ram_mb:,.0f} MB"),
            ),
            cores=cores,
            turn_seconds=read("MNIST_LAB_TURN_SECONDS", float, 10.0, 0.1, hour),
            active_per_workspace=read("MNIST_LAB_ACTIVE_RUNS", int, 4, 1, (MAX_RUNS, "a class")),
            kept_per_workspace=read("MNIST_LAB_KEPT_RUNS", int, 20, 1, (MAX_RUNS, "a class")),
            run_memory=int(
                read("MNIST_LAB_RUN_MEMORY_MB", float, 1024.0, 1.0, (ram_mb / 2, "half its RAM"))
                * 2**20
            ),
            session_grace=read("MNIST_LAB_SESSION_GRACE", float, 3.0, 0.0, hour),
            session_keep=read("MNIST_LAB_SESSION_KEEP", float, 60.0, 0.0, (24 * hour[0], "a day")),
            stop_grace=read("MNIST_LAB_STOP_GRACE", float, 3.0, 0.5, (60.0, "a minute")),
            workspace_bytes=int(
                read("MNIST_LAB_WORKSPACE_MB", float, 200.0, 1.0, (ram_mb / 2, "half its RAM"))
                * 2**20
            ),
            checkpoint_seconds=read("MNIST_LAB_CHECKPOINT_SECONDS", float, 5.0, 0.0, hour),
        )  # fmt: skip


def _read(env, name: str, kind, default, minimum, bound: tuple[float, str]):
    """The setting, >= minimum; above bound[0] (what bound[1] allows): bound, warned."""
    text = env.get(name)
    try:
        value = default if text is None else kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a {kind.__name__}") from None
    if not value >= minimum:
        raise ValueError(f"{name}={text!r} must be >= {minimum}")
    if text is None:  # a default too big for a small machine: no warning needed
        return min(value, kind(bound[0]))
    return _bounded(name, value, kind(bound[0]), bound[1])


def _bounded(name: str, value, bound, what: str):
    """value, or bound with a warning line if value is larger (a clamp, not a refusal: the
    scheduler starts on a student's first visit, where an error would stop the whole class)."""
    if value <= bound:
        return value
    print(
        f"mnist-lab: warning: {name}={value} is more than this machine allows "
        f"({what}): using {bound}",
        file=sys.stderr,
        flush=True,
    )
    return bound


def remove_stale_folders(root: str | None = None) -> list[str]:
    """Remove upload folders (TMP_PREFIX + pid) of servers no longer running; return them.

    A server that crashed never ran close(): its uploads (up to ~190 MB each) stay in the
    temp folder. A folder whose pid is alive (or may be: another user's, or no way to tell
    on this OS) is left alone.
    """
    root = root or tempfile.gettempdir()
    removed = []
    for entry in os.scandir(root):
        pid = entry.name[len(TMP_PREFIX) :].split("-", 1)[0]
        if entry.name.startswith(TMP_PREFIX) and pid.isdigit() and entry.is_dir():
            if not _process_alive(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
    return removed


def _process_alive(pid: int) -> bool:
    """False only when pid is surely not a running process (POSIX; elsewhere always True)."""
    if os.name != "posix":  # Windows' os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, another user's
        return True
    return True


def check_memory(limits: Limits, config, n_train: int) -> None:
    """LimitError if a run of config on n_train images needs more than a run may take."""
    need = run_bytes(config, n_train)
    if need > limits.run_memory:
        raise LimitError(
            f"this run would need about {need / 2**20:,.0f} MB (hidden units × rows per "
            f"step); the server allows {limits.run_memory / 2**20:,.0f} MB per run. "
            "Use mini-batches or fewer hidden units."
        )


def check_active(active: int, more: int, limit: int) -> None:
    """LimitError if a workspace with `active` runs training or waiting may not start `more`."""
    if active + more <= limit:
        return
    if more == 1:
        raise LimitError(
            f"you already have {active} runs training or waiting (the limit is "
            f"{limit}); stop one or wait for it to finish"
        )
    busy = f", and you already have {active} training or waiting" if active else ""
    raise LimitError(
        f"that is {more} runs{busy}; the limit is {limit} at a time. "
        f"Stop {active + more - limit} or wait for them to finish"
    )


def check_quota(limits: Limits, used: int | None, to: str = "train more") -> None:
    """LimitError if a workspace's saved work (used bytes; None: unknown) is at its limit;
    to: what it stops ("train more", "keep more code")."""
    if used is not None and used >= limits.workspace_bytes:
        raise LimitError(
            f"your saved work takes {used / 2**20:,.0f} MB, the limit is "
            f"{limits.workspace_bytes / 2**20:,.0f} MB: delete runs you no longer need "
            f"(Home → Your work) to {to}"
        )


# The most iterations one run trains in all, Continue after Continue (five times the Train
# page's longest): each Continue after the end trains as long again, which must stop somewhere.
MAX_ITERATIONS = 1000


def longer(done: int, extend: int | None) -> int:
    """A finished run's iterations after a Continue: as long again (extend None) or `extend`
    more, at most MAX_ITERATIONS in all; LimitError once it has trained that many."""
    if done >= MAX_ITERATIONS:
        raise LimitError(
            f"this run has trained {done:,} iterations, the most one run may train; start a "
            "new run (its weights can be downloaded and compared) to go on"
        )
    return min(MAX_ITERATIONS, done + (done if extend is None else extend))


KEEP_ENV = "MNIST_LAB_KEEP_DAYS"


def keep_days(env=None) -> float:
    """$MNIST_LAB_KEEP_DAYS [180]: days a workspace is kept after its last use; ValueError
    saying what is wrong with a value that is not a number > 0."""
    text = (os.environ if env is None else env).get(KEEP_ENV, "180")
    try:
        days = float(text)
    except ValueError:
        raise ValueError(f"{KEEP_ENV}={text!r} is not a number of days") from None
    if not days > 0:
        raise ValueError(f"{KEEP_ENV}={text!r} must be a number of days > 0")
    return days


class LimitError(ValueError):
    """A run the server cannot take; the message says which limit and what to do."""
