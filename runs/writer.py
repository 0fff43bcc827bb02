"""Writes to the run store from a thread of its own, in batches, each write with a ticket.

The scheduler's control thread only appends to this writer's pending work (microseconds);
weights are turned into bytes and sent to the database here, never on the training path.
Every write gets a ticket; `wait(ticket)` returns once that write is in the database (or was
set aside), however much is written after it — never "once nothing is pending", which a class
training never reaches. While the database is away (missing, locked, read-only, full,
unreachable) work waits in memory, `problem` says why, and the writer retries with a growing
pause. A row the database refuses for good (a value too long, a run deleted meanwhile) is set
aside with a line in the server log; the rest is saved.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from runs.batch import Batch, Pending, lasting
from runs.limits import keep_days
from runs.store import Store, StoreError, problem_text, store_url

__all__ = ["StoreWriter", "keep_days"]

FLUSH_SECONDS = 0.5  # how often pending writes go out together
RETRY_MAX = 30.0  # the longest pause between two tries while the store is away
PURGE_EVERY = 3600.0  # seconds between two deletions of workspaces past their keep
HEARTBEAT_EVERY = 5.0  # seconds between this server's "still here" (runs.store.servers)
TOUCH_EVERY = 3600.0  # seconds between two records of a workspace's use
SET_ASIDE_KEPT = 10_000  # tickets of writes set aside that wait() still knows

log = logging.getLogger("mnist_lab.store")


class StoreWriter:
    """Pending writes, flushed by a daemon thread; `problem` is "" while all is saved."""

    def __init__(self, url: str | None = None, opener: Callable[[str], Store] = Store):
        self.url = url or store_url()
        self.keep_days = keep_days()
        self._opener = opener
        self.store: Store | None = None
        self.problem = ""
        self.notice = ""
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._pending = Pending()
        self._issued = 0  # the last ticket given
        self._written = 0  # every ticket up to this one is written or set aside
        self._set_aside: set[int] = set()
        self._last_touch: dict[str, float] = {}
        self.heartbeat_id: str | None = None  # the scheduler's server id, once it has one
        self._beat = 0.0
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._purged = 0.0
        self._open()
        self._thread = threading.Thread(target=self._loop, name="store-writer", daemon=True)
        self._thread.start()

    # ---- what the scheduler calls (cheap: no I/O); each returns its ticket -------------

    def _add(self, kind: str, value) -> int:
        with self._lock:
            self._issued += 1
            self._pending.add(self._issued, kind, value)
            return self._issued

    def insert(self, row: dict) -> int:
        return self._add("insert", row)

    def report(self, run_id: str, seq: int, values: dict) -> int:
        return self._add("report", {"run_id": run_id, "seq": seq, "values": values})

    def update(self, run_id: str, **values) -> int:
        """Column values for run_id; a value may be a callable made into bytes here, later."""
        return self._add("update", (run_id, values))

    def hand_in(self, row: dict) -> int:
        """A hand-in (run_id, workspace, nickname, lesson, created, code_version)."""
        return self._add("handin", row)

    def delete_runs(self, workspace: str, run_ids: list[str]) -> int:
        return self._add("delete", (workspace, tuple(run_ids)))

    def delete_workspace(self, workspace: str) -> int:
        return self._add("delete", (workspace, None))

    def touch(self, workspace: str) -> None:
        """Record that workspace is in use (at most once an hour: retention counts from it)."""
        now = time.time()
        with self._lock:
            if now - self._last_touch.get(workspace, 0.0) < TOUCH_EVERY:
                return
            self._last_touch[workspace] = now
        self._add("touch", (workspace, now))

    def wait(self, ticket: int, timeout: float = 10.0) -> bool:
        """Wait until the write of ticket is in the database; False if it was set aside or
        is still pending after timeout (it is kept and retried)."""
        self._wake.set()
        with self._done:
            self._done.wait_for(lambda: self._written >= ticket, timeout)
            return self._written >= ticket and ticket not in self._set_aside

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every write given so far is written (later ones may still wait)."""
        with self._lock:
            ticket = self._issued
        return self.wait(ticket, timeout)

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
            taken, self._pending = self._pending, Pending()
            upto = self._issued
            due = time.monotonic() - self._beat > HEARTBEAT_EVERY
        beat = self.heartbeat_id if due else None
        try:
            if self.store is None and not self._open():
                raise StoreError(self.problem)
            if taken or beat is not None:
                self._write(taken, beat)
        except Exception as e:  # the database is away: keep the work, say why, try again
            self._put_back(taken)
            self.problem = problem_text(e, self.url)
            log.warning("mnist-lab: work not saved, kept and retried: %s", self.problem)
            return False
        self.problem = ""
        with self._done:
            self._beat = time.monotonic() if beat is not None else self._beat
            self._written = max(self._written, upto)
            self._done.notify_all()
        return True

    def _write(self, taken: Pending, beat: str | None) -> None:
        """taken in one transaction; if the database refuses a row for good, each item alone,
        setting aside the refused ones (a fault of the connection still raises)."""
        try:
            self.store.write(**Batch.of(taken.items()).parts(), heartbeat=beat)
            return
        except Exception as e:
            if not lasting(e):
                raise
        refused: list[tuple[int, str, Exception]] = []
        for item in taken.items():
            try:
                self.store.write(**Batch.of([item]).parts())
            except Exception as e:
                if not lasting(e):
                    raise  # an item already written is written again, harmlessly
                refused.append((item.ticket, item.kind, e))
        self._refused(refused)
        if beat is not None:
            self.store.write(heartbeat=beat)

    def _refused(self, refused: list) -> None:
        if not refused:
            return
        kinds = sorted({kind for _, kind, _ in refused})
        log.error(
            "mnist-lab: the database refused %d write(s) (%s) for good; set aside, the rest "
            "is saved. First: %s",
            len(refused), ", ".join(kinds), problem_text(refused[0][2], self.url),
        )  # fmt: skip
        with self._lock:
            self._set_aside.update(ticket for ticket, _, _ in refused)
            while len(self._set_aside) > SET_ASIDE_KEPT:
                self._set_aside.remove(min(self._set_aside))

    def _purge(self) -> bool:
        self._purged = time.monotonic()
        try:
            n = self.store.forget_older_than(self.keep_days)
        except Exception as e:
            self.problem = problem_text(e, self.url)
            return False
        if n:
            log.warning("mnist-lab: deleted %d workspace(s) unused for %g days", n, self.keep_days)
        return True

    def _put_back(self, taken: Pending) -> None:
        with self._lock:
            self._pending = taken.then(self._pending)
