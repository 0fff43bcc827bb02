"""Who trains next: the queue's decisions (stop, continue, turns, dispatch) and what they
send to the workers.

Handed the run book, the worker pool, the run log and the workspaces (a stored state put
back); every method is called with the book's lock held, and what it sends goes out at the
control loop's next flush (runs.control), outside the lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from runs import policy, sandbox
from runs.book import RunBook
from runs.code_task import CANNOT_CONTINUE
from runs.limits import LimitError, Limits, check_active, longer
from runs.pool import WorkerPool
from runs.protocol import Pause, Stop, Task, Threads
from runs.run import ENDED_UNUSABLE, Record, Run
from runs.run_log import RunLog
from runs.workspaces import Workspaces

log = logging.getLogger("mnist_lab.runs")
CODE_WAITS = (
    "it waits for another run of students' own code to end: such runs cannot take turns, so "
    "this server trains only a few at once (one per workspace)"
)


class Turns:
    """The queue's decisions; `clock` is what the policy calls now (tests replace it)."""

    def __init__(
        self, book: RunBook, pool: WorkerPool, log: RunLog, limits: Limits, spaces: Workspaces
    ):
        self.book, self.pool, self.log, self.limits, self.spaces = book, pool, log, limits, spaces
        self.clock: Callable[[], float] = time.monotonic

    def queue_new(self, workspace: str, requests: Sequence[tuple]) -> list[Run]:
        """Queue every run of requests (Scheduler.submit's arguments after workspace) or
        none: LimitError if no worker can start or they pass workspace's active runs."""
        w = self.book.workspace(workspace)
        if self.pool.failing:
            raise LimitError("the training processes cannot start; see the server log")
        check_active(sum(r.active for r in w.runs), len(requests), self.limits.active_per_workspace)
        return [self._new(workspace, *request) for request in requests]

    def _new(self, workspace: str, spec, data, data_label, n_train, max_batches=None,
                kind="train", lesson=None) -> Run:  # fmt: skip
        if kind not in ("train", "range"):
            raise ValueError(f"kind={kind!r} must be 'train' or 'range'")
        view = Run(self.book.new_id(), workspace, spec, data, data_label, n_train, kind=kind)
        own_code = spec.code is not None  # issue 23: its weights live in the sandbox
        view = replace(view, lesson=lesson, continuable=kind == "train" and not own_code)
        run, w = Record(view, max_batches=max_batches), self.book.workspace(workspace)
        if own_code:
            run.stop_reason = f"stopped by you. {CANNOT_CONTINUE}"
        self.book.add(w, run)
        self.log.created(run)
        if not self.log.keeps:
            self.book.forget_old(w, self.limits.kept_per_workspace)
        return run.view

    def stop(self, run: Record) -> None:
        """Stop run (the caller holds the lock; what is sent goes at the next flush)."""
        if not run.active:
            return
        if run.status == "waiting":
            self.book.queue.remove(run)
            why = run.stop_reason if run.history else "stopped before it started"
            run.set(status="stopped", message=why)
            return
        self.ask_to_end(run, "stop")

    def stop_workspace(self, workspace: str) -> None:
        """Stop the runs of a workspace whose tabs went away (the caller holds the lock)."""
        w = self.book.workspaces.get(workspace)
        if w is None or w.stopped:
            return
        w.stopped = True
        active = [run for run in w.runs if run.active]
        for run in active:
            run.stop_reason = "stopped: its browser tab was closed or lost its connection"
            self.stop(run)
        log.warning("mnist-lab: workspace %s closed: stopped %d run(s)", workspace[:8], len(active))

    def resume(self, run: Record, state, max_batches: int | None, extend: int | None) -> None:
        """Queue a stopped/paused run again (a finished one: `longer`), its stored state
        decoded beforehand (Workspaces.stored_state); the caller holds the lock."""
        if run.active or not run.continuable or run.status in ENDED_UNUSABLE:
            return
        if not self.spaces.restore(run, state):
            return
        if run.status == "finished":  # train longer, from where it is
            total = longer(max(run.config.iterations, run.state.iteration), extend)
            run.spec = replace(run.spec, config=replace(run.config, iterations=total))
            self.log.longer(run)
        run.max_batches, run.stop_reason = max_batches, "stopped by you"
        run.set(last_step=None, status="waiting", message="")
        self.book.queue.append(run)

    def stats(self) -> dict:
        """Counts for a status line or a benchmark."""
        with self.book.lock:
            workers = self.pool.workers
            return {
                "workers": sum(w.conn is not None for w in workers),
                "running": sum(w.run is not None for w in workers),
                "threads": [w.threads for w in workers if w.run is not None],
                "waiting": len(self.book.queue),
                "workspaces": len(self.book.workspaces),
                "runs": len(self.book.runs),
                "worker_pids": [w.proc.pid for w in workers],
            }

    def take_turns(self) -> None:
        """While runs wait, a run whose turn is over is asked to pause at its next report."""
        if not self.book.queue:
            return
        now = self.clock()
        for w in self.pool.workers:
            run = w.run
            if run is None or run.asked_to_end or run.max_batches is not None:
                continue  # a Step or +1 iteration is short: it ends by itself
            if policy.turn_over(run.turn_started, run.data_ready, now, self.limits.turn_seconds):
                self.ask_to_end(run, "pause")

    def dispatch(self) -> None:
        """Give waiting runs to idle workers, then split the cores among the busy ones."""
        started = []
        for w in self.pool.workers:
            if not self.book.queue:
                break
            if w.conn is not None and w.run is None:
                run = self._next_waiting()
                if run is None:
                    break
                w.run, run.status, run.turn_started = run, "running", self.clock()
                run.data_ready = 0.0
                started.append(w)
        busy = [w for w in self.pool.workers if w.run is not None]
        for w in busy:
            threads = policy.threads_each(self.limits.cores, len(busy), w.run.useful_threads)
            if w in started:
                w.threads = threads
                self.pool.send(w, self._task(w.run, threads))
            elif w.threads != threads:  # one run alone gets every core it can use
                w.threads = threads
                self.pool.send(w, Threads(threads))

    def _next_waiting(self) -> Record | None:
        """The first waiting run that may start (policy.may_start), taken off the queue; the
        code runs it passes over are told why they wait."""
        workers = self.pool.workers
        running = [w.run for w in workers if w.run is not None]
        for run in self.book.queue:
            if policy.may_start(run, running, len(workers)):
                self.book.queue.remove(run)
                if run.message == CODE_WAITS:
                    run.set(message="")
                return run
            if run.message != CODE_WAITS:
                run.set(message=CODE_WAITS)
        return None

    def _task(self, run: Record, threads: int) -> Task:
        """What a worker is sent to train run (its state goes with it: none is kept here)."""
        state, run.state = run.state, None
        every = self.limits.checkpoint_seconds if self.log.keeps else float("inf")
        code = run.spec.code  # issue 23: a student's code trains in the sandbox
        return Task(
            run.id,
            run.config,
            run.data,
            state,
            threads,
            run.max_batches,
            run.kind,
            every,
            code,
            unsandboxed_ok=code is not None and sandbox.unsandboxed_allowed(),
        )

    def ask_to_end(self, run: Record, how: str) -> None:
        worker = next((w for w in self.pool.workers if w.run is run), None)
        if worker is None:
            return
        if how == "stop":
            run.stopping = True
        if how == "stop" or not run.asked_to_end:
            run.asked_to_end = self.clock()
            self.pool.send(worker, Stop(run.id) if how == "stop" else Pause(run.id))

    def start_estimate(self, k: int) -> float:
        """Seconds until the k-th waiting run (from 0) should get a worker."""
        now, turn = self.clock(), self.limits.turn_seconds
        free = [
            0.0 if w.run is None else policy.free_in(w.run.eta(), w.run.turn_started, now, turn)
            for w in self.pool.workers
        ]
        return policy.start_estimate(free, k, turn)
