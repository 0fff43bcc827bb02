"""The server-wide scheduler: every run of every workspace, trained by a few worker processes.

Pages submit a RunSpec and read the Run it returns; one control thread owns the workers:
it hands out waiting runs first come first served, lets runs take turns when there are more
runs than workers (a run that has trained for a turn while others wait is paused at its next
report and queued again), splits the cores among the running workers, stops runs whose
browser tabs have gone, and replaces a worker that died or had to be ended.
Settings come from environment variables (see Limits.from_env and the README).

The facade pages call, composed of parts that each read alone: book.py (the run book: records
and queue under one lock), turns.py (the queue's decisions), control.py (the control loop),
workspaces.py (tabs, uploads, stored runs read back), pool.py (worker processes), run_log.py
(the store, in named events), class_work.py (hand-ins, settings, code). Decisions are made
under the book's lock; the database is asked, weights decoded and messages sent outside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence

from mlcore.data import Dataset
from mlcore.model import Model
from mlcore.spec import RunSpec
from runs import stored
from runs.book import RunBook
from runs.class_work import ClassWork
from runs.code_store import CodeVersion
from runs.control import Control
from runs.incarnation import new_server_id
from runs.limits import (
    TMP_PREFIX,
    Limits,
    check_memory,
    check_quota,
    remove_stale_folders,
)
from runs.pool import WorkerPool
from runs.protocol import DataRef
from runs.run import Run
from runs.run_log import RunLog
from runs.store import StoredRun
from runs.turns import Turns
from runs.workspaces import Alive, Workspaces
from runs.write_back import held_writes
from runs.writer import StoreWriter


class Scheduler:
    """All runs of one server. Thread-safe: pages call it from any thread and get Run values
    back; one control thread (runs.control) drives the workers."""

    def __init__(self, limits: Limits | None = None, prewarm: DataRef | None = None,
                 store: StoreWriter | None = None, name: str | None = None):  # fmt: skip
        limits = limits or Limits.from_env()
        self.store = store  # None: runs live in memory only
        self.server_id = new_server_id(name)  # its name is known again after a restart
        self._log = RunLog(store, self.server_id)
        self._book = RunBook()
        remove_stale_folders()
        self._tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        self._spaces = Workspaces(self._book, self._log, self._tmp)
        self._pool = WorkerPool(limits.workers, prewarm)
        self._turns = Turns(self._book, self._pool, self._log, limits, self._spaces)
        self._control = Control(self._turns, self._spaces)
        self.classes = ClassWork(store)  # hand-ins, class settings, code
        if store is not None:  # a deleted or damaged store file is refilled from memory
            store.write_back = lambda: held_writes(self._book, self.classes, self.server_id)
        self._control.start()

    @property
    def limits(self) -> Limits:
        """What this server allows (the parts read it from here on each use)."""
        return self._turns.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self._turns.limits = limits

    @property
    def clock(self) -> Callable[[], float]:
        """What the policy calls now (tests give a fake one)."""
        return self._turns.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._turns.clock = self._spaces.clock = clock

    @property
    def tab_alive(self) -> Alive:
        """Whether a browser tab (by id) is still connected; given by the UI."""
        return self._control.alive

    @tab_alive.setter
    def tab_alive(self, alive: Alive) -> None:
        self._control.alive = alive

    # ---- runs ----------------------------------------------------------------------------

    def submit(self, workspace: str, spec: RunSpec, data: DataRef, data_label: str,
               n_train: int, max_batches: int | None = None, kind: str = "train",
               lesson: str | None = None) -> Run:  # fmt: skip
        """Queue a new run for workspace; LimitError if a limit forbids it. kind "range" runs
        mlcore.range_test on spec's config instead (run.range_test)."""
        request = (spec, data, data_label, n_train, max_batches, kind, lesson)
        return self.submit_all(workspace, [request])[0]

    def submit_all(self, workspace: str, requests: Sequence[tuple]) -> list[Run]:
        """Queue every run of requests (each submit's arguments after workspace) or none:
        LimitError, before any is queued, if one breaks a limit or all of them together would
        pass the workspace's limit of active runs (the quota, which asks the database, is
        checked before the lock; the rest under it)."""
        check_quota(self.limits, self.stored_bytes(workspace))
        for spec, _, _, n_train, *_ in requests:
            check_memory(self.limits, spec.config, n_train)
        with self._book.lock:
            return self._turns.queue_new(workspace, requests)

    def stop(self, run_id: str, workspace: str) -> None:
        """Stop workspace's run: at once if waiting, at its next report if training."""
        with self._book.lock:
            run = self._book.runs.get(run_id)
            if run is None or run.workspace != workspace:
                return
            self._turns.stop(run)
        self._control.flush()

    def resume(self, run_id: str, workspace: str, max_batches: int | None = None,
               extend: int | None = None) -> None:  # fmt: skip
        """Continue workspace's stopped/paused run (or, after the end, train as long again, or
        `extend` iterations more: +1 iteration and Step after a finished run). LimitError if
        the workspace's saved work is at its quota or the run at MAX_ITERATIONS."""
        check_quota(self.limits, self.stored_bytes(workspace))  # asks the database: before the lock
        state = self._spaces.stored_state(run_id)  # decoded before it too
        with self._book.lock:
            run = self._book.runs.get(run_id)
            if run is not None and run.workspace == workspace:
                self._turns.resume(run, state, max_batches, extend)

    def runs_of(self, workspace: str) -> list[Run]:
        """The workspace's runs, oldest first (read back from the store the first time)."""
        self._spaces.load(workspace)
        with self._book.lock:
            return self._book.views(workspace)

    def get(self, run_id: str) -> Run | None:
        """The run as it is now (a value: ask again for news), or None if unknown."""
        with self._book.lock:
            run = self._book.runs.get(run_id)
            return None if run is None else run.view

    def place(self, run_id: str) -> tuple[int, float] | None:
        """(place in the queue from 1, seconds until it should start), or None if not waiting."""
        with self._book.lock:
            k = self._book.place(run_id)
            return None if k is None else (k + 1, self._turns.start_estimate(k))

    def rename(self, workspace: str, run_id: str, name: str) -> Run:
        """Name workspace's run ("" clears); ValueError(sentence) for a name too long or
        blank-looking, KeyError if workspace has no such run."""
        return self._change(workspace, run_id, name=stored.checked_name(name))

    def set_hidden(self, workspace: str, run_id: str, hidden: bool) -> Run:
        """Leave workspace's run out of the lists (hidden) or show it again."""
        return self._change(workspace, run_id, hidden=bool(hidden))

    def _change(self, workspace: str, run_id: str, **values) -> Run:
        with self._book.lock:
            run = self._book.own(workspace, run_id)
            run.set(**values)
            self._log.changed(run.id, **values)
            return run.view

    # ---- workspaces ------------------------------------------------------------------

    def attach(self, workspace: str, tab: str) -> None:
        """A browser tab shows workspace: its runs go on while one is open."""
        self._spaces.attach(workspace, tab)

    def workspace_data(self, workspace: str) -> dict:
        """A dict pages may keep large per-workspace things in; freed when its tabs close."""
        return self._spaces.data(workspace)

    def upload(self, workspace: str, dataset: Dataset, key: str) -> DataRef:
        """Put an uploaded dataset where workers can read it (runs.workspaces)."""
        return self._spaces.upload(workspace, dataset, key)

    def close_workspace(self, workspace: str) -> None:
        """Stop the workspace's runs and forget what it holds here (its tabs have closed)."""
        with self._book.lock:
            self._turns.stop_workspace(workspace)
        self._control.flush()
        self._spaces.forget(workspace)

    def delete(self, workspace: str, run_ids: list[str]) -> int:
        """Delete workspace's runs that are not training; how many. The store forgets them
        too (at once, or once it is back: the deletion is kept and retried)."""
        with self._book.lock:
            gone = self._book.delete_ended(workspace, run_ids)
        if gone:
            self._log.deleted(workspace, [r.id for r in gone])
        return len(gone)

    def forget_workspace(self, workspace: str) -> None:
        """Stop and delete every run of workspace, here and in the store ("forget my work";
        the store's part is kept and retried while it is away)."""
        with self._book.lock:
            w = self._book.workspace(workspace)
            for run in w.runs:
                self._turns.stop(run)
            self._book.deleted.update(r.id for r in w.runs)
        self._control.flush()
        self._spaces.forget(workspace)  # what the stopped runs still report is not logged
        self.classes.forget(workspace)
        self._log.forgotten(workspace)

    def stored_bytes(self, workspace: str) -> int | None:
        """What workspace's runs take in the store, or None without one (or while it is
        away). Asks the database."""
        return self._log.workspace_bytes(workspace)

    # ---- the class (runs.class_work) and the store -------------------------------------

    def hand_in(self, workspace: str, run_ids: list[str], nickname: str,
                code_version: int | None = None, timeout: float = 2.0) -> bool:  # fmt: skip
        """Hand these runs of workspace (and optionally a kept code version) in under
        nickname; True once the database has it (waiting for this write only), False if it
        is kept and retried (or there is no store)."""
        with self._book.lock:
            mine = [self._book.runs.get(i) for i in run_ids]
            own = [(r.id, r.lesson) for r in mine if r is not None and r.workspace == workspace]
        return self.classes.hand_in(workspace, own, nickname, code_version, timeout)

    def handed_in_ids(self, workspace: str) -> dict[str, str]:
        """Run id -> nickname of workspace's handed-in runs; {} while the store is away."""
        return self.classes.handed_in_ids(workspace)

    def handed_in(self) -> list[StoredRun]:
        """The class's hand-ins with their reports (one query); [] while the store is away."""
        return self.classes.handed_in()

    def handed_in_models(self, run_ids: list[str]) -> dict[str, Model]:
        """Run id -> the latest weights of each of these runs as a Model (one query; runs
        without weights are left out); {} while the store is away. For the private split."""
        return self.classes.handed_in_models(run_ids)

    def class_setting(self, name: str) -> dict | None:
        """A class-wide setting; None if unset or the store is away."""
        return self.classes.class_setting(name)

    def set_class_setting(self, name: str, value: dict) -> None:
        """Set a class-wide setting for every app server; StoreError(sentence) if away."""
        self.classes.set_class_setting(name, value)

    def save_code(self, workspace: str, source: str, check: dict) -> int:
        """Keep a new version of workspace's code (check: JSON-able); its number (1, 2, ...).
        StoreError(sentence) if the store is away, ValueError if the source is too long,
        LimitError if the workspace's saved work is at its quota (code counts in it)."""
        check_quota(self.limits, self.stored_bytes(workspace), "keep more code")
        return self.classes.save_code(workspace, source, check)

    def code_versions(self, workspace: str) -> list[CodeVersion]:
        """workspace's kept code, newest first; [] while the store is away."""
        return self.classes.code_versions(workspace)

    def handed_in_code(self) -> list[CodeVersion]:
        """The code of every hand-in (workspace, nickname), one query; [] while away."""
        return self.classes.handed_in_code()

    def keeps_work(self) -> bool:
        """Whether runs are kept in a store (False: MNIST_LAB_STORE=memory)."""
        return self._log.keeps

    def store_problem(self) -> str | None:
        """Why work is not being saved now, or what happened to the store; None if fine."""
        return self.classes.problem()

    # ---- the server ------------------------------------------------------------------

    def stats(self) -> dict:
        """Counts for a status line or a benchmark."""
        return self._turns.stats()

    def close(self) -> None:
        """End the workers and the control thread; remove temporary files; what still
        trains is saved as interrupted."""
        self._control.close()
        shutil.rmtree(self._tmp, ignore_errors=True)
        with self._book.lock:
            runs = list(self._book.runs.values())
        self._log.close(runs)
