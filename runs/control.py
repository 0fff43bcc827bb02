"""The scheduler's control thread: what workers say, turns, dispatch, closed tabs.

A mixin of runs.scheduler.Scheduler (its lock, runs, queue, sessions and pool). Each loop
decides under the lock and sends (pickling states with their weights) after releasing it.
"""

from __future__ import annotations

import time

from mlcore.checkpoint import progress_to_dict, state_to_bytes
from runs import policy, sessions, stored
from runs.pool import Worker
from runs.protocol import (
    Checkpoint,
    End,
    Pause,
    RangeResult,
    Report,
    Started,
    StepDone,
    Stop,
    Task,
    Threads,
)
from runs.run import Record

LOOP_SECONDS = 0.05  # the longest the control thread waits for a worker's message


class Control:
    """What the control thread does (self: a Scheduler)."""

    def _control(self) -> None:
        while not self._closed.is_set():
            ready = self._pool.wait_ready(LOOP_SECONDS)
            said = [(w, *self._pool.read(w)) for w in ready]  # unpickled without the lock
            with self._lock:
                self._pool.greet()
                for worker, messages, closed in said:
                    self._heard(worker, messages, closed)
                self._check_workers()
                gone = self._reap()
                self._take_turns()
                self._dispatch()
                self._save_statuses()
            self._flush()
            for session in gone:  # files and garbage collection without holding the lock
                self._forget(session)

    def _reap(self) -> list[str]:
        """Stop the runs of sessions whose tab has gone; those to forget now."""
        grace, keep = self.limits.session_grace, self.limits.session_keep
        stop, forget = sessions.reap(self._sessions, self.session_alive, self.clock(), grace, keep)
        for sid in stop:
            self._stop_session(sid)
        return forget

    def _flush(self) -> None:
        """Send what was decided (outside the lock); a task that could not go waits again."""
        failed = self._pool.flush()
        if not failed:
            return
        with self._lock:
            for worker, task in failed:
                run = worker.run
                if run is None or run.id != task.run_id:
                    continue
                worker.run, run.state, run.asked_to_end = None, task.state, 0.0
                if run.stopping:  # a Stop that went nowhere either: the run never started
                    run.set(status="stopped", message=run.stop_reason, stopping=False)
                else:
                    run.status = "waiting"
                    self._queue.appendleft(run)

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
                run.scaling, run.data_ready = scaling, self.clock()
                self._save(run.id, scaling=stored.scaling_text(scaling))
            case Report(_, report, snapshot):
                history = (*run.history, report)
                if snapshot is None:
                    run.history = history
                else:
                    run.set(history=history, snapshot=snapshot, snapshot_at=len(history))
                if self.store is not None and run.id in self._runs:
                    self.store.report(run.id, len(history) - 1, progress_to_dict(report))
            case Checkpoint(_, state):  # the whole state at the report just received
                self._save(run.id, state=state, state_at=len(run.history), weights=None)
            case RangeResult(_, result):
                run.range_test = result
                self._save(run.id, extra=stored.range_text(result))
            case StepDone(_, change):
                run.last_step = change
            case End():
                worker.run = None
                self._ended(run, message)

    def _ended(self, run: Record, end: End) -> None:
        """Its worker is free: a turn's end queues it again, any other end is its status."""
        outcome, text, state = end.outcome, end.message, end.state
        run.state = state
        if state is not None:
            n = len(run.history)
            self._save(run.id, state=lambda: state_to_bytes(state), state_at=n, weights=None)
        run.asked_to_end = 0.0
        if run.stopping and outcome in ("paused", "stopped"):
            outcome, text = "stopped", run.stop_reason
        if outcome == "paused" and run.max_batches is None and run.workspace in self._sessions:
            run.set(status="waiting", message="", stopping=False)  # its turn ended: to the back
            self._queue.append(run)
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
            if run.snapshot is not None:  # newer than any state saved: keep these weights
                self._save(run.id, weights=lambda snap=run.snapshot: stored.weights_bytes(snap))
        if self._pool.failing:
            self._fail_waiting(f"training processes cannot start ({why}); see the server log")
        elif not self._closed.is_set():
            self._pool.spawn()

    def _fail_waiting(self, why: str) -> None:
        """No worker will come: every waiting run fails, saying why."""
        while self._queue:
            self._queue.popleft().set(status="failed", message=why)

    def _check_workers(self) -> None:
        now = self.clock()
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

    def _take_turns(self) -> None:
        """While runs wait, a run whose turn is over is asked to pause at its next report."""
        if not self._queue:
            return
        now = self.clock()
        for w in self._pool.workers:
            run = w.run
            if run is None or run.asked_to_end or run.max_batches is not None:
                continue  # a Step or +1 iteration is short: it ends by itself
            if policy.turn_over(run.turn_started, run.data_ready, now, self.limits.turn_seconds):
                self._ask_to_end(run, "pause")

    def _dispatch(self) -> None:
        """Give waiting runs to idle workers, then split the cores among the busy ones."""
        started = []
        for w in self._pool.workers:
            if not self._queue:
                break
            if w.conn is not None and w.run is None:
                run = self._queue.popleft()
                w.run, run.status, run.turn_started = run, "running", self.clock()
                run.data_ready = 0.0
                started.append(w)
        busy = [w for w in self._pool.workers if w.run is not None]
        for w in busy:
            threads = policy.threads_each(self.limits.cores, len(busy), w.run.useful_threads)
            if w in started:
                w.threads = threads
                self._pool.send(w, self._task(w.run, threads))
            elif w.threads != threads:  # one run alone gets every core it can use
                w.threads = threads
                self._pool.send(w, Threads(threads))

    def _task(self, run: Record, threads: int) -> Task:
        """What a worker is sent to train run (its state goes with it: none is kept here)."""
        state, run.state = run.state, None
        every = self.limits.checkpoint_seconds if self.store else float("inf")
        return Task(run.id, run.config, run.data, state, threads, run.max_batches, run.kind, every)

    def _ask_to_end(self, run: Record, how: str) -> None:
        worker = next((w for w in self._pool.workers if w.run is run), None)
        if worker is None:
            return
        if how == "stop":
            run.stopping = True
        if how == "stop" or not run.asked_to_end:
            run.asked_to_end = self.clock()
            self._pool.send(worker, Stop(run.id) if how == "stop" else Pause(run.id))

    def _start_estimate(self, k: int) -> float:
        """Seconds until the k-th waiting run (from 0) should get a worker."""
        now, turn = self.clock(), self.limits.turn_seconds
        free = [
            0.0 if w.run is None else policy.free_in(w.run.eta(), w.run.turn_started, now, turn)
            for w in self._pool.workers
        ]
        return policy.start_estimate(free, k, turn)
