"""Runs of students' own code cannot pause for a turn: the queue starts at most workers - 1
of them at once, one per workspace, and tells the others why they wait (runs.turns)."""

from __future__ import annotations

from types import SimpleNamespace

from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import policy
from runs.book import RunBook
from runs.limits import Limits
from runs.protocol import DataRef, Task
from runs.run import Record, Run
from runs.turns import CODE_WAITS, Turns

SAMPLE = DataRef("sample", "sample")


class FakePool:
    """Idle workers that keep what they are sent."""

    def __init__(self, n: int):
        self.workers = [SimpleNamespace(conn=object(), run=None, threads=0) for _ in range(n)]
        self.sent = []

    def send(self, worker, message) -> None:
        self.sent.append(message)


def queued(book: RunBook, workspace: str, code: str | None) -> Record:
    run = Record(Run(book.new_id(), workspace, RunSpec(TrainConfig(), "sample", code), SAMPLE,
                     "sample", 10_000))  # fmt: skip
    book.add(book.workspace(workspace), run)
    return run


def test_code_runs_start_at_most_workers_minus_one_at_once_and_one_per_workspace():
    book, pool = RunBook(), FakePool(3)
    limits = Limits.from_env({"MNIST_LAB_WORKERS": "3", "MNIST_LAB_CORES": "3"})
    turns = Turns(book, pool, SimpleNamespace(keeps=False), limits, None)
    a1, a2, b1, c1 = (queued(book, ws, "def f(): pass") for ws in ("a", "a", "b", "c"))
    plain = queued(book, "d", None)
    turns.dispatch()
    started = {m.run_id for m in pool.sent if isinstance(m, Task)}
    assert started == {a1.id, b1.id, plain.id}
    assert [r.id for r in book.queue] == [a2.id, c1.id]
    assert a2.message == CODE_WAITS and c1.message == CODE_WAITS


def test_one_worker_still_trains_code_runs_one_at_a_time():
    assert policy.code_runs_at_once(1) == 1 and policy.code_runs_at_once(4) == 3
