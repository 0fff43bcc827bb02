"""The server-wide scheduler: every run of every session, trained by a few worker processes.

Pages submit a RunSpec and read the Run it returns; one control thread owns the workers:
it hands out waiting runs first come first served, lets runs take turns when there are more
runs than workers (a run that has trained for a turn while others wait is paused at its next
report and queued again), splits the cores among the running workers, stops runs whose
browser session has gone, and replaces a worker that died or had to be ended.
Settings come from environment variables (see Limits.from_env and the README).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from multiprocessing.connection import Connection, Listener, wait
from pathlib import Path

import numpy as np

from mlcore.checkpoint import CheckpointError, progress_to_dict, state_from_bytes, state_to_bytes
from mlcore.data import Dataset
from mlcore.inspection import StepChange
from mlcore.model import Model
from mlcore.network import Params
from mlcore.range_test import RangeTest, range_config
from mlcore.resources import run_bytes, useful_threads
from mlcore.scaling import Scaling
from mlcore.spec import RunSpec
from mlcore.train import Progress, TrainState, batches_per_iteration, latest_test_accuracy
from runs import policy, stored
from runs.keeping import Keeping
from runs.limits import TMP_PREFIX, LimitError, Limits, remove_stale_folders
from runs.memory import release_memory as _release_memory
from runs.protocol import AUTHKEY_ENV, DataRef, Task
from runs.store import STORE_ENV
from runs.writer import StoreWriter

ROOT = Path(__file__).resolve().parent.parent
ACTIVE = ("waiting", "running")
MAX_START_FAILURES = 3  # workers in a row that never connect: stop trying, say so
ENDED_UNUSABLE = ("diverged", "failed")


@dataclass(eq=False)
class Run:
    """One run as the pages see it. Written under the scheduler's lock; pages only read it."""

    id: str
    session: str
    spec: RunSpec
    data: DataRef
    data_label: str
    n_train: int
    created: float = field(default_factory=time.time)
    # waiting, running (active); paused, stopped, finished, diverged, failed, or interrupted
    # (its server stopped while it trained: it continues from its last saved state)
    status: str = "waiting"
    message: str = ""
    history: list[Progress] = field(default_factory=list)
    scaling: Scaling | None = None
    snapshot: Params | None = None  # weights at a report boundary (never mid-step)
    snapshot_at: int = 0  # len(history) when the snapshot was taken
    state: TrainState | None = None  # resumable state while not training
    max_batches: int | None = None  # pause after this many batches (Step, +1 iteration)
    turn_started: float = 0.0
    asked_to_end: float = 0.0  # when stop/pause was sent (0: not asked)
    stopping: bool = False  # the user (or a closed tab) asked it to stop
    stop_reason: str = "stopped by you"
    data_ready: float = 0.0  # when its worker had loaded the data (this turn)
    continuable: bool = True
    kind: str = "train"  # or "range": a learning-rate range test (see runs.protocol.Task)
    range_test: RangeTest | None = None  # its result, once the worker sent it
    last_step: StepChange | None = None  # what the last single Step changed
    saved: tuple = ()  # (status, message) last given to the store
    lesson: str | None = None  # the lesson (slug) that started it
    state_blob: bytes | None = None  # a stored run's state, read into `state` when resumed
    state_at: int = 0  # a stored run's reports that its state covers (it resumes from there)

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
        batch = "full" if c.batch_size is None else c.batch_size
        if self.kind == "range":
            return f"{self.id} range test H={c.hidden_size} batch={batch} {c.scale}"
        return f"{self.id} H={c.hidden_size} lr={c.learning_rate:g} batch={batch} {c.scale}"

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


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen
    conn: Connection | None = None
    run: Run | None = None
    threads: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Session:
    runs: list[Run] = field(default_factory=list)
    upload_dir: str | None = None  # the current upload's folder
    upload_key: str | None = None
    upload_dirs: list[str] = field(default_factory=list)  # every upload (runs may still need)
    tabs: set[str] = field(default_factory=set)  # Streamlit sessions showing it (attach)
    loaded: bool = False  # its stored runs have been read back
    data: dict = field(default_factory=dict)  # what pages keep for the session (its upload)
    seen_active: bool = False  # the web server has listed this session as connected
    gone_since: float | None = None
    stopped: bool = False  # its runs were stopped because the tab went away


