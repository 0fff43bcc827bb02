"""A run "elsewhere" (active under another server id) is checked again while tabs ask: once
that server's heartbeat is stale it is interrupted here and can be continued. A server's
previous incarnation (the same name, restarted) is not another server. Fake clock and
heartbeats written by the test: nothing waits for a real server to die."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from mlcore.checkpoint import state_to_bytes
from mlcore.train import TrainConfig, new_state
from runs import incarnation
from runs.scheduler import Scheduler
from runs.store import SERVER_TIMEOUT, Store, servers
from runs.workspaces import RECHECK_SECONDS
from runs.writer import StoreWriter

from .test_scheduler import FOREVER, SAMPLE, FakeClock, limits, submit, wait_for
from .test_store import row

WS = "w" * 64
CONFIG = TrainConfig(hidden_size=8, iterations=1000, batch_size=100)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'runs.sqlite'}"


@pytest.fixture
def started():
    made = []

    def start(url: str, name: str | None = None) -> Scheduler:
        made.append(Scheduler(limits(workers=1), SAMPLE, StoreWriter(url), name=name))
        return made[-1]

    yield start
    for s in made:
        s.close()


def training_elsewhere(url: str, other: str) -> None:
    """A run that server `other` trains (with a saved state), its heartbeat fresh."""
    store = Store(url)
    spec = json.dumps({"config": CONFIG.as_dict(), "data": "sample"})
    state = state_to_bytes(new_state(CONFIG))
    values = row("r1", WS, status="running", server=other, spec=spec, n_train=10_000,
                 data_kind="sample", data_location=SAMPLE.location)  # fmt: skip
    store.write([values], [], {"r1": {"state": state}}, heartbeat=other)
    store.close()


def heartbeat_at(url: str, server_id: str, seen: float) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.update(servers).where(servers.c.id == server_id).values(seen=seen))
    engine.dispose()


def test_a_run_elsewhere_is_interrupted_here_once_its_servers_heartbeat_is_stale(url, started):
    other = incarnation.new_server_id("another host:8501")
    training_elsewhere(url, other)
    s = started(url)
    s.clock = clock = FakeClock()
    (run,) = s.runs_of(WS)
    assert run.status == "elsewhere" and not run.continuable
    heartbeat_at(url, other, time.time() - SERVER_TIMEOUT - 1)  # that server died
    assert s.runs_of(WS)[0].status == "elsewhere"  # read again only every few seconds
    clock.now += RECHECK_SECONDS
    (run,) = s.runs_of(WS)  # the tab asks again (its page polls): no reload needed
    assert run.status == "interrupted" and run.continuable
    s.resume(run.id, WS)  # Continue works here
    assert s.get(run.id).active
    s.stop(run.id, WS)


def test_a_run_elsewhere_on_a_live_server_stays_elsewhere_and_cannot_be_continued(url, started):
    other = incarnation.new_server_id("another host:8501")
    training_elsewhere(url, other)
    s = started(url)
    s.clock = clock = FakeClock()
    s.runs_of(WS)
    heartbeat_at(url, other, time.time())  # alive
    clock.now += RECHECK_SECONDS
    (run,) = s.runs_of(WS)
    s.resume(run.id, WS)
    assert run.status == "elsewhere" and s.get(run.id).status == "elsewhere"


def test_a_restarted_server_marks_what_it_was_training_interrupted(url, started):
    crashed = started(url, name="this host:8501")
    run = submit(crashed, FOREVER, session=WS)
    wait_for(crashed, run, lambda r: len(r.history) > 0, what="a report")
    assert crashed.store.flush(10)
    restarted = started(url, name="this host:8501")  # its predecessor's heartbeat is fresh
    assert restarted.store.flush(10)
    (back,) = restarted.runs_of(WS)
    assert back.status == "interrupted" and "server restart" in back.message
    check = Store(url)
    (found,) = check.load_workspace(WS)  # the store says so too (the class view reads it)
    check.close()
    assert found.row["status"] == "interrupted"


def test_server_ids_tell_a_restart_from_another_server():
    me = incarnation.new_server_id("host:8501")
    before = incarnation.new_server_id("host:8501")
    other = incarnation.new_server_id("host:8502")
    assert incarnation.earlier_self(before, me) and not incarnation.earlier_self(other, me)
    assert incarnation.where_active(before, me, {before, other}) == "interrupted"
    assert incarnation.where_active(other, me, {before, other}) == "elsewhere"
    assert incarnation.where_active(other, me, set()) == "interrupted"
    assert incarnation.where_active(me, me, set()) == "here"
    assert len(me) <= 32 and not incarnation.earlier_self(incarnation.new_server_id(None), me)
