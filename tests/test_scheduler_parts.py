"""The scheduler's parts without worker processes: the run as a value, its record."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import worker
from runs.book import Workspace as Session
from runs.protocol import DataRef, Pause, Quit, Stop
from runs.run import Record, Run
from runs.workspaces import alive, reap

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


def reap_at(sessions, ask, now):
    return reap(sessions, ask, now, grace=3.0, keep=60.0)


def test_a_closed_tab_stops_its_runs_after_the_grace_and_is_forgotten_after_the_keep():
    sessions, connected = {"a": Session(), "b": Session()}, {"a": True, "b": True}
    assert reap_at(sessions, connected.get, 0.0) == ([], [])
    connected["a"] = False
    assert reap_at(sessions, connected.get, 10.0) == ([], [])  # gone since 10
    assert reap_at(sessions, connected.get, 12.5) == ([], [])  # within the grace
    assert reap_at(sessions, connected.get, 13.0) == (["a"], [])
    assert reap_at(sessions, connected.get, 72.5) == (["a"], [])  # kept: a locked phone
    assert reap_at(sessions, connected.get, 73.0) == (["a"], ["a"])


def test_a_tab_that_comes_back_within_the_grace_keeps_its_runs():
    sessions, connected = {"a": Session()}, {"a": True}
    reap_at(sessions, connected.get, 0.0)
    connected["a"] = False
    reap_at(sessions, connected.get, 1.0)
    connected["a"] = True
    assert reap_at(sessions, connected.get, 2.0) == ([], [])
    connected["a"] = False
    assert reap_at(sessions, connected.get, 4.5) == ([], [])  # the grace counts afresh
    assert reap_at(sessions, connected.get, 7.5) == (["a"], [])


def test_a_session_nobody_can_answer_for_or_never_seen_connected_is_kept():
    sessions = {"a": Session(), "b": Session()}
    assert reap_at(sessions, {"b": False}.get, 1e9) == ([], [])  # a: None; b: never seen


def test_a_workspace_is_connected_while_any_of_its_tabs_is_and_drops_closed_ones():
    s = Session(tabs={"t1", "t2", "t3"})
    answers = {"t1": True, "t2": False, "t3": None}
    assert alive("ws", s, answers.get) is True and s.tabs == {"t1", "t3"}
    assert alive("ws", Session(tabs={"t2"}), answers.get) is False
    assert alive("ws", Session(tabs={"t3"}), answers.get) is None
    assert alive("ws", Session(), {"ws": True}.get) is True  # no tabs attached: asks for itself


def test_a_liveness_check_that_raises_stops_nobody_and_is_asked_again():
    # seen in a test process: a Streamlit Runtime half built raised AttributeError in the
    # control thread, which ended it, and no run of the process trained again
    sessions, broken = {"a": Session()}, True

    def ask(tab):
        if broken:
            raise AttributeError("'Runtime' object has no attribute '_session_mgr'")
        return False

    assert reap_at(sessions, lambda t: True, 0.0) == ([], [])  # seen connected
    assert reap_at(sessions, ask, 10.0) == ([], [])  # unknown: not gone
    broken = False
    assert reap_at(sessions, ask, 11.0) == ([], [])  # gone since 11
    assert reap_at(sessions, ask, 14.0) == (["a"], [])


def test_a_new_run_id_never_reads_as_a_number(monkeypatch):
    """A CSV reader took the run 25e643879181 for inf and 012345678901 for 12345678901."""
    import uuid

    from runs import book

    drawn = iter(["25e643879181", "012345678901", "0a1b2c3d4e5f"])
    monkeypatch.setattr(book.uuid, "uuid4", lambda: uuid.UUID(next(drawn) + "0" * 20))
    assert book.RunBook().new_id() == "0a1b2c3d4e5f"
