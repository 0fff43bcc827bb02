"""A run of a student's own code, the trusted side: in the pool worker, it starts
`python -m mlcore.lab_train` in the sandbox (runs.sandbox), feeds it the run's settings and
the source, and turns the JSON lines it prints into the same Started, Report and End messages
as any run, so a code run goes through the same queue, limits, charts, table and store.

The dataset reaches the sandbox read-only: the worker writes the scaled arrays once as .npy
files in a folder of its own, bound read-only at /data (only that run's data). What the sandbox
prints is parsed as JSON with every field checked, weights read with allow_pickle=False.
A code run cannot be paused for another run's turn or continued: its weights live in the
sandbox (see CANNOT_CONTINUE); it trains to its end or until stopped.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import fields, replace

import numpy as np

from mlcore.network import accuracy
from mlcore.train import Progress
from runs import code_stream, sandbox, sandbox_io, sandbox_watch
from runs.code_stream import Broken
from runs.code_weights import params_of
from runs.limits import TMP_PREFIX
from runs.protocol import End, Quit, Report, Started, Stop, Task
from runs.sandbox_io import drain_tail, feed, kill, signal_sentence

CANNOT_CONTINUE = (
    "A run of your own code cannot be continued: start it again (the same seed trains the same)."
)
DATA_FOLDERS = 2  # scaled datasets written for sandboxes, per worker (like its DataCache)
EXIT_GRACE = 5.0  # seconds a finished sandbox has to exit before it is ended
NOT_A_REPORT = (
    "The process training your code sent something that is not a report, so it was stopped."
)
POLL_EVERY = 0.05  # seconds between looks at Stop and the time limit
PROGRESS_TYPES = {f.name: f.type for f in fields(Progress)}

_folders: dict[tuple, str] = {}
_root: str | None = None


def run_code_task(conn, task: Task, cache) -> dict:
    """Train task.code's functions in the sandbox, sending Started, Reports and one End;
    {"cpu_seconds": the sandboxed process's CPU time} if it said (bench/sandbox.py)."""
    config = task.config
    scaling, *arrays = cache.get(task.data, config.scale, config.dtype)
    folder = data_folder((task.data, config.scale, config.dtype), arrays)
    if not sandbox.status().available and not task.unsandboxed_ok:
        conn.send(End(task.run_id, "failed", sandbox.LOCAL_ONLY, None))
        return {}
    conn.send(Started(task.run_id, scaling))
    env = {"OPENBLAS_NUM_THREADS": str(task.threads), "OMP_NUM_THREADS": str(task.threads)}
    header = {"config": config.as_dict(), "data": "/data"}
    # Python's thread, its BLAS's threads (OpenBLAS adds threads - 1) and a spare.
    limits = replace(
        sandbox.TRAIN_LIMITS, processes=max(sandbox.TRAIN_LIMITS.processes, task.threads + 2)
    )
    if sandbox.status().available:
        proc = sandbox.start(["mlcore.lab_train"], limits, {folder: "/data"}, env)
    else:  # the server's setting allows it (sandbox.unsandboxed_allowed): a student's laptop
        proc = sandbox.start_unsandboxed(["mlcore.lab_train"], limits, env)
        header["data"] = folder
    feed(proc, (json.dumps(header) + "\n" + task.code).encode("utf-8", errors="replace"))
    try:
        test = (arrays[2], arrays[3])
        outcome, message = follow(conn, task, proc, limits, usage := {}, test, len(arrays[1]))
        if outcome in ("finished", "diverged"):  # it exits by itself (its CPU time counted)
            proc.wait(EXIT_GRACE)
    except subprocess.TimeoutExpired:
        pass
    finally:
        kill(proc)
    conn.send(End(task.run_id, outcome, message, None))
    return usage


def admit(code: str | None, local: bool) -> None:
    """Raise LocalOnly (its sentence for the page) if code may not run here: no sandbox, and
    not both a visitor on this machine and the server's setting (sandbox.unsandboxed_allowed)."""
    if code is None or sandbox.status().available:
        return
    if not (local and sandbox.unsandboxed_allowed()):
        raise LocalOnly(sandbox.LOCAL_ONLY)


class LocalOnly(Exception):
    """Code cannot run for this visitor here: the message says how to turn the sandbox on."""


def follow(conn, task: Task, proc, limits, usage: dict, test: tuple, n_train: int):
    """Relay proc's events until it ends or is stopped: (outcome, message) for End; its
    CPU time into usage. test = (X_test, y_test): the last report's accuracy is measured here;
    n_train: the training rows (the report schedule follows from them).
    Stop and the time limit are looked at every POLL_EVERY seconds, however fast lines come."""
    closed = threading.Event()
    lines = code_stream.reader(proc, code_stream.line_cap(task.config), limits, closed)
    err_thread, err = drain_tail(proc.stderr)
    memory_out = sandbox_watch.watch(proc, limits.memory, kill)
    sequence = code_stream.Sequence(task.config, n_train)
    snapshot = None  # the weights sent just before the report they belong to
    deadline, next_poll = time.monotonic() + limits.wall_seconds, 0.0
    try:
        while True:
            if time.monotonic() >= next_poll:
                if (ending := _poll(conn) or _past(deadline, limits)) is not None:
                    return ending
                next_poll = time.monotonic() + POLL_EVERY
            try:
                line = lines.get(timeout=POLL_EVERY)
            except queue.Empty:
                continue
            if line is None or isinstance(line, code_stream.Overflow):
                break
            try:
                ending, snapshot = _handle(conn, task, line, snapshot, sequence, usage, test)
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError, Broken):
                return "failed", NOT_A_REPORT
            if ending is not None:
                return ending
    finally:
        closed.set()
    kill(proc)
    err_thread.join(5)
    if line is not None:
        return "failed", f"The process training your code {line.why}, so it was stopped."
    if memory_out.is_set():
        return "failed", sandbox_io.together_sentence(limits)
    return "failed", _why_ended(proc.returncode, bytes(err), limits)


