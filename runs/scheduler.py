"""The server-wide scheduler: every run of every session, trained by a few worker processes.

Pages submit a RunSpec and read the Run it returns; one control thread owns the workers:
it hands out waiting runs first come first served, lets runs take turns when there are more
runs than workers (a run that has trained for a turn while others wait is paused at its next
report and queued again), splits the cores among the running workers, stops runs whose
browser session has gone, and replaces a worker that died or had to be ended.
Settings come from environment variables (see Limits.from_env and the README).

The facade pages call. Parts: run.py (Run, a page's value; Record, the scheduler's), policy.py
(rules as pure functions of `now`), pool.py (worker processes), protocol.py (messages),
control.py (the control thread), sessions.py (tabs, uploads), keeping.py (the store's side).
Decisions are made under one lock; sends (pickling weights) and receives happen outside it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace

from mlcore.checkpoint import CheckpointError, state_from_bytes
from mlcore.spec import RunSpec
from runs import stored
from runs.class_work import ClassWork
from runs.code_store import CodeVersion
from runs.control import Control
from runs.keeping import Keeping
from runs.limits import (
    TMP_PREFIX,
    LimitError,
    Limits,
    check_active,
    check_memory,
    remove_stale_folders,
)
from runs.pool import ROOT, WorkerPool
from runs.protocol import DataRef
from runs.run import ENDED_UNUSABLE, Record, Run
from runs.sessions import Alive, Session, SessionKeeping
from runs.store import STORE_ENV, StoredRun
from runs.writer import StoreWriter

__all__ = ["ROOT", "LimitError", "Limits", "Run", "Scheduler", "get_scheduler"]


class Scheduler(Control, SessionKeeping, Keeping):
    """All runs of one server. Thread-safe: pages call submit/stop/resume from any thread and
    get Run values back; one control thread (runs.control) drives the workers."""

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
        self.clock: Callable[[], float] = time.monotonic  # what the policy calls now (tests)
        # Whether a browser tab (its session id) is still connected; None: nobody to ask.
        # The web server's own check is given by the UI (runs/ knows nothing of Streamlit).
        self.session_alive: Alive = lambda session: None
        self._lock = threading.RLock()
        self._runs: dict[str, Record] = {}
        self._sessions: dict[str, Session] = {}
        self._queue: deque[Record] = deque()
        self._deleted: set[str] = set()  # run ids deleted here (never read back)
        self.classes = ClassWork(store)  # hand-ins, class settings, code
        self._closed = threading.Event()
        remove_stale_folders()
        self._tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        self._pool = WorkerPool(self.limits.workers, prewarm)
        self._thread = threading.Thread(target=self._control, name="runs-control", daemon=True)
        self._thread.start()

    # ---- what pages call -------------------------------------------------------------

    def submit(
        self,
        workspace: str,
        spec: RunSpec,
        data: DataRef,
        data_label: str,
        n_train: int,
        max_batches: int | None = None,
        kind: str = "train",
        lesson: str | None = None,
    ) -> Run:
        """Queue a new run for workspace; LimitError if a limit forbids it.

        kind "range" runs mlcore.range_test on spec's config instead (run.range_test).
        """
        return self.submit_all(workspace, [(spec, data, data_label, n_train, max_batches, kind,
                                            lesson)])[0]  # fmt: skip

    def _submit(self, s: Session, workspace: str, spec, data, data_label, n_train,
                max_batches=None, kind="train", lesson=None) -> Run:  # fmt: skip
        """Queue one run (the caller holds the lock and has checked the limits)."""
        if kind not in ("train", "range"):
            raise ValueError(f"kind={kind!r} must be 'train' or 'range'")
        view = Run(self._new_id(), workspace, spec, data, data_label, n_train, kind=kind)
        run = Record(
            replace(view, lesson=lesson, continuable=kind == "train"), max_batches=max_batches
        )
        s.runs.append(run)
        self._runs[run.id] = run
        self._queue.append(run)
        if self.store is None:
            self._forget_old(s)
        else:
            self.store.insert(stored.run_row(run, self.server_id))
            run.saved = (run.status, run.message)
        return run.view

    def _new_id(self) -> str:
        run_id = uuid.uuid4().hex[:12]
        while run_id in self._runs:
            run_id = uuid.uuid4().hex[:12]
        return run_id

    def submit_all(self, workspace: str, requests: Sequence[tuple]) -> list[Run]:
        """Queue every run of requests (each submit's arguments after workspace) or none.

        LimitError, before any is queued, if one breaks a limit or all of them together
        would pass the workspace's limit of active runs (checked and queued under one lock;
        the quota, which asks the database, before it).
        """
        self._check_quota(workspace)
        for spec, _, _, n_train, *_ in requests:  # before any is queued
            check_memory(self.limits, spec.config, n_train)
        with self._lock:
            s = self._session(workspace)
            if self._pool.failing:
                raise LimitError("the training processes cannot start; see the server log")
            active = sum(r.active for r in s.runs)
            check_active(active, len(requests), self.limits.active_per_session)
            return [self._submit(s, workspace, *request) for request in requests]

    def stop(self, run_id: str, workspace: str) -> None:
        """Stop workspace's run: at once if waiting, at its next report if training."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.workspace != workspace:
                return
            self._stop(run)
        self._flush()

    def _stop(self, run: Record) -> None:
        """Stop run (the caller holds the lock; what is sent goes at the next flush)."""
        if not run.active:
            return
        if run.status == "waiting":
            self._queue.remove(run)
            why = run.stop_reason if run.history else "stopped before it started"
            run.set(status="stopped", message=why)
            return
        self._ask_to_end(run, "stop")

    def resume(
        self,
        run_id: str,
        workspace: str,
        max_batches: int | None = None,
        extend: int | None = None,
    ) -> None:
        """Continue workspace's stopped/paused run (or, after the end, train as long again, or
        `extend` iterations more: +1 iteration and Step after a finished run)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.active or not run.continuable or run.workspace != workspace:
                return
            if run.status in ENDED_UNUSABLE or not self._restore(run):
                return
            if run.status == "finished":  # train longer, from where it is
                done = max(run.config.iterations, run.state.iteration)
                more = done if extend is None else extend  # as long again, or `extend` more
                run.spec = replace(run.spec, config=replace(run.config, iterations=done + more))
                self._save(run.id, spec=stored.spec_text(run))
            run.max_batches, run.stop_reason = max_batches, "stopped by you"
            run.set(last_step=None, status="waiting", message="")
            self._queue.append(run)

    def _restore(self, run: Record) -> bool:
        """Read a stored run's state back before it trains again; False if it cannot be."""
        if run.state is None and run.state_blob is not None:
            try:
                run.state = state_from_bytes(run.state_blob)
            except CheckpointError:
                run.continuable = False
                return False
            run.state_blob = None
            if len(run.history) > run.state_at:  # reports past the saved state: trained again
                at = run.state_at
                run.set(history=run.history[:at], snapshot=run.state.params.copy(), snapshot_at=at)
                self._save(run.id, truncate_reports=run.state_at)
        return True

    def runs_of(self, workspace: str) -> list[Run]:
        """The workspace's runs, oldest first (read back from the store the first time)."""
        self._load(workspace)
        with self._lock:
            s = self._sessions.get(workspace)
            return [r.view for r in s.runs] if s else []

    def rename(self, workspace: str, run_id: str, name: str) -> Run:
        """Name workspace's run ("" clears); ValueError(sentence) for a name too long or
        blank-looking, KeyError if workspace has no such run."""
        return self._change(workspace, run_id, name=stored.checked_name(name))

    def set_hidden(self, workspace: str, run_id: str, hidden: bool) -> Run:
        """Leave workspace's run out of the lists (hidden) or show it again."""
        return self._change(workspace, run_id, hidden=bool(hidden))

    def _change(self, workspace: str, run_id: str, **values) -> Run:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.workspace != workspace:
                raise KeyError(f"no run {run_id!r} in this workspace")
            run.set(**values)
            self._save(run.id, **values)
            return run.view

    # ---- the class (runs.class_work) ---------------------------------------------------

    def hand_in(self, workspace: str, run_ids: list[str], nickname: str,
                code_version: int | None = None, timeout: float = 2.0) -> bool:  # fmt: skip
        """Hand these runs of workspace (and optionally a kept code version) in under
        nickname; True once the database has it (waiting for this write only), False if it
        is kept and retried (or there is no store)."""
        with self._lock:
            mine = [self._runs.get(i) for i in run_ids]
            own = [(r.id, r.lesson) for r in mine if r is not None and r.workspace == workspace]
        return self.classes.hand_in(workspace, own, nickname, code_version, timeout)

    def handed_in_ids(self, workspace: str) -> dict[str, str]:
        """Run id -> nickname of workspace's handed-in runs; {} while the store is away."""
        return self.classes.handed_in_ids(workspace)

    def handed_in(self) -> list[StoredRun]:
        """The class's hand-ins with their reports (one query); [] while the store is away."""
        return self.classes.handed_in()

    def class_setting(self, name: str) -> dict | None:
        """A class-wide setting; None if unset or the store is away."""
        return self.classes.class_setting(name)

    def set_class_setting(self, name: str, value: dict) -> None:
        """Set a class-wide setting (every app server reads it); StoreError(sentence) if the
        store is away."""
        self.classes.set_class_setting(name, value)

    def keeps_work(self) -> bool:
        """Whether runs are kept in a store (False: MNIST_LAB_STORE=memory)."""
        return self.store is not None

    def store_problem(self) -> str | None:
        """Why work is not being saved now, or what happened to the store; None if fine."""
        return self.classes.problem()

    def save_code(self, workspace: str, source: str, check: dict) -> int:
        """Keep a new version of workspace's code (check: JSON-able); its number (1, 2, ...).
        StoreError(sentence) if the store is away, ValueError if the source is too long."""
        return self.classes.save_code(workspace, source, check)

    def code_versions(self, workspace: str) -> list[CodeVersion]:
        """workspace's kept code, newest first; [] while the store is away."""
        return self.classes.code_versions(workspace)

    def handed_in_code(self) -> list[CodeVersion]:
        """The code of every hand-in (workspace, nickname), one query; [] while away."""
        return self.classes.handed_in_code()

    def get(self, run_id: str) -> Run | None:
        """The run as it is now (a value: ask again for news), or None if unknown."""
        with self._lock:
            run = self._runs.get(run_id)
            return None if run is None else run.view

    def place(self, run_id: str) -> tuple[int, float] | None:
        """(place in the queue from 1, seconds until it should start), or None if not waiting."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.status != "waiting" or run not in self._queue:
                return None
            k = list(self._queue).index(run)
            return k + 1, self._start_estimate(k)

    def stats(self) -> dict:
        """Counts for a status line or a benchmark."""
        with self._lock:
            workers = self._pool.workers
            return {
                "workers": sum(w.conn is not None for w in workers),
                "running": sum(w.run is not None for w in workers),
                "threads": [w.threads for w in workers if w.run is not None],
                "waiting": len(self._queue),
                "sessions": len(self._sessions),
                "runs": len(self._runs),
                "worker_pids": [w.proc.pid for w in workers],
            }

    def close(self) -> None:
        """End the workers and the control thread; remove temporary files."""
        self._closed.set()
        self._thread.join(5)
        with self._lock:
            self._pool.close()
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self.store is not None:
            with self._lock:
                at = time.strftime("%Y-%m-%d %H:%M")
                for run in self._runs.values():
                    if run.active:
                        run.set(status="interrupted", message=stored.interrupted(at))
                self._save_statuses()
            self.store.close()


_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def get_scheduler(prewarm: DataRef | None = None, session_alive: Alive | None = None) -> Scheduler:
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
