"""The store's writer under a class's load: each write has a ticket that is waited for alone,
and a row the database refuses for good is set aside while the rest is saved."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import sqlalchemy as sa

from runs.batch import Batch, Pending
from runs.class_work import ClassWork
from runs.run_log import RunLog
from runs.store import Store
from runs.writer import StoreWriter

from .postgres import new_database
from .test_scheduler import wait_until
from .test_store import row

WS = "w" * 64


class SlowStore(Store):
    """A database that takes 15 ms per batch (the reproduction of issue 24)."""

    def write(self, *args, **kwargs):
        time.sleep(0.015)
        return super().write(*args, **kwargs)


@pytest.fixture
def reporting(tmp_path):
    """A writer on a slow database, given a report every 5 ms until the test ends."""
    w = StoreWriter(f"sqlite:///{tmp_path / 'runs.sqlite'}", opener=SlowStore)
    w.insert(row("busy", "b" * 64))
    done = threading.Event()

    def report():
        seq = 0
        while not done.wait(0.005):
            w.report("busy", seq, {"batch": seq})
            seq += 1

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    yield w
    done.set()
    thread.join()
    w.close()


def test_a_write_is_waited_for_alone_while_reports_keep_coming(reporting):
    w = reporting
    w.insert(row("r1", WS))
    hand = {"run_id": "r1", "workspace": WS, "nickname": "ada", "lesson": None}
    assert w.wait(w.hand_in({**hand, "created": time.time()}), 2.0)
    assert w.store.handed_in_ids(WS) == {"r1": "ada"}
    assert w.wait(w.delete_runs(WS, ["r1"]), 2.0)
    assert w.store.load_workspace(WS) == []
    w.insert(row("r2", WS))
    assert w.wait(w.delete_workspace(WS), 2.0) and w.store.load_workspace(WS) == []
    assert w.flush(2.0)  # everything given so far, though more keeps coming


def test_a_row_refused_for_good_is_set_aside_logged_and_the_rest_saved(store_url, caplog):
    w = StoreWriter(store_url)
    try:
        w.insert(row("r1", WS))
        good = [w.report("r1", i, {"batch": i}) for i in range(3)]
        bad = w.report("gone", 0, {"batch": 0})  # a run that is not there (deleted meanwhile)
        later = w.report("r1", 3, {"batch": 3})
        with caplog.at_level(logging.ERROR, logger="mnist_lab.store"):
            assert w.wait(later, 10) and all(w.wait(t, 0) for t in good)
        assert not w.wait(bad, 0) and w.problem == ""
        assert "refused 1 write(s) (report) for good" in caplog.text
        (found,) = w.store.load_workspace(WS)
        assert [r["batch"] for r in found.reports] == [0, 1, 2, 3]
        w.update("r1", status="finished")  # and saving goes on
        assert w.flush(10) and w.store.load_workspace(WS)[0].row["status"] == "finished"
    finally:
        w.close()


def test_a_value_too_long_for_postgresql_is_set_aside_not_retried_for_ever(postgres_admin):
    w = StoreWriter(new_database(postgres_admin))
    try:
        too_long = w.insert(row("r1", WS, lesson="x" * 65))  # lesson is String(64)
        fine = w.insert(row("r2", WS))
        assert w.wait(fine, 10) and not w.wait(too_long, 0) and w.problem == ""
        assert [f.row["id"] for f in w.store.load_workspace(WS)] == ["r2"]
    finally:
        w.close()


class Renewing(StoreWriter):
    """A writer whose thread renews its store (None, then a new one) right after another
    thread first read the attribute: the race of a reader that reads `store` twice."""

    renew_after_read = False

    @property
    def store(self):
        store = self._store
        if self.renew_after_read and threading.current_thread() is not self._thread:
            self._store = None
        return store

    @store.setter
    def store(self, value):
        self._store = value


def test_a_store_renewed_between_two_reads_is_not_taken_for_the_stores_problem(tmp_path):
    w = Renewing(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    log, classes = RunLog(w, "srv-1"), ClassWork(w)
    assert w.flush(10)
    for read in (lambda: log.read_workspace(WS, first=False), lambda: classes.code_versions(WS),
                 lambda: log.workspace_bytes(WS)):  # fmt: skip
        w.store = w.store or Store(w.url)
        w.renew_after_read = True
        read()
        w.renew_after_read = False
        assert "NoneType" not in w.problem and "NoneType" not in (w._read_failure or "")
    w.store = Store(w.url)
    w.close()


def test_a_failed_read_is_checked_and_said_by_the_writers_thread_only(tmp_path, monkeypatch):
    w = StoreWriter(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    log = RunLog(w, "srv-1")
    assert w.flush(10)
    away = sa.exc.OperationalError("SELECT", {}, Exception("database is locked"))

    def fail(*_):
        raise away

    monkeypatch.setattr(w.store, "load_workspace", fail)
    assert log.read_workspace(WS, first=False) is None
    assert w.problem == ""  # the reader's thread never sets it
    monkeypatch.setattr(w.store, "live_servers", fail)  # the database is away: the writer says so
    wait_until(lambda: "locked" in w.problem, 10, "the writer's check")
    w.close()


def report(ticket: int, seq: int, what: str) -> tuple:
    return ticket, "report", {"run_id": "r1", "seq": seq, "values": {"what": what}}


@pytest.mark.parametrize("outage", [False, True])
def test_a_cut_drops_the_reports_issued_before_it_past_the_cut_also_after_an_outage(
    tmp_path, outage
):
    store = Store(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    store.write(inserts=[row("r1", WS)])
    before, after = Pending(), Pending()
    for item in (report(1, 3, "old"), report(2, 4, "stale"), report(3, 5, "stale")):
        before.add(*item)
    pending = after if outage else before  # outage: the batch before failed and is put back
    pending.add(4, "update", ("r1", {"truncate_reports": 4}))
    pending.add(*report(5, 4, "new"))
    store.write(**Batch.of(before.then(after).items()).parts())
    (kept,) = store.load_workspace(WS)
    assert kept.reports == [{"what": "old"}, {"what": "new"}]
    store.close()
