"""The scheduler with its store: a restart loses nothing that was reported, and a run
interrupted by it continues exactly as the uninterrupted run would have."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import zipfile
from dataclasses import asdict, replace

import numpy as np
import pandas as pd
import pytest

from mlcore.checkpoint import progress_to_dict
from mlcore.model import load_model
from mlcore.train import TrainConfig
from runs.scheduler import LimitError, Scheduler
from runs.store import Store
from runs.writer import StoreWriter
from ui.export import runs_csv, runs_zip

from .test_scheduler import SAMPLE, limits, submit, wait_for, wait_until

LONG = TrainConfig(hidden_size=16, iterations=12, batch_size=100)  # 100 batches a pass


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'runs.sqlite'}"


@pytest.fixture
def servers():
    made = []

    def start(url: str, **changes) -> Scheduler:
        s = Scheduler(limits(**changes), prewarm=SAMPLE, store=StoreWriter(url))
        made.append(s)
        return s

    yield start
    for s in made:
        s.close()


def comparable(history):
    """What a run computed (diagnostics are left out: their sums' order follows the threads)."""
    keep = ("iteration", "steps", "train_loss", "train_accuracy", "test_accuracy", "done")
    return [{k: v for k, v in asdict(p).items() if k in keep} for p in history]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP freezes a process on POSIX only")
@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_run_interrupted_by_a_restart_continues_exactly_from_its_last_saved_state(
    servers, url, how
):
    first = servers(url, checkpoint_seconds=0.0)  # a state at every report
    run = submit(first, LONG, session="ws")
    run = wait_for(first, run, lambda run: len(run.history) >= 12, what="a dozen reports")
    worker = next(w.proc.pid for w in first._pool.workers if w.run and w.run.id == run.id)
    os.kill(worker, signal.SIGSTOP)  # still training when the server goes, however fast
    if how == "killed":  # the server dies: it writes nothing more, not even "interrupted"
        writer, first.store = first.store, None
        writer.flush()  # what it had sent before it died
        writer.close()
    first.close()
    saved = _state_at(url, run.id)
    if how == "killed":
        (seen,) = servers(url).runs_of("ws")  # its heartbeat is fresh: it may be training
        assert seen.status == "elsewhere" and not seen.continuable and not seen.active
        _last_heartbeat_long_ago(url, first.server_id)
    else:  # reports past the last saved state (sent between two states): shown, then redone
        _add_reports(url, run.id, saved, [progress_to_dict(p) for p in run.history[:2]])

    second = servers(url)
    (back,) = second.runs_of("ws")
    assert back.status == "interrupted" and "interrupted by a server restart at" in back.message
    if how == "stopped":  # nothing reported is lost, past the saved state included
        assert len(back.history) == saved + 2
    else:  # a report may have reached the store without the state sent after it
        assert len(back.history) >= saved
    assert back.snapshot is not None and back.continuable and back.model() is not None
    second.resume(back.id, back.workspace)
    back = wait_for(second, back, lambda back: not back.active, what="the continued run")
    assert back.status == "finished", back.message
    whole = submit(second, LONG, session="reference")  # the same run, never interrupted
    whole = wait_for(second, whole, lambda whole: not whole.active, what="the reference run")
    assert comparable(back.history) == comparable(whole.history)
    np.testing.assert_array_equal(back.snapshot.w1, whole.snapshot.w1)


def test_every_report_and_the_final_model_are_in_the_store_after_the_run(
    servers, url, sample_mnist
):
    s = servers(url)
    run = submit(s, replace(LONG, iterations=1), session="ws")
    run = wait_for(s, run, lambda run: not run.active, what="the run")
    s.store.flush()
    (found,) = Store(url).load_workspace("ws")
    assert found.row["status"] == "finished" and len(found.reports) == len(run.history)
    assert found.reports[-1]["test_accuracy"] == run.latest_test_accuracy
    reread = servers(url)
    (back,) = reread.runs_of("ws")
    assert back.status == "finished" and comparable(back.history) == comparable(run.history)
    np.testing.assert_array_equal(back.model().params.w2, run.model().params.w2)


def test_a_workspaces_runs_are_not_anothers(servers, url):
    s = servers(url)
    run = submit(s, replace(LONG, iterations=1), session="mine")
    run = wait_for(s, run, lambda run: not run.active, what="the run")
    s.store.flush()
    other = servers(url)
    assert other.runs_of("someone else") == [] and len(other.runs_of("mine")) == 1
    assert other.delete("someone else", [run.id]) == 0 and len(other.runs_of("mine")) == 1


def test_deleted_runs_and_forgotten_work_are_gone_after_a_restart(servers, url):
    s = servers(url)
    runs = [submit(s, replace(LONG, iterations=1, seed=i), session="ws") for i in range(2)]
    wait_until(lambda: not any(s.get(r.id).active for r in runs), what="the runs")
    assert s.delete("ws", [runs[0].id]) == 1
    assert [r.id for r in servers(url).runs_of("ws")] == [runs[1].id]
    s.forget_workspace("ws")
    assert servers(url).runs_of("ws") == []


def test_a_workspace_over_its_quota_is_refused_saying_what_to_delete(servers, url):
    s = servers(url, workspace_bytes=1)
    run = submit(s, replace(LONG, iterations=1), session="ws")
    run = wait_for(s, run, lambda run: not run.active, what="the run")
    s.store.flush()
    with pytest.raises(LimitError, match=r"your saved work takes .* MB.*delete runs"):
        submit(s, session="ws")
    submit(s, session="another workspace")  # each workspace has its own quota


def test_the_csv_has_a_row_per_report_and_the_zip_holds_loadable_models(servers, url):
    s = servers(url)
    runs = [submit(s, replace(LONG, iterations=1, seed=i), session="ws") for i in range(2)]
    wait_until(lambda: not any(s.get(r.id).active for r in runs), what="the runs")
    mine = s.runs_of("ws")
    table = pd.read_csv(io.StringIO(runs_csv(mine)))
    assert len(table) == sum(len(r.history) for r in mine) > 10
    with zipfile.ZipFile(io.BytesIO(runs_zip(mine))) as z:
        names = set(z.namelist())
        assert "runs.csv" in names
        for r in mine:
            model = load_model(io.BytesIO(z.read(f"run-{r.id}/model.npz")))
            assert model.params.hidden_size == 16
            assert f"run-{r.id}/settings.json" in names


def _last_heartbeat_long_ago(url: str, server_id: str) -> None:
    """As if server_id had been gone for a minute (no heartbeat within SERVER_TIMEOUT)."""
    import sqlalchemy as sa

    from runs import store

    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.update(store.servers).where(store.servers.c.id == server_id).values(seen=0))
    engine.dispose()


