"""A SQLite store deleted, replaced or damaged while the app runs, or damaged in its middle
before a start: noticed, said on the page and in the log, a new file filled from memory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from runs.scheduler import Scheduler
from runs.store import Store
from runs.writer import StoreWriter

from .test_run_store import LONG
from .test_scheduler import SAMPLE, SMALL, limits, submit, wait_for, wait_until


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'runs.sqlite'}"


@pytest.fixture
def servers():
    """start(url): a scheduler writing to url, closed after the test."""
    made = []

    def start(where: str) -> Scheduler:
        made.append(Scheduler(limits(), prewarm=SAMPLE, store=StoreWriter(where)))
        return made[-1]

    yield start
    for s in made:
        s.close()


def stored_ids(where: str) -> set[str]:
    """The run ids in the store file at where (opened beside the server's own writer)."""
    store = Store(where)
    try:
        with store.engine.connect() as c:
            return set(c.exec_driver_sql("SELECT id FROM runs").scalars())
    finally:
        store.close()


def path_of(where: str) -> str:
    return where.removeprefix("sqlite:///")


def checkpoint(where: str) -> None:
    """Everything in the main file (the WAL emptied into it), as after a quiet while."""
    engine = sa.create_engine(where)
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def test_a_store_file_deleted_mid_run_is_noticed_and_refilled_from_memory(
    servers,
    url,
    caplog,
):
    s = servers(url)
    done = wait_for(s, submit(s), lambda r: r.status == "finished", what="the small run")
    long = submit(s, LONG)
    wait_for(s, long, lambda r: len(r.history) >= 2, what="two reports")
    assert s.store.flush(10)
    caplog.set_level(logging.ERROR, logger="mnist_lab.store")
    os.remove(path_of(url))
    wait_until(lambda: "was deleted" in (s.store_problem() or ""), 30, "the notice")
    s.store.flush(10)
    s.stop(long.id, "a")
    assert {done.id, long.id} <= stored_ids(url)
    assert "written back" in s.store_problem() and "was deleted" in caplog.text
    again = servers(url)  # a restart reads them back
    assert {done.id, long.id} <= {r.id for r in again.runs_of("a")}


def test_a_store_file_truncated_mid_run_is_moved_aside_and_refilled(
    servers,
    url,
    tmp_path,
):
    s = servers(url)
    first = wait_for(s, submit(s), lambda r: r.status == "finished", what="a run")
    assert s.store.flush(10)
    checkpoint(url)
    s.rename("a", first.id, "first")  # a batch after the checkpoint: the file's size is seen
    assert s.store.flush(10)
    path = path_of(url)
    os.truncate(path, os.path.getsize(path) // 2)
    second = wait_for(s, submit(s, SMALL), lambda r: r.status == "finished", what="a run")
    wait_until(lambda: "was cut short" in (s.store_problem() or ""), 30, "the notice")
    assert s.store.flush(10)
    assert {first.id, second.id} <= stored_ids(url)
    assert list(tmp_path.glob("runs.sqlite.damaged-*"))  # kept, never deleted


def test_random_bytes_in_the_middle_of_the_file_are_found_at_start(url):
    store = Store(url)
    with store.engine.begin() as c:  # pages enough that the middle is data, not the schema
        c.exec_driver_sql("CREATE TABLE filler (x BLOB)")
        for i in range(200):
            c.exec_driver_sql("INSERT INTO filler VALUES (?)", (bytes(2000) + bytes([i]),))
    store.close()
    checkpoint(url)
    path = path_of(url)
    size = os.path.getsize(path)
    assert size > 128 * 1024
    with open(path, "r+b") as f:  # 16 kB of noise mid-file: header and schema page intact
        f.seek(size // 2)
        f.write(np.random.default_rng(0).bytes(16 * 1024))
    again = Store(url)
    try:
        assert "damaged" in again.notice and "moved aside" in again.notice
        with again.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert c.exec_driver_sql("SELECT count(*) FROM runs").scalar() == 0
    finally:
        again.close()
    assert list(Path(path).parent.glob("runs.sqlite.damaged-*"))  # kept, never deleted


def test_hand_ins_of_held_runs_are_written_back_and_the_notice_says_what_is_lost(servers, url):
    s = servers(url)
    done = wait_for(s, submit(s), lambda r: r.status == "finished", what="the small run")
    assert s.hand_in("a", [done.id], "Ada")
    s.save_code("a", "x = 1", {})
    assert s.store.flush(10)
    os.remove(path_of(url))
    wait_until(lambda: "was deleted" in (s.store_problem() or ""), 30, "the notice")
    assert s.store.flush(10)
    notice = s.store_problem()
    assert "1 hand-in" in notice
    for lost in ("code versions", "class settings", "hand-ins made before", "did not hold"):
        assert lost in notice
    assert servers(url).handed_in_ids("a") == {done.id: "Ada"}  # a restart finds it