def _past(deadline: float, limits) -> tuple[str, str] | None:
    if time.monotonic() > deadline:
        return "failed", f"Your code trained past the limit of {limits.wall_seconds:g} s."
    return None


def _handle(conn, task, line: bytes, snapshot, sequence, usage: dict, test):
    """One line: (ending or None, the weights waiting for their report)."""
    event = json.loads(line)
    if event.get("type") == "weights":
        if snapshot is not None:
            raise Broken("weights twice without a report")
        return None, params_of(event["npz"], task.config)
    if event.get("type") == "usage":
        usage["cpu_seconds"] = float(event["cpu_seconds"])
        return None, snapshot
    return _relay(conn, task, event, snapshot, sequence, test), None


def _relay(conn, task: Task, event: dict, snapshot, sequence, test) -> tuple[str, str] | None:
    """Send the report or error event says; (outcome, message) if it ends the run."""
    match event.get("type"):
        case "report":
            progress = progress_of(event["progress"])
            sequence.check(progress)
            if progress.done and not progress.diverged and snapshot is None:
                raise Broken("a last report without its weights")  # lab_train sends them
            if progress.done and not progress.diverged:
                # Measured here, of the weights the run keeps: the sandbox runs the student's
                # code in its own process, which could write any number into its reports.
                progress = replace(progress, test_accuracy=accuracy(snapshot, *test))
            conn.send(Report(task.run_id, progress, snapshot))
            if progress.done:
                return ("diverged" if progress.diverged else "finished"), progress.reason
            return None
        case "error":
            return "failed", str(event["message"])[:1000]
    raise Broken(str(event.get("type")))


def _poll(conn) -> tuple[str, str] | None:
    """("stopped", message) if told to stop. A Pause (another run's turn) is not obeyed: a
    code run cannot be paused, so it keeps its worker to its end; its threads were set at
    its start."""
    ending = None
    while conn.poll():
        match conn.recv():
            case Stop():
                ending = ("stopped", f"stopped by you. {CANNOT_CONTINUE}")
            case Quit():
                raise SystemExit(0)
    return ending


def _why_ended(returncode: int, stderr: bytes, limits) -> str:
    """The sentence for a training process that ended without its last report."""
    if b"MemoryError" in stderr:
        return sandbox_io.memory_sentence(limits)
    why = signal_sentence(returncode, limits)
    if why is not None:
        return why
    return f"The process training your code ended (exit code {returncode}) before the end."


def data_folder(key: tuple, arrays: list) -> str:
    """A folder holding arrays = (X_train, y_train, X_test, y_test) as .npy files, written
    once per key, readable by the sandbox's user; the oldest is removed past DATA_FOLDERS."""
    global _root
    if key in _folders:
        return _folders[key]
    if _root is None:
        # Named as the server's upload folders: a worker that was killed leaves it to the next
        # server's runs.limits.remove_stale_folders.
        _root = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-code-")
        os.chmod(_root, 0o755)
        atexit.register(shutil.rmtree, _root, True)
    folder = tempfile.mkdtemp(dir=_root)
    for name, a in zip(("X_train", "y_train", "X_test", "y_test"), arrays, strict=True):
        np.save(os.path.join(folder, f"{name}.npy"), np.ascontiguousarray(a), allow_pickle=False)
        os.chmod(os.path.join(folder, f"{name}.npy"), 0o644)
    os.chmod(folder, 0o755)
    _folders[key] = folder
    while len(_folders) > DATA_FOLDERS:
        shutil.rmtree(_folders.pop(next(iter(_folders))), ignore_errors=True)
    return folder


def progress_of(values: dict) -> Progress:
    """A Progress from the sandbox's dict, each field checked (a number is a number)."""
    if not isinstance(values, dict) or not set(values) <= set(PROGRESS_TYPES):
        raise Broken("report fields")
    out = {}
    for name, value in values.items():
        kind = PROGRESS_TYPES[name]
        if value is None and "None" in kind:
            out[name] = None
        elif kind == "bool":
            out[name] = bool(value)
        elif kind == "str":
            out[name] = str(value)[:500]
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise Broken(name)
        else:
            out[name] = int(value) if kind.startswith("int") else float(value)
    return Progress(**out)
