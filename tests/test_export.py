"""The CSV export of a session's runs."""

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from mlcore.train import Progress, TrainConfig
from ui.export import REPORT_COLUMNS, SETTINGS, runs_csv, runs_zip

from .conftest import require_mnist_dir
from .test_pages import current_run, open_train_link, wait_for_run


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


def test_settings_json_keeps_numbers_as_numbers():
    run = SimpleNamespace(**vars(fake_run("a1", TrainConfig(batch_size=None), 2)), kind="train",
                          status="finished", message="", usable=False, latest_test_accuracy=0.9,
                          name="")  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(runs_zip([run]))) as z:
        kept = json.loads(z.read("run-a1/settings.json"))
        readme = z.read("README.txt").decode()
    settings = kept["settings"]
    assert settings["learning_rate"] == 0.05 and settings["hidden_size"] == 200
    assert settings["batch_size"] is None and settings["momentum"] == 0.9
    assert kept["link"]["batch_size"] == "full"  # and as the address bar spells them
    assert "scaling (2,)" in readme and "[offset, divisor]" in readme
    assert "run-<id>/settings.json" in readme and "runs.csv" in readme


def test_the_readmes_numpy_example_reproduces_the_models_test_accuracy(tmp_path, full_mnist):
    """Five lines of plain NumPy after the import, run as a student would, print the test
    accuracy the app measured for the run."""
    at = open_train_link(hidden_size="10", batch_size="1024", iterations="1")
    at.button(key="start").click().run()
    wait_for_run(at)
    run = current_run(at)
    with zipfile.ZipFile(io.BytesIO(runs_zip([run]))) as z:
        z.extractall(tmp_path)
    readme = (tmp_path / "README.txt").read_text()
    example = readme.split("Then, in Python")[1].split("):\n\n", 1)[1].split("\n\n")[0]
    assert example.startswith("import gzip, numpy as np\n") and example.count("\n") == 5
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(Path(require_mnist_dir()) / name, tmp_path / name)
    out = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    stated = f"{100 * run.latest_test_accuracy:.2f}%"
    assert out.stdout.strip() == stated and f"It prints {stated}" in readme
