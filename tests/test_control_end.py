"""The control loop's handling of a run's last messages, without worker processes: the
messages a worker sends are made by training for real in this process."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from mlcore.loop import new_state, train
from mlcore.scaling import Scaling
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.book import RunBook
from runs.control import Control
from runs.limits import Limits
from runs.protocol import DataRef, End, Report, Started
from runs.run import Record, Run
from runs.run_log import RunLog
from runs.turns import Turns
from runs.workspaces import Workspaces

CONFIG = TrainConfig(hidden_size=8, iterations=6, batch_size=None)


def control_with_a_run(tmp_path) -> tuple[Control, Record, SimpleNamespace]:
    book, log = RunBook(), RunLog(None, "server")
    spaces = Workspaces(book, log, str(tmp_path))
    pool = SimpleNamespace(workers=[])
    control = Control(Turns(book, pool, log, Limits.from_env({}), spaces), spaces)
    record = Record(Run("r1", "a", RunSpec(CONFIG, "sample"), DataRef("sample", "x"), "x", 60))
    book.runs[record.id] = record
    record.set(status="running", stopping=True)  # the user pressed Stop
    worker = SimpleNamespace(run=record)
    control._handle(worker, Started(record.id, Scaling("unit", 0.0, 255.0)))
    return control, record, worker


def test_a_run_stopped_between_snapshots_offers_the_weights_of_its_last_report(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 784), dtype=np.float32), rng.integers(0, 10, 40)
    state = new_state(CONFIG)
    control, record, worker = control_with_a_run(tmp_path)
    for i, report in zip(range(4), train(CONFIG, state, X, y, X, y), strict=False):
        snapshot = state.params.copy() if i == 0 else None  # the first report's only
        control._handle(worker, Report(record.id, report, snapshot))
    control._handle(worker, End(record.id, "stopped", "stopped by you", state))
    view = record.view
    assert view.status == "stopped" and view.snapshot_at == len(view.history) == 4
    assert view.model().info.test_accuracy == view.latest_test_accuracy
    assert np.array_equal(view.snapshot.w2, state.params.w2)


def test_a_run_stopped_before_its_first_report_offers_no_model(tmp_path):
    control, record, worker = control_with_a_run(tmp_path)
    control._handle(worker, End(record.id, "stopped", "stopped by you", new_state(CONFIG)))
    assert record.view.status == "stopped" and record.view.model() is None
