"""The run store against SQLite and PostgreSQL: one code path, the same tests on both."""

from __future__ import annotations

import json
import sqlite3
import time

import numpy as np
import pytest
import sqlalchemy as sa

from mlcore.checkpoint import progress_to_dict, state_to_bytes
from mlcore.train import Progress, TrainConfig, new_state
from runs import store as store_module
from runs.store import Store, StoreError
from runs.writer import StoreWriter

from .postgres import new_database, postgres_cluster


@pytest.fixture
def opened():
    """Store(url), disposed of after the test (PostgreSQL warns about connections left open)."""
    made = []

    def open_store(url: str) -> Store:
        made.append(Store(url))
        return made[-1]

    yield open_store
    for s in made:
        s.close()


def row(run_id="r1", workspace="w" * 64, status="running", **more) -> dict:
    spec = {"config": TrainConfig(hidden_size=8).as_dict(), "data": "sample"}
    values = {
        "id": run_id,
        "workspace": workspace,
        "kind": "train",
        "spec": json.dumps(spec),
        "data_kind": "sample",
        "data_location": "/nowhere",
        "data_label": "sample",
        "n_train": 100,
        "status": status,
        "message": "",
        "server": "s1",
        "created": time.time(),
        "updated": time.time(),
        "state_at": 0,
    }
    return values | more


def report(i: int) -> dict:
    p = Progress(i / 10, i, float("nan") if i == 3 else 1.0 / (i + 1), 0.5, None, 0.1 * i, 0.05)
    return {"run_id": "r1", "seq": i, "values": json.dumps(progress_to_dict(p))}


def test_runs_reports_and_state_round_trip_in_order(store_url, opened):
    s = opened(store_url)
    state = new_state(TrainConfig(hidden_size=8))
    s.write([row()], [report(i) for i in range(5)], {"r1": {"state": state_to_bytes(state)}})
    (found,) = s.load_workspace("w" * 64)
    assert found.row["id"] == "r1" and found.row["status"] == "running"
    assert [r["batch"] for r in found.reports] == [0, 1, 2, 3, 4]
    assert found.reports[3]["train_loss"] == "nan"  # JSON has no nan: kept as text
    assert bytes(found.row["state"]) == state_to_bytes(state)


def test_a_retried_batch_writes_each_report_once(store_url, opened):
    s = opened(store_url)
    s.write([row()], [report(0), report(1)], {})
    s.write([row()], [report(1), report(2)], {})  # the writer tries a failed batch again
    (found,) = s.load_workspace("w" * 64)
    assert [r["batch"] for r in found.reports] == [0, 1, 2]


def test_a_workspace_sees_only_its_own_runs_and_deletes_only_them(store_url, opened):
    s = opened(store_url)
    s.write([row("a1", "a" * 64), row("b1", "b" * 64)], [], {})
    assert [r.row["id"] for r in s.load_workspace("a" * 64)] == ["a1"]
    s.delete_runs("a" * 64, ["b1"])  # someone else's id: nothing happens
    assert [r.row["id"] for r in s.load_workspace("b" * 64)] == ["b1"]
    s.delete_workspace("a" * 64)
    assert s.load_workspace("a" * 64) == [] and len(s.load_workspace("b" * 64)) == 1


def test_workspace_bytes_count_states_and_reports(store_url, opened):
    s = opened(store_url)
    blob = bytes(1000)
    s.write([row()], [report(0)], {"r1": {"state": blob, "weights": blob}})
    assert s.workspace_bytes("w" * 64) == 2 * len(blob) + len(report(0)["values"])
    assert s.workspace_bytes("x" * 64) == 0


def test_workspaces_unused_for_their_keep_are_deleted(store_url, opened):
    s = opened(store_url)
    s.touch_workspace("old", now=time.time() - 10 * 86400)
    s.touch_workspace("new")
    s.write([row("o1", "old"), row("n1", "new")], [], {})
    assert s.forget_older_than(7) == 1
    assert s.load_workspace("old") == [] and len(s.load_workspace("new")) == 1


def test_a_server_counts_as_live_while_its_heartbeat_is_fresh(store_url, opened):
    s = opened(store_url)
    s.write([], [], {}, heartbeat="server-a")
    assert s.live_servers(within=30) == {"server-a"}
    assert s.live_servers(within=-1) == set()  # as if 30 s had passed without a beat


def test_many_reports_are_written_in_chunks_the_database_accepts(store_url, opened):
    s = opened(store_url)
    many = [{"run_id": "r1", "seq": i, "values": "{}"} for i in range(40_000)]
    s.write([row()], many, {})  # PostgreSQL takes at most 65,535 parameters a statement
    s.write([], many[-5:], {"r1": {"truncate_reports": 39_998}})
    (found,) = s.load_workspace("w" * 64)
    assert len(found.reports) == 40_000