def test_a_finished_run_continued_keeps_its_new_length_after_a_restart(servers, url):
    s = servers(url)
    run = submit(s, replace(LONG, iterations=1), session="ws")
    run = wait_for(s, run, lambda run: not run.active, what="the run")
    s.resume(run.id, run.workspace)  # Continue after the end: as long again
    run = wait_for(s, run, lambda run: not run.active, what="the continued run")
    assert run.status == "finished" and run.history[-1].iteration == 2
    s.store.flush()
    (back,) = servers(url).runs_of("ws")
    assert back.config.iterations == 2 and back.history[-1].iteration == 2
    other = servers(url)
    (again,) = other.runs_of("ws")
    other.resume(again.id, again.workspace)
    again = wait_for(
        other, again, lambda again: not again.active, what="the run continued after the restart"
    )
    assert again.status == "finished" and again.history[-1].iteration == 4


def _state_at(url: str, run_id: str) -> int:
    """The reports the run's saved state covers, as the store has it."""
    import sqlalchemy as sa

    from runs import store

    engine = sa.create_engine(url)
    with engine.connect() as c:
        found = c.execute(sa.select(store.runs.c.state_at).where(store.runs.c.id == run_id))
        at = found.scalar() or 0
    engine.dispose()
    return at


def _add_reports(url: str, run_id: str, first_seq: int, values: list[dict]) -> None:
    rows = [
        {"run_id": run_id, "seq": first_seq + i, "values": json.dumps(v)}
        for i, v in enumerate(values)
    ]
    store = Store(url)
    store.write([], rows, {})
    store.close()
