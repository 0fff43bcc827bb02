"""The scheduler's control loop: what workers say, turns, dispatch, stops, closed tabs.

One thread, handed the run book (decided under its lock), the worker pool (sends go out after
the lock is released: pickling states with their weights), the run log (what happened, for
the store) and the workspaces (forgotten when their tabs are long gone). Its clock and the
UI's "is this tab connected" are attributes tests replace.
"""

from __future__ import annotations

import logging
import threading
import time

from runs import policy
from runs.limits import Limits
from runs.pool import Worker
from runs.protocol import (
    Checkpoint,
    End,
    RangeResult,
    Report,
    Started,
    StepDone,
)
from runs.run import Record
from runs.turns import Turns
from runs.workspaces import Alive, Workspaces, reap

LOOP_SECONDS = 0.05  # the longest the control thread waits for a worker's message
log = logging.getLogger("mnist_lab.runs")


class Control:
    """The control thread and what it decides; stop() and flush() are the facade's too."""

    def __init__(self, turns: Turns, spaces: Workspaces):
        self.turns, self.spaces = turns, spaces
        self.book, self.log = turns.book, turns.log
        self._pool = turns.pool
        # Whether a browser tab is still connected; None: nobody to ask. The web server's own
        # check is given by the UI (runs/ knows nothing of Streamlit).
        self.alive: Alive = lambda tab: None
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="runs-control", daemon=True)

    @property
    def limits(self) -> Limits:
        return self.turns.limits

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """End the thread, then the workers."""
        self._closed.set()
        self._thread.join(5)
        with self.book.lock:
            self._pool.close()

    def _loop(self) -> None:
        while not self._closed.is_set():
            ready = self._pool.wait_ready(LOOP_SECONDS)
            said = [(w, *self._pool.read(w)) for w in ready]  # unpickled without the lock
            with self.book.lock:
                self._pool.greet()
                for worker, messages, closed in said:
                    self._heard(worker, messages, closed)
                self._check_workers()
                gone = self._reap()
                self.turns.take_turns()
                self.turns.dispatch()
                self.log.statuses(self.book.runs.values())
            self.flush()
            for workspace in gone:  # files and garbage collection without holding the lock
                self.spaces.forget(workspace)

    def _reap(self) -> list[str]:
        """Stop the runs of workspaces whose tabs have gone; those to forget now."""
        grace, keep = self.limits.session_grace, self.limits.session_keep
        stop, forget = reap(self.book.workspaces, self.alive, self.turns.clock(), grace, keep)
        for workspace in stop:
            self.turns.stop_workspace(workspace)
        return forget

    def flush(self) -> None:
        """Send what was decided (outside the lock); a task that could not go waits again."""
        failed = self._pool.flush()
        if not failed:
            return
        with self.book.lock:
            for worker, task in failed:
                run = worker.run
                if run is None or run.id != task.run_id:
                    continue
                worker.run, run.state, run.asked_to_end = None, task.state, 0.0
                if run.stopping:  # a Stop that went nowhere either: the run never started
                    run.set(status="stopped", message=run.stop_reason, stopping=False)
                else:
                    run.status = "waiting"
                    self.book.queue.appendleft(run)

    def _heard(self, worker: Worker, messages: list, closed: bool) -> None:
        if worker not in self._pool.workers:
            return  # already given up on
        for message in messages:
            self._handle(worker, message)
        if closed:
            self._lost(worker, "the training process ended unexpectedly")

    def _handle(self, worker: Worker, message) -> None:
        run = worker.run
        if run is None or run.id != message.run_id:
            return  # from a run that was already given up on
        match message:
            case Started(_, scaling):
                run.scaling, run.data_ready = scaling, self.turns.clock()
                if self._kept(run):
                    self.log.started(run.id, scaling)
            case Report(_, report, snapshot):
                history = (*run.history, report)
                if snapshot is None:
                    run.history = history
                else:
                    run.set(history=history, snapshot=snapshot, snapshot_at=len(history))
                if self._kept(run):
                    self.log.reported(run.id, len(history) - 1, report)
            case Checkpoint(_, state):  # the whole state at the report just received
                if self._kept(run):
                    self.log.checkpoint(run.id, state, len(run.history))
            case RangeResult(_, result):
                run.range_test = result
                if self._kept(run):
                    self.log.range_result(run.id, result)
            case StepDone(_, change):
                run.last_step = change
            case End():
                worker.run = None
                self._ended(run, message)

    def _kept(self, run: Record) -> bool:
        """Its events are logged: not a deleted or forgotten run's last words."""
        return self.book.runs.get(run.id) is run

    def _ended(self, run: Record, end: End) -> None:
        """Its worker is free: a turn's end queues it again, any other end is its status."""
        outcome, text, state = end.outcome, end.message, end.state
        run.state = state
        if state is not None and len(run.history) > run.snapshot_at:
            # its weights at its last report (snapshots come at most twice a second): the model
            # a page offers is then the one its figures describe
            run.set(snapshot=state.params, snapshot_at=len(run.history))
        if state is not None and self._kept(run):
            self.log.ended(run.id, state, len(run.history))
        run.asked_to_end = 0.0
        if run.stopping and outcome in ("paused", "stopped"):
            outcome, text = "stopped", run.stop_reason
        if outcome == "paused" and run.max_batches is None and self._kept(run):
            run.set(status="waiting", message="", stopping=False)  # its turn ended: to the back
            self.book.queue.append(run)
        else:
            if outcome == "paused":
                text = "paused after the steps you asked for"
            run.set(status=outcome, message=text, stopping=False)
            run.max_batches = None

    def _lost(self, worker: Worker, why: str) -> None:
        """A worker that is gone: its run keeps the last snapshot; a new worker replaces it."""
        run, worker.run = worker.run, None
        code = self._pool.remove(worker)
        if run is not None:
            stopping = run.asked_to_end > 0
            run.set(
                status="stopped" if stopping else "failed",
                message="stopped mid-step; the weights of the last report are kept"
                if stopping
                else f"{why} (exit code {code})",
                continuable=False,
                stopping=False,
            )
            run.state, run.asked_to_end = None, 0.0
            if run.snapshot is not None and self._kept(run):  # newer than any state saved
                self.log.lost(run.id, run.snapshot)
        if self._pool.failing:
            self._fail_waiting(f"training processes cannot start ({why}); see the server log")
        elif not self._closed.is_set():
            self._pool.spawn()

    def _fail_waiting(self, why: str) -> None:
        """No worker will come: every waiting run fails, saying why."""
        while self.book.queue:
            self.book.queue.popleft().set(status="failed", message=why)

    def _check_workers(self) -> None:
        now = self.turns.clock()
        for w, why in self._pool.gone(time.monotonic()):
            self._lost(w, why)
        for w in list(self._pool.workers):
            if w.run is not None and w.run.stopping and self._overdue(w.run, now):
                w.proc.kill()  # the last resort: it did not reach a report in time
                self._lost(w, "ended")

    def _overdue(self, run: Record, now: float) -> bool:
        """A stop not obeyed in time: a report is overdue (never for a pause: that waits)."""
        interval, grace = run.report_interval(), self.limits.stop_grace
        return policy.stop_overdue(run.asked_to_end, run.data_ready, interval, now, grace)
