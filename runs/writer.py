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
from runs.schema import checked_url
from runs.store import Store, StoreError, problem_text, store_url
from runs.store_health import FileWatch, is_damage, move_aside, what_happened

__all__ = ["StoreWriter", "keep_days"]

FLUSH_SECONDS = 0.5  # how often pending writes go out together
RETRY_MAX = 3.0  # the longest pause between two tries while the store is away: the warning
# goes within seconds of the recovery (at 30 s it stayed 19-45 s after the database was back)
PURGE_EVERY = 3600.0  # seconds between two deletions of workspaces past their keep
HEARTBEAT_EVERY = 5.0  # seconds between this server's "still here" (runs.store.servers)
TOUCH_EVERY = 3600.0  # seconds between two records of a workspace's use
SET_ASIDE_KEPT = 10_000  # tickets of writes set aside that wait() still knows

log = logging.getLogger("mnist_lab.store")


def retry_pause(pause: float, ok: bool) -> float:
    """The pause before the writer's next try: the usual one after a try that worked, else
    twice the last, from 1 s up to RETRY_MAX."""
    return FLUSH_SECONDS if ok else min(RETRY_MAX, max(1.0, 2 * pause))


class StoreWriter:
    """Pending writes, flushed by a daemon thread; `problem` is "" while all is saved."""

    def __init__(self, url: str | None = None, opener: Callable[[str], Store] = Store):
        self.url = checked_url(url or store_url())  # ValueError: a setting to fix, not retry
        self.keep_days = keep_days()
        self._opener = opener
        self.store: Store | None = None
        self.problem = ""  # set by the writer's thread only (others: read_failed)
        self.notice = ""
        self._read_failure: str | None = None  # a reader's failure, for the thread to check
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
        self.health = FileWatch(self.url)  # the SQLite file deleted, replaced or damaged
        self.write_back: Callable[[], list] | None = None  # what the server holds, as writes
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

    def interrupt_earlier(self, server_id: str, message: str) -> int:
        """Mark interrupted what this server's previous incarnation left active (at start)."""
        return self._add("claim", (server_id, message))

    def touch(self, workspace: str) -> None:
        """Record that workspace is in use (at most once an hour: retention counts from it)."""
        now = time.time()
        with self._lock:
            if now - self._last_touch.get(workspace, 0.0) < TOUCH_EVERY:
                return
            self._last_touch[workspace] = now
        self._add("touch", (workspace, now))

    def readable_store(self) -> Store | None:
        """The store to read from now, or None while it is away: read `store` once, as the
        thread may renew it (None, then a new one) between two reads of the attribute."""
        store = self.store
        return None if store is None or self.problem else store

    def read_failed(self, error: Exception) -> None:
        """A read on another thread failed: the writer's thread checks the database at once
        and sets `problem` if it is away (only that thread sets it)."""
        with self._lock:
            self._read_failure = problem_text(error, self.url)
        self._wake.set()

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
        self.health.opened()
        return True

    def _loop(self) -> None:
        pause = FLUSH_SECONDS
        while not self._closed.is_set():
            self._wake.wait(pause)
            self._wake.clear()
            ok = self._write_pending()
            if ok and time.monotonic() - self._purged > PURGE_EVERY:
                ok = self._purge()
            pause = retry_pause(pause, ok)

    def _write_pending(self) -> bool:
        with self._lock:
            taken, self._pending = self._pending, Pending()
            upto = self._issued
            due = time.monotonic() - self._beat > HEARTBEAT_EVERY
            read_failure, self._read_failure = self._read_failure, None
        beat = self.heartbeat_id if due else None
        try:
            if self.store is None and not self._open():
                raise StoreError(self.problem)
            if change := self.health.change():  # deleted, replaced, cut: a new file, filled
                taken = self._renew(change).then(taken)
            if taken or beat is not None:
                self._write(taken, beat)
            if read_failure is not None:  # a reader saw a failure: is the database away?
                self.store.live_servers()
        except Exception as e:  # the database is away: keep the work, say why, try again
            self._put_back(taken)
            problem = problem_text(self._after_damage(e), self.url)
            if problem != self.problem:  # said once per fault, not at every retry
                log.warning("mnist-lab: work not saved, kept and retried: %s", problem)
            self.problem = problem
            return False
        if self.problem:
            log.warning("mnist-lab: the store is back; the work kept meanwhile is saved")
        self.problem = ""
        with self._done:
            self._beat = time.monotonic() if beat is not None else self._beat
            self._written = max(self._written, upto)
            self._done.notify_all()
        return True

    def _after_damage(self, error: Exception) -> Exception:
        """A damaged SQLite file ("malformed") is moved aside and a new one filled with what
        this server holds; the error that remains, if any (else the original one)."""
        if self.health.path is None or not is_damage(error):
            return error
        try:
            renewed = self._renew("damaged")
        except Exception as e:
            return e
        with self._lock:
            self._pending = renewed.then(self._pending)
        return error

    def _renew(self, what: str) -> Pending:
        """A new store file after the old one was deleted, replaced or damaged (said on the
        page and in the log); returns the writes of what this server holds, to go first."""
        old, self.store = self.store, None
        if old is not None:
            old.close()  # SQLite checkpoints into the old file and removes its -wal and -shm
        path = self.health.path
        damaged = what in ("damaged", "truncated")
        aside = move_aside(path, time.strftime("%Y%m%d-%H%M%S")) if damaged else None
        if not self._open():
            raise StoreError(self.problem)
        held = self.write_back() if self.write_back is not None else []
        renewed = Pending()
        with self._lock:
            for kind, value in held:
                self._issued += 1
                renewed.add(self._issued, kind, value)
        count = {kind: sum(k == kind for k, _ in held) for kind in ("insert", "handin")}
        self.notice = what_happened(what, path, aside, count["insert"], count["handin"])
        log.error("mnist-lab: %s", self.notice)
        return renewed

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