def test_a_store_of_a_newer_version_is_refused_by_name(store_url, opened):
    opened(store_url)
    engine = sa.create_engine(store_url)
    with engine.begin() as c:
        c.execute(sa.update(store_module.meta).values(value="99"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer version"):
        opened(store_url)


def test_a_damaged_sqlite_file_is_moved_aside_never_deleted(tmp_path, opened):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    s = opened(f"sqlite:///{path}")
    aside = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert aside[0].name in s.notice and "moved aside" in s.notice
    s.write([row()], [], {})
    assert len(s.load_workspace("w" * 64)) == 1


def test_a_data_folder_that_cannot_be_made_is_said_in_plain_words(tmp_path, opened):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        opened(f"sqlite:///{blocker / 'sub' / 'runs.sqlite'}")


def test_not_a_database_url_is_named():
    with pytest.raises(StoreError, match="MNIST_LAB_STORE='nonsense' is not a database URL"):
        Store("nonsense")


def test_writer_keeps_work_while_the_disk_is_full_then_saves_it(tmp_path):
    def full(c, _):  # SQLite's own limit: writes past it fail as on a full disk
        pages = c.execute("PRAGMA page_count").fetchone()[0]
        c.execute(f"PRAGMA max_page_count = {pages}")

    engine = {}

    def fault(path):
        engine["e"] = writer.store.engine
        sa.event.listen(engine["e"], "connect", full)
        engine["e"].dispose()

    def mend(path):
        sa.event.remove(engine["e"], "connect", full)
        engine["e"].dispose()

    writer = StoreWriter(f"sqlite:///{tmp_path / 'runs.sqlite'}")
    _writer_survives_a_fault(tmp_path, fault, mend, writer=writer, big=True)


def test_writer_keeps_work_while_the_database_is_locked_then_saves_it(tmp_path):
    holder = {}

    def lock(path):
        holder["c"] = sqlite3.connect(path, timeout=0)
        holder["c"].execute("BEGIN EXCLUSIVE")

    def unlock(path):
        holder["c"].rollback()
        holder["c"].close()

    _writer_survives_a_fault(tmp_path, lock, unlock, busy_ms=200)


def _writer_survives_a_fault(tmp_path, fault, mend, busy_ms=None, writer=None, big=False):
    path = tmp_path / "runs.sqlite"
    url = f"sqlite:///{path}"
    w = writer or StoreWriter(url)
    if busy_ms is not None:  # wait less than the app's 5 s for a locked file
        sa.event.listen(
            w.store.engine, "connect", lambda c, _: c.execute(f"PRAGMA busy_timeout = {busy_ms}")
        )
        w.store.engine.dispose()
    w.insert(row())
    assert w.flush(10)
    fault(path)
    w.report("r1", 0, {"batch": 0})
    w.update("r1", status="finished", state=bytes(200_000) if big else None)
    assert not w.flush(3) and "not being saved" not in w.problem and w.problem
    mend(path)
    assert w.flush(40), w.problem
    assert w.problem == ""
    check = Store(url)
    (found,) = check.load_workspace("w" * 64)
    check.close()
    assert found.row["status"] == "finished" and found.reports == [{"batch": 0}]
    w.close()


def test_writer_says_why_when_the_store_cannot_open_and_keeps_the_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    w = StoreWriter(f"sqlite:///{blocker / 'runs.sqlite'}")
    assert "cannot create the data folder" in w.problem
    w.insert(row())
    assert not w.flush(1.5)
    w.close(timeout=0.5)


def test_states_are_stored_without_pickle():
    """A shared database must not be able to run code in an app server: no pickled bytes."""
    state = new_state(TrainConfig(hidden_size=4))
    blob = state_to_bytes(state)
    with np.load(__import__("io").BytesIO(blob), allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


def test_writer_keeps_work_while_postgresql_is_down_then_saves_it():
    with postgres_cluster() as cluster:
        url = new_database(cluster.url)
        w = StoreWriter(url)
        w.insert(row())
        assert w.flush(10)
        cluster.stop()
        w.report("r1", 0, {"batch": 0})
        w.update("r1", status="finished")
        assert not w.flush(3) and w.problem  # said, kept
        cluster.start()
        assert w.flush(40), w.problem
        assert w.problem == ""
        check = Store(url)
        (found,) = check.load_workspace("w" * 64)
        check.close()
        w.close()
    assert found.row["status"] == "finished" and found.reports == [{"batch": 0}]


def test_only_a_workspaces_own_runs_can_be_handed_in_under_it(store_url, opened):
    s = opened(store_url)
    s.write([row("a1", "a" * 64), row("b1", "b" * 64)], [], {})
    hand = {"nickname": "ada", "lesson": None, "created": time.time()}
    s.write([], [], {}, [{"run_id": "b1", "workspace": "a" * 64, **hand}])  # not a's run
    s.write([], [], {}, [{"run_id": "a1", "workspace": "a" * 64, **hand}])
    assert [r.row["id"] for r in s.handed_in()] == ["a1"]
    assert s.handed_in_ids("a" * 64) == {"a1": "ada"} and s.handed_in_ids("b" * 64) == {}


def test_class_settings_are_shared_through_the_store(store_url, opened):
    s = opened(store_url)
    assert s.setting("challenge") is None
    s.set_setting("challenge", {"max_hidden": 50})
    s.set_setting("challenge", {"max_hidden": 20})
    assert opened(store_url).setting("challenge") == {"max_hidden": 20}