class Scheduler(Keeping):
    """All runs of one server. Thread-safe: pages call submit/stop/resume from any thread."""

    def __init__(
        self,
        limits: Limits | None = None,
        prewarm: DataRef | None = None,
        store: StoreWriter | None = None,
    ):
        self.limits = limits or Limits.from_env()
        self.store = store  # None: runs live in memory only
        self.server_id = uuid.uuid4().hex[:16]  # this server's runs in a shared store
        if store is not None:
            store.heartbeat_id = self.server_id  # other servers see this one is alive
        self._prewarm = prewarm
        self._lock = threading.RLock()
        self._runs: dict[str, Run] = {}
        self._sessions: dict[str, _Session] = {}
        self._queue: deque[Run] = deque()
        self._workers: list[_Worker] = []
        self._key = secrets.token_bytes(32)
        try:  # a local socket (a pipe on Windows)
            self._listener = Listener(authkey=self._key)
        except OSError:  # e.g. macOS: "AF_UNIX path too long" under a long TMPDIR
            self._listener = Listener(("127.0.0.1", 0), authkey=self._key)
        self._incoming: deque[Connection] = deque()
        self._start_failures = 0  # workers in a row that died before connecting
        self._closed = threading.Event()
        remove_stale_folders()
        self._tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        # Whether a browser tab (its session id) is still connected; None: nobody to ask.
        # The web server's own check is given by the UI (runs/ knows nothing of Streamlit).
        self.session_alive: Callable[[str], bool | None] = lambda session: None
        for _ in range(self.limits.workers):
            self._spawn()
        threading.Thread(target=self._accept, name="runs-accept", daemon=True).start()
        self._thread = threading.Thread(target=self._control, name="runs-control", daemon=True)
        self._thread.start()

    # ---- what pages call -------------------------------------------------------------

    def submit(
        self,
        session: str,
        spec: RunSpec,
        data: DataRef,
        data_label: str,
        n_train: int,
        max_batches: int | None = None,
        kind: str = "train",
        lesson: str | None = None,
    ) -> Run:
        """Queue a new run for session; LimitError if a limit forbids it.

        kind "range" runs mlcore.range_test on spec's config instead (run.range_test).
        """
        if kind not in ("train", "range"):
            raise ValueError(f"kind={kind!r} must be 'train' or 'range'")
        self._check_quota(session)
        self._check_memory(spec, n_train)
        with self._lock:
            if self._start_failures >= MAX_START_FAILURES:
                raise LimitError("the training processes cannot start; see the server log")
            s = self._sessions.setdefault(session, _Session())
            active = sum(r.active for r in s.runs)
            if active >= self.limits.active_per_session:
                raise LimitError(
                    f"you already have {active} runs training or waiting (the limit is "
                    f"{self.limits.active_per_session}); stop one or wait for it to finish"
                )
            run_id = uuid.uuid4().hex[:12]
            while run_id in self._runs:
                run_id = uuid.uuid4().hex[:12]
            run = Run(run_id, session, spec, data, data_label, n_train)
            run.max_batches, run.kind, run.continuable = max_batches, kind, kind == "train"
            run.lesson = lesson
            s.runs.append(run)
            self._runs[run.id] = run
            self._queue.append(run)
            if self.store is None:
                self._forget_old(s)
            else:
                self.store.insert(stored.run_row(run, self.server_id))
                run.saved = (run.status, run.message)
        return run

    def submit_all(self, session: str, requests: Sequence[tuple]) -> list[Run]:
        """Queue every run of requests (each submit's arguments after session) or none.

        LimitError, before any is queued, if one breaks a limit or all of them together
        would pass the session's limit of active runs (checked and queued under one lock).
        """
        with self._lock:
            s = self._sessions.setdefault(session, _Session())
            active, limit = sum(r.active for r in s.runs), self.limits.active_per_session
            if active + len(requests) > limit:
                busy = f", and you already have {active} training or waiting" if active else ""
                raise LimitError(
                    f"that is {len(requests)} runs{busy}; the limit is {limit} at a time. "
                    f"Stop {active + len(requests) - limit} or wait for them to finish"
                )
            for spec, _, _, n_train, *_ in requests:  # before any is queued
                self._check_memory(spec, n_train)
            return [self.submit(session, *request) for request in requests]  # the lock is an RLock

    def _check_memory(self, spec: RunSpec, n_train: int) -> None:
        """LimitError if a run of spec on n_train images needs more than a run may take."""
        need = run_bytes(spec.config, n_train)
        if need > self.limits.run_memory:
            raise LimitError(
                f"this run would need about {need / 2**20:,.0f} MB (hidden units × rows per "
                f"step); the server allows {self.limits.run_memory / 2**20:,.0f} MB per run. "
                "Use mini-batches or fewer hidden units."
            )

    def stop(self, run_id: str, session: str | None = None) -> None:
        """Stop a run (of session, if given): at once if waiting, at its next report if training."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or not run.active or session not in (None, run.session):
                return
            if run.status == "waiting":
                self._queue.remove(run)
                run.status, run.message = "stopped", run.stop_reason
                if not run.history:
                    run.message = "stopped before it started"
                return
            self._ask_to_end(run, "stop")

    def resume(
        self,
        run_id: str,
        max_batches: int | None = None,
        session: str | None = None,
        extend: int | None = None,
    ) -> None:
        """Continue a stopped/paused run (or, after the end, train as long again, or `extend`
        iterations more: +1 iteration and Step after a finished run)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.active or not run.continuable:
                return
            if session not in (None, run.session):
                return
            if run.status in ENDED_UNUSABLE or not self._restore(run):
                return
            if run.status == "finished":  # train longer, from where it is
                done = max(run.config.iterations, run.state.iteration)
                more = done if extend is None else extend  # as long again, or `extend` more
                run.spec = replace(run.spec, config=replace(run.config, iterations=done + more))
                self._save(run.id, spec=stored.spec_text(run))
            run.max_batches, run.last_step = max_batches, None
            run.status, run.message, run.stop_reason = "waiting", "", "stopped by you"
            self._queue.append(run)

    def _restore(self, run: Run) -> bool:
        """Read a stored run's state back before it trains again; False if it cannot be."""
        if run.state is None and run.state_blob is not None:
            try:
                run.state = state_from_bytes(run.state_blob)
            except CheckpointError:
                run.continuable = False
                return False
            run.state_blob = None
            if len(run.history) > run.state_at:  # reports past the saved state: trained again
                run.history = run.history[: run.state_at]
                run.snapshot, run.snapshot_at = run.state.params.copy(), run.state_at
                self._save(run.id, truncate_reports=run.state_at)
        return True

    def session_data(self, session: str) -> dict:
        """A dict pages may keep large per-session things in; freed when the tab closes."""
        with self._lock:
            return self._sessions.setdefault(session, _Session()).data

    def runs_of(self, session: str) -> list[Run]:
        """The session's runs, oldest first (read back from the store the first time)."""
        self._load(session)
        with self._lock:
            s = self._sessions.get(session)
            return list(s.runs) if s else []

    def _session(self, owner: str) -> _Session:
        """owner's session record, made if new (caller holds the lock)."""
        return self._sessions.setdefault(owner, _Session())

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id)

    def place(self, run_id: str) -> tuple[int, float] | None:
        """(place in the queue from 1, seconds until it should start), or None if not waiting."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.status != "waiting" or run not in self._queue:
                return None
            k = list(self._queue).index(run)
            return k + 1, self._start_estimate(k)

    def upload(self, session: str, dataset: Dataset, key: str) -> DataRef:
        """Put an uploaded dataset where workers can read it (a folder of .npy files).

        key names this upload (a new one per upload); earlier uploads' folders stay until the
        session is forgotten, since its stopped runs may continue on them.
        """
        with self._lock:
            s = self._sessions.setdefault(session, _Session())
            if s.upload_key == key and s.upload_dir:
                return DataRef("upload", s.upload_dir)
        folder = tempfile.mkdtemp(prefix="upload-", dir=self._tmp)
        for name in ("X_train", "y_train", "X_test", "y_test"):
            np.save(os.path.join(folder, f"{name}.npy"), getattr(dataset, name))
        with self._lock:
            if self._sessions.get(session) is not s:  # forgotten meanwhile
                shutil.rmtree(folder, ignore_errors=True)
                raise LimitError("this session has ended; reload the page")
            s.upload_dir, s.upload_key = folder, key
            s.upload_dirs.append(folder)
        return DataRef("upload", folder)

    def close_session(self, session: str) -> None:
        """Stop the session's runs and forget everything it holds (its tab has closed)."""
        with self._lock:
            self._stop_session(session)
        self._forget(session)

    def _stop_session(self, session: str) -> None:
        """Stop the runs of a session whose tab went away (caller holds the lock)."""
        s = self._sessions.get(session)
        if s is None or s.stopped:
            return
        s.stopped = True
        stopped = 0
        for run in s.runs:
            if run.active:
                stopped += 1
                run.stop_reason = "stopped: its browser tab was closed or lost its connection"
                self.stop(run.id)
        print(f"mnist-lab: session {session[:8]} closed: stopped {stopped} run(s)", flush=True)

    def _forget(self, session: str) -> None:
        """Drop a session's runs, uploads and data, and give the memory back (no lock held)."""
        with self._lock:
            s = self._sessions.pop(session, None)
            if s is None:
                return
            for run in s.runs:
                self._runs.pop(run.id, None)
        for folder in s.upload_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        del s
        _release_memory()

    def stats(self) -> dict:
        """Counts for a status line or a benchmark."""
        with self._lock:
            return {
                "workers": sum(w.conn is not None for w in self._workers),
                "running": sum(w.run is not None for w in self._workers),
                "threads": [w.threads for w in self._workers if w.run is not None],
                "waiting": len(self._queue),
                "sessions": len(self._sessions),
                "runs": len(self._runs),
                "worker_pids": [w.proc.pid for w in self._workers],
            }

    def close(self) -> None:
        """End the workers and the control thread; remove temporary files."""
        self._closed.set()
        self._thread.join(5)
        with self._lock:
            for w in self._workers:
                _send(w, ("quit",))
            for w in self._workers:
                try:
                    w.proc.wait(3)
                except subprocess.TimeoutExpired:
                    w.proc.kill()
                    w.proc.wait()
            self._workers.clear()
        self._listener.close()  # the accept thread (a daemon) ends with the process
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self.store is not None:
            with self._lock:
                at = time.strftime("%Y-%m-%d %H:%M")
                for run in self._runs.values():
                    if run.active:
                        run.status, run.message = "interrupted", stored.interrupted(at)
                self._save_statuses()
            self.store.close()

    # ---- the control thread ----------------------------------------------------------

    def _spawn(self) -> None:
        env = {**os.environ, AUTHKEY_ENV: self._key.hex()}
        address = self._listener.address
        cmd = [sys.executable, "-m", "runs.worker", str(address)]
        # Each worker in a session of its own (POSIX; ignored on Windows): Linux shares the CPU
        # between sessions ("autogroups") before processes, so training runs no longer share
        # the web server's one share with it, and browsers on the same machine (a student's
        # laptop, the load bench) take a fair share instead of half the machine. A worker
        # still ends with the server: its connection closes.
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=os.name == "posix")
        self._workers.append(_Worker(proc))

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()
            except Exception:  # OSError, EOFError, AuthenticationError (a stranger's connect)
                if self._closed.is_set():
                    return
                continue
            self._incoming.append(conn)

    def _control(self) -> None:
        while not self._closed.is_set():
            conns = [w.conn for w in self._workers if w.conn is not None]
            ready = wait(conns, timeout=0.05) if conns else (time.sleep(0.05) or [])
            with self._lock:
                self._greet()
                for conn in ready:
                    self._receive(conn)
                self._check_workers()
                gone = self._reap_sessions()
                self._take_turns()
                self._dispatch()
                self._save_statuses()
            for session in gone:  # files and garbage collection without holding the lock
                self._forget(session)

    def _greet(self) -> None:
        """Match new connections to the workers that made them (by process id)."""
        while self._incoming:
            conn = self._incoming.popleft()
            try:
                kind, pid = conn.recv()
            except (EOFError, OSError, ValueError):
                continue
            worker = next((w for w in self._workers if w.proc.pid == pid), None)
            if kind != "hello" or worker is None:
                conn.close()
                continue
            worker.conn = conn
            self._start_failures = 0
            if self._prewarm is not None:
                _send(worker, ("prewarm", self._prewarm, "standard", "float32"))

    def _receive(self, conn: Connection) -> None:
        worker = next((w for w in self._workers if w.conn is conn), None)
        if worker is None:
            return
        try:
            while conn.poll():
                self._handle(worker, conn.recv())
        except (EOFError, OSError):
            self._lost(worker, "the training process ended unexpectedly")

    def _handle(self, worker: _Worker, message: tuple) -> None:
        kind, run_id = message[0], message[1]
        run = worker.run
        if run is None or run.id != run_id:
            return  # from a run that was already given up on
        if kind == "started":
            run.scaling, run.data_ready = message[2], time.monotonic()
            self._save(run.id, scaling=stored.scaling_text(run.scaling))
        elif kind == "report":
            report, snapshot = message[2], message[3]
            run.history.append(report)
            if snapshot is not None:
                run.snapshot, run.snapshot_at = snapshot, len(run.history)
            if self.store is not None and run.id in self._runs:
                self.store.report(run.id, len(run.history) - 1, progress_to_dict(report))
        elif kind == "checkpoint":  # the whole state at the report just received
            self._save(run.id, state=message[2], state_at=len(run.history), weights=None)
        elif kind == "range":
            run.range_test = message[2]
            self._save(run.id, extra=stored.range_text(run.range_test))
        elif kind == "step":
            run.last_step = message[2]
        elif kind == "end":
            outcome, text, state = message[2], message[3], message[4]
            worker.run = None
            run.state = state
            if state is not None:
                n = len(run.history)
                self._save(run.id, state=lambda: state_to_bytes(state), state_at=n, weights=None)
            run.asked_to_end = 0.0
            if run.stopping and outcome in ("paused", "stopped"):
                outcome, text = "stopped", run.stop_reason
            run.stopping = False
            if outcome == "paused" and run.max_batches is None and run.session in self._sessions:
                run.status, run.message = "waiting", ""  # its turn ended: to the back
                self._queue.append(run)
            else:
                if outcome == "paused":
                    text = "paused after the steps you asked for"
                run.status, run.message = outcome, text
                run.max_batches = None

    def _lost(self, worker: _Worker, why: str) -> None:
        """A worker that is gone: its run keeps the last snapshot; a new worker replaces it."""
        run, worker.run = worker.run, None
        if worker.conn is not None:
            worker.conn.close()
        if worker.proc.poll() is None:
            worker.proc.kill()
        worker.proc.wait()
        self._workers.remove(worker)
        if run is not None:
            stopping = run.asked_to_end > 0
            run.status = "stopped" if stopping else "failed"
            run.message = (
                "stopped mid-step; the weights of the last report are kept"
                if stopping
                else f"{why} (exit code {worker.proc.returncode})"
            )
            run.state, run.continuable, run.asked_to_end, run.stopping = None, False, 0.0, False
            if run.snapshot is not None:  # newer than any state saved: keep these weights
                self._save(run.id, weights=lambda snap=run.snapshot: stored.weights_bytes(snap))
        if worker.conn is None:
            self._start_failures += 1  # it never said hello
        if self._start_failures >= MAX_START_FAILURES:
            self._fail_waiting(f"training processes cannot start ({why}); see the server log")
        elif not self._closed.is_set():
            self._spawn()

    def _fail_waiting(self, why: str) -> None:
        """No worker will come: every waiting run fails, saying why."""
        while self._queue:
            run = self._queue.popleft()
            run.status, run.message = "failed", why

    def _check_workers(self) -> None:
        now = time.monotonic()
        for w in list(self._workers):
            if w.proc.poll() is not None:
                self._lost(w, "the training process ended unexpectedly")
            elif w.conn is None and now - w.started > 60:
                self._lost(w, "a training process did not start")
            elif w.run is not None and w.run.stopping and self._overdue(w.run, now):
                w.proc.kill()  # the last resort: it did not reach a report in time
                self._lost(w, "ended")

    def _overdue(self, run: Run, now: float) -> bool:
        """A stop not obeyed in time: a report is overdue (never for a pause: that waits)."""
        interval, grace = run.report_interval(), self.limits.stop_grace
        return policy.stop_overdue(run.asked_to_end, run.data_ready, interval, now, grace)

    def _reap_sessions(self) -> list[str]:
        """Stop the runs of sessions whose tab is gone; return those to forget now.

        After session_grace the runs stop (a closed tab trains nobody); the session's runs and
        data are kept session_keep longer, so a phone that locked its screen finds them.
        """
        now, forget = time.monotonic(), []
        for sid, s in list(self._sessions.items()):
            alive = self._alive(sid, s)
            if alive is None:  # no web server to ask (tests, AppTest): keep
                continue
            if alive:
                s.seen_active, s.gone_since, s.stopped = True, None, False
            elif s.seen_active:
                s.gone_since = s.gone_since or now
                if now - s.gone_since >= self.limits.session_grace:
                    self._stop_session(sid)
                if now - s.gone_since >= self.limits.session_grace + self.limits.session_keep:
                    forget.append(sid)
        return forget

    def _alive(self, owner: str, s: _Session) -> bool | None:
        """Whether a tab showing owner is connected (None: no web server to ask)."""
        if not s.tabs:
            return self.session_alive(owner)
        answers = {self.session_alive(tab) for tab in s.tabs}
        if True in answers:
            s.tabs = {t for t in s.tabs if self.session_alive(t) is not False}
            return True
        return None if answers == {None} else False

    def _take_turns(self) -> None:
        """While runs wait, a run whose turn is over is asked to pause at its next report."""
        if not self._queue:
            return
        now = time.monotonic()
        for w in self._workers:
            run = w.run
            if run is None or run.asked_to_end or run.max_batches is not None:
                continue  # a Step or +1 iteration is short: it ends by itself
            if policy.turn_over(run.turn_started, run.data_ready, now, self.limits.turn_seconds):
                self._ask_to_end(run, "pause")

    def _dispatch(self) -> None:
        """Give waiting runs to idle workers, then split the cores among the busy ones."""
        started = []
        for w in self._workers:
            if not self._queue:
                break
            if w.conn is not None and w.run is None:
                run = self._queue.popleft()
                w.run, run.status, run.turn_started = run, "running", time.monotonic()
                run.data_ready = 0.0
                started.append(w)
        busy = [w for w in self._workers if w.run is not None]
        for w in busy:
            threads = policy.threads_each(self.limits.cores, len(busy), w.run.useful_threads)
            if w in started:
                run = w.run
                state, run.state = run.state, None
                w.threads = threads
                task = Task(
                    run.id,
                    run.config,
                    run.data,
                    state,
                    threads,
                    run.max_batches,
                    run.kind,
                    self.limits.checkpoint_seconds if self.store else float("inf"),
                )
                if not _send(w, ("task", task)):
                    w.run, run.status, run.state = None, "waiting", state
                    self._queue.appendleft(run)
            elif w.threads != threads:  # one run alone gets every core it can use
                w.threads = threads
                _send(w, ("threads", threads))

    def _ask_to_end(self, run: Run, how: str) -> None:
        worker = next((w for w in self._workers if w.run is run), None)
        if worker is None:
            return
        if how == "stop":
            run.stopping = True
        if how == "stop" or not run.asked_to_end:
            run.asked_to_end = time.monotonic()
            _send(worker, (how, run.id))

    def _start_estimate(self, k: int) -> float:
        """Seconds until the k-th waiting run (from 0) should get a worker."""
        now, turn = time.monotonic(), self.limits.turn_seconds
        free = [
            0.0 if w.run is None else policy.free_in(w.run.eta(), w.run.turn_started, now, turn)
            for w in self._workers
        ]
        return policy.start_estimate(free, k, turn)

    def _forget_old(self, s: _Session) -> None:
        ended = [r for r in s.runs if not r.active]
        while len(s.runs) > self.limits.kept_per_session and ended:
            old = ended.pop(0)
            s.runs.remove(old)
            self._runs.pop(old.id, None)


def _send(worker: _Worker, message: tuple) -> bool:
    if worker.conn is None:
        return False
    try:
        worker.conn.send(message)
        return True
    except (OSError, ValueError):
        return False


_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def get_scheduler(
    prewarm: DataRef | None = None, session_alive: Callable[[str], bool | None] | None = None
) -> Scheduler:
    """The process's scheduler, started on first use (workers, threads and store with it).

    MNIST_LAB_STORE=memory keeps runs in memory only (nothing survives a restart).
    """
    global _scheduler
    with _scheduler_lock:
        if _scheduler is None:
            url = os.environ.get(STORE_ENV)
            store = None if url == "memory" else StoreWriter(url)
            _scheduler = Scheduler(prewarm=prewarm, store=store)
            if session_alive is not None:
                _scheduler.session_alive = session_alive
            atexit.register(_scheduler.close)
        return _scheduler
