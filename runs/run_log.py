"""The run log: the scheduler's one way to its store, in named events.

The control loop and the facade say what happened to a run (created, started, reported,
checkpoint, ended, lost, range result, longer, cut, changed, statuses) and ask for what is
kept (a workspace read back, its size, deletions); this turns each into the store's writes
(runs.stored knows the rows, runs.writer writes them, off the training path). Without a
store (MNIST_LAB_STORE=memory) every event is nothing and every question has no answer.
Cheap to call under the scheduler's lock except where a method says it asks the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from mlcore.checkpoint import progress_to_dict, state_to_bytes
from mlcore.network import Params
from mlcore.range_test import RangeTest
from mlcore.scaling import Scaling
from mlcore.train import Progress, TrainState
from runs import stored
from runs.run import Record
from runs.writer import StoreWriter

SAVE_WAIT = 3.0  # seconds a Delete or Forget waits for its write before answering


class RunLog:
    """Events of this server's runs, written through writer (None: nothing is kept)."""

    def __init__(self, writer: StoreWriter | None, server_id: str):
        self.writer = writer
        self.server_id = server_id
        if writer is not None:
            writer.heartbeat_id = server_id  # other servers see this one is alive
            at = time.strftime("%Y-%m-%d %H:%M")
            writer.interrupt_earlier(server_id, stored.interrupted(at))

    @property
    def keeps(self) -> bool:
        return self.writer is not None

    @property
    def readable(self) -> bool:
        """The store is open and answering (reads are worth trying)."""
        return self.writer is not None and self.writer.readable_store() is not None

    # ---- what happened to a run (cheap: queued for the writer) -----------------------

    def created(self, run: Record) -> None:
        if self.writer is not None:
            self.writer.insert(stored.run_row(run, self.server_id))
            run.saved = (run.status, run.message)

    def started(self, run_id: str, scaling: Scaling) -> None:
        self._update(run_id, scaling=stored.scaling_text(scaling))

    def reported(self, run_id: str, seq: int, report: Progress) -> None:
        if self.writer is not None:
            self.writer.report(run_id, seq, progress_to_dict(report))

    def checkpoint(self, run_id: str, state: bytes, at: int) -> None:
        """The whole state (mlcore.checkpoint bytes) at the at-th report."""
        self._update(run_id, state=state, state_at=at, weights=None)

    def ended(self, run_id: str, state: TrainState, at: int) -> None:
        """Its state when its worker let it go (made into bytes on the writer's thread)."""
        self._update(run_id, state=lambda: state_to_bytes(state), state_at=at, weights=None)

    def lost(self, run_id: str, snapshot: Params) -> None:
        """Its worker is gone: the last report's weights, newer than any state kept."""
        self._update(run_id, weights=lambda: stored.weights_bytes(snapshot))

    def range_result(self, run_id: str, result: RangeTest) -> None:
        self._update(run_id, extra=stored.range_text(result))

    def longer(self, run: Record) -> None:
        """A finished run continued: its spec with the new iterations."""
        self._update(run.id, spec=stored.spec_text(run))

    def cut(self, run_id: str, at: int) -> None:
        """Reports past its state are gone (it trains again from there)."""
        self._update(run_id, truncate_reports=at)

    def changed(self, run_id: str, name: str | None = None, hidden: bool | None = None) -> None:
        values = {k: v for k, v in (("name", name), ("hidden", hidden)) if v is not None}
        self._update(run_id, **values)

    def statuses(self, runs: Iterable[Record]) -> None:
        """Each status that changed since the store was last given one."""
        if self.writer is None:
            return
        for run in runs:
            if run.saved != (run.status, run.message):
                run.saved = (run.status, run.message)
                self._update(run.id, status=run.status, message=run.message, server=self.server_id)

    def _update(self, run_id: str, **values) -> None:
        if self.writer is not None and values:
            self.writer.update(run_id, **values)

    # ---- a workspace ------------------------------------------------------------------

    def touched(self, workspace: str) -> None:
        if self.writer is not None:
            self.writer.touch(workspace)  # retention counts from the last use

    def deleted(self, workspace: str, run_ids: list[str]) -> bool:
        """Delete workspace's runs from the store; True once done, False if kept and retried."""
        w = self.writer
        return w is None or w.wait(w.delete_runs(workspace, run_ids), SAVE_WAIT)

    def forgotten(self, workspace: str) -> bool:
        """Delete all of workspace; True once done, False if kept and retried."""
        w = self.writer
        return w is None or w.wait(w.delete_workspace(workspace), SAVE_WAIT)

    def workspace_bytes(self, workspace: str) -> int | None:
        """What workspace's runs take in the store; None without one or while it is away.
        Asks the database."""
        store = None if self.writer is None else self.writer.readable_store()
        if store is None:
            return None
        try:
            return store.workspace_bytes(workspace)
        except Exception as e:  # the store is away: the quota is not checked meanwhile
            self.writer.read_failed(e)
            return None

    def read_workspace(self, workspace: str, first: bool) -> list[Record] | None:
        """workspace's stored runs as Records (weights decoded); None while the store is away
        (said in its problem). first: this server's pending writes go in before. Asks the
        database."""
        w = self.writer
        if w is None or w.readable_store() is None:
            return None
        if first:
            w.flush(2.0)  # what this server wrote until now, before reading it back
        store = w.readable_store()  # once: the writer may renew it meanwhile
        if store is None:
            return None
        try:
            found = store.load_workspace(workspace)
            live = store.live_servers()
        except Exception as e:  # the store is away: runs of this server only; the writer
            w.read_failed(e)  # checks and says so
            return None
        return [stored.run_from_store(f, self.server_id, live) for f in found]

    def close(self, runs: Iterable[Record]) -> None:
        """This server stops: what still trains is interrupted; everything pending is written."""
        if self.writer is None:
            return
        at = time.strftime("%Y-%m-%d %H:%M")
        runs = list(runs)
        for run in runs:
            if run.active:
                run.set(status="interrupted", message=stored.interrupted(at))
        self.statuses(runs)
        self.writer.close()
