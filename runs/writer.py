"""Writes to the run store from a thread of its own, in batches, retrying when it is away.

The scheduler's control thread only appends to this writer's pending lists (microseconds);
weights are turned into bytes and sent to the database here, never on the training path.
While the database is missing, locked, read-only or full, work waits in memory (each run's
latest weights and state only, its reports in full), `problem` says why, and the writer
retries with a growing pause.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable

from runs.store import Store, StoreError, problem_text, store_url

FLUSH_SECONDS = 0.5  # how often pending writes go out together
RETRY_MAX = 30.0  # the longest pause between two tries while the store is away
PURGE_EVERY = 3600.0  # seconds between two deletions of workspaces past their keep
HEARTBEAT_EVERY = 5.0  # seconds between this server's "still here" (runs.store.servers)
TOUCH_EVERY = 3600.0  # seconds between two records of a workspace's use
KEEP_ENV = "MNIST_LAB_KEEP_DAYS"


def keep_days(env=None) -> float:
    """$MNIST_LAB_KEEP_DAYS [180]: days a workspace is kept after its last use."""
    text = (os.environ if env is None else env).get(KEEP_ENV, "180")
    try:
        days = float(text)
    except ValueError:
        raise ValueError(f"{KEEP_ENV}={text!r} is not a number of days") from None
    if not days > 0:
        raise ValueError(f"{KEEP_ENV}={text!r} must be > 0")
    return days


class StoreWriter:
    """Pending writes, flushed by a daemon thread; `problem` is "" while all is saved."""

    def __init__(self, url: str | None = None, opener: Callable[[str], Store] = Store):
        self.url = url or store_url()
        self._opener = opener
        self.store: Store | None = None
        self.problem = ""
        self.notice = ""
        self._lock = threading.Lock()
        self._inserts: list[dict] = []
        self._reports: list[dict] = []
        self._updates: dict[str, dict] = {}
        self._handins: list[dict] = []
        self._touched: dict[str, float] = {}  # workspace -> when used (pending)
        self._last_touch: dict[str, float] = {}
        self.heartbeat_id: str | None = None  # the scheduler's server id, once it has one
        self._beat = 0.0
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self.keep_days = keep_days()
        self._purged = 0.0
        self._open()
        self._thread = threading.Thread(target=self._loop, name="store-writer", daemon=True)
        self._thread.start()

    # ---- what the scheduler calls (cheap: no I/O) ------------------------------------

    def insert(self, row: dict) -> None:
        with self._lock:
            self._inserts.append(row)
            self._idle.clear()

    def report(self, run_id: str, seq: int, values: dict) -> None:
        with self._lock:
            self._reports.append({"run_id": run_id, "seq": seq, "values": values})
            self._idle.clear()

    def update(self, run_id: str, **values) -> None:
        """Column values for run_id; a value may be a callable made into bytes here, later."""
        with self._lock:
            self._updates.setdefault(run_id, {}).update(values)
            self._idle.clear()

    def hand_in(self, row: dict) -> None:
        """A hand-in (run_id, workspace, nickname, lesson, created), written with the rest."""
        with self._lock:
            self._handins.append(row)
            self._idle.clear()

    def touch(self, workspace: str) -> None:
        """Record that workspace is in use (at most once an hour: retention counts from it)."""
        now = time.time()
        with self._lock:
            if now - self._last_touch.get(workspace, 0.0) < TOUCH_EVERY:
                return
            self._last_touch[workspace] = now
            self._touched[workspace] = now
            self._idle.clear()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything pending is written (or timeout); True if it was."""
        self._wake.set()
        return self._idle.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        self._closed.set()
        self._wake.set()
        self._thread.join(timeout)
        if self.store is not None:
            self.store.close()

    # ---- the thread ------------------------------------------------------------------

    def _open(self) -> bool:
        try:
            self.store = self._opener(self.url)
        except StoreError as e:
            self.problem = str(e)
            return False
        self.notice = self.store.notice
        return True

    def _loop(self) -> None:
        pause = FLUSH_SECONDS
        while not self._closed.is_set():
            self._wake.wait(pause)
            self._wake.clear()
            ok = self._write_pending()
            if ok and time.monotonic() - self._purged > PURGE_EVERY:
                ok = self._purge()
            pause = FLUSH_SECONDS if ok else min(RETRY_MAX, max(1.0, 2 * pause))

    def _write_pending(self) -> bool:
        with self._lock:
            taken = self._inserts, self._reports, self._updates, self._handins, self._touched
            self._inserts, self._reports, self._updates, self._handins = [], [], {}, []
            self._touched = {}
            beat = self.heartbeat_id if time.monotonic() - self._beat > HEARTBEAT_EVERY else None
            if not any(taken) and beat is None:
                self._idle.set()
                return True
        inserts, reports, updates, handed, touched = taken
        try:
            if self.store is None and not self._open():
                raise StoreError(self.problem)
            encoded = [_encoded(r) for r in reports]
            self.store.write(inserts, encoded, _built(updates), handed, touched, beat)
        except Exception as e:  # any database fault: keep the work, say why, try again
            self._put_back(*taken)
            self.problem = problem_text(e, self.url)
            return False
        self.problem = ""
        with self._lock:
            if beat is not None:
                self._beat = time.monotonic()
            if not (self._inserts or self._reports or self._updates or self._handins):
                if not self._touched:
                    self._idle.set()
        return True

    def _purge(self) -> bool:
        self._purged = time.monotonic()
        try:
            n = self.store.forget_older_than(self.keep_days)
        except Exception as e:
            self.problem = problem_text(e, self.url)
            return False
        if n:
            print(f"mnist-lab: deleted {n} workspace(s) unused for {self.keep_days:g} days")
        return True

    def _put_back(self, inserts, reports, updates, handed, touched) -> None:
        with self._lock:
            self._inserts[:0] = inserts
            self._reports[:0] = reports
            self._handins[:0] = handed
            self._touched = {**touched, **self._touched}
            for run_id, values in updates.items():  # newer values (written meanwhile) win
                self._updates[run_id] = {**values, **self._updates.get(run_id, {})}


def _encoded(report: dict) -> dict:
    return {**report, "values": json.dumps(report["values"])}


def _built(updates: dict[str, dict]) -> dict[str, dict]:
    """Updates with their callables (weights to bytes) called, here on the writer's thread."""
    out = {}
    for run_id, values in updates.items():
        out[run_id] = {k: v() if callable(v) else v for k, v in values.items()}
        out[run_id]["updated"] = out[run_id].get("updated", time.time())
    return out
