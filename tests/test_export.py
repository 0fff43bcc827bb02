"""The CSV export of a session's runs."""

import io
from types import SimpleNamespace

import pandas as pd

from mlcore.train import Progress, TrainConfig
from ui.export import REPORT_COLUMNS, SETTINGS, runs_csv


def fake_run(run_id: str, config: TrainConfig, n: int):
    history = [
        Progress(i + 1, 0, 1.0 / (i + 1), 0.5, None if i % 2 else 0.9, 0.1 * i, 0.05)
        for i in range(n)
    ]
    return SimpleNamespace(id=run_id, data_label="sample", config=config, history=history)


def test_the_csv_opens_in_pandas_with_a_row_per_report_and_the_runs_settings():
    runs = [fake_run("a1", TrainConfig(), 3), fake_run("b2", TrainConfig(batch_size=None), 2)]
    table = pd.read_csv(io.StringIO(runs_csv(runs)))
    assert list(table.columns) == ["run", "data", *SETTINGS, *REPORT_COLUMNS]
    assert table["run"].tolist() == ["a1"] * 3 + ["b2"] * 2
    assert table["batch_size"].tolist() == ["64"] * 3 + ["full"] * 2
    assert table["train_loss"].tolist()[:3] == [1.0, 0.5, 1 / 3]
    assert table["learning_rate_now"].tolist() == [0.05] * 5
    assert table["test_accuracy"].isna().tolist() == [False, True, False, False, True]
