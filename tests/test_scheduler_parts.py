"""The scheduler's parts without worker processes: the run as a value, its record."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import worker
from runs.protocol import DataRef, Pause, Quit, Stop
from runs.run import Record, Run

SAMPLE = DataRef("sample", "sample")


def new_record() -> Record:
    return Record(Run("r1", "a", RunSpec(TrainConfig(), "sample"), SAMPLE, "sample", 10_000))


def test_a_record_change_replaces_its_view_whole_and_leaves_the_old_one_as_it_was():
    record = new_record()
    before = record.view
    record.set(status="running", message="")
    record.history = (*record.history, "report")
    record.asked_to_end = 1.0  # the scheduler's own field: not in the view
    assert before.status == "waiting" and before.history == ()
    assert record.view.status == "running" and record.view.history == ("report",)
    assert record.view is not before and not hasattr(record.view, "asked_to_end")


def test_a_run_view_cannot_be_changed_by_a_page():
    view = new_record().view
    with pytest.raises(FrozenInstanceError):
        view.status = "failed"


class FakeConnection:
    """Messages waiting for a worker, as multiprocessing's Connection gives them."""

    def __init__(self, *messages):
        self.messages = list(messages)

    def poll(self) -> bool:
        return bool(self.messages)

    def recv(self):
        return self.messages.pop(0)


def test_a_worker_reads_typed_commands_between_reports_a_stop_beating_a_pause():
    stopped, paused = ("stopped", "stopped by you"), ("paused", "paused: another run's turn")
    assert worker._poll(FakeConnection(Pause("r"), Stop("r"))) == stopped
    assert worker._poll(FakeConnection(Stop("r"), Pause("r"))) == stopped
    assert worker._poll(FakeConnection(Pause("r"))) == paused
    assert worker._poll(FakeConnection()) is None
    with pytest.raises(SystemExit):
        worker._poll(FakeConnection(Quit()))
