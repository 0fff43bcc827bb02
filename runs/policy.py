"""The scheduler's rules as pure functions of what it knows and the time `now`.

No processes, no locks, no clock of their own: tests give them a time and read the answer
(tests/test_policy.py). runs.scheduler decides with these and then does the I/O.
"""

from __future__ import annotations

import math

DATA_LOAD_LIMIT = 60.0  # seconds a worker may take to load a run's data before it is ended


def stop_overdue(
    asked_at: float, data_ready: float, report_interval: float, now: float, stop_grace: float
) -> bool:
    """A stop not obeyed in time (data_ready 0: its data is still loading).

    The grace starts once the data is loaded (the worker reads messages from then on) and is
    at least twice the run's time between reports, so a slow full-batch step is let be.
    """
    if not data_ready:
        return now - asked_at > DATA_LOAD_LIMIT
    return now - max(asked_at, data_ready) > max(stop_grace, 2 * report_interval)


def turn_over(turn_started: float, data_ready: float, now: float, turn_seconds: float) -> bool:
    """A run has trained its turn (counted from when its data was ready) while others wait."""
    return bool(data_ready) and now - max(turn_started, data_ready) > turn_seconds


def threads_each(cores: int, busy: int, useful: int) -> int:
    """Threads for one of `busy` running runs: an even share of the cores, at most `useful`
    (a small mini-batch gains nothing from a second core: it is left to the server)."""
    share = max(1, cores // busy) if busy else 1
    return max(1, min(share, useful))


def free_in(eta: float | None, turn_started: float, now: float, turn_seconds: float) -> float:
    """Seconds until a busy worker is free: its run's end or the end of its turn, sooner."""
    turn_left = max(0.0, turn_seconds - (now - turn_started))
    return min(turn_left, eta if eta is not None else turn_left)


def start_estimate(free: list[float], k: int, turn_seconds: float) -> float:
    """Seconds until the k-th waiting run (from 0) gets a worker, given when each is free."""
    if not free:
        return math.nan
    rounds, slot = divmod(k, len(free))
    return sorted(free)[slot] + rounds * turn_seconds


def code_runs_at_once(workers: int) -> int:
    """Runs of students' own code training at once: one worker always left for the rest.
    A code run cannot pause for a turn (its weights live in its sandbox), so it holds its
    worker to its end (up to the hour of its limits)."""
    return max(1, workers - 1)


def may_start(run, running: list, workers: int) -> bool:
    """Whether run (waiting) may take an idle worker now; running: the runs training. Any run
    may, but one of a student's own code past code_runs_at_once, or with another of its
    workspace's code runs training."""
    if run.spec.code is None:
        return True
    code = [r for r in running if r.spec.code is not None]
    return len(code) < code_runs_at_once(workers) and all(
        r.workspace != run.workspace for r in code
    )
