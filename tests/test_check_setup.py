"""`python -m runs.check_setup` says what a server will log at start, before it starts."""

from __future__ import annotations

import os
import subprocess
import sys

from mlcore.data import SAMPLE_DIR

from .conftest import ROOT


def check_setup(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runs.check_setup"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_usable_store_and_data_print_both_start_up_lines_and_succeed(tmp_path):
    done = check_setup(MNIST_LAB_STORE=f"sqlite:///{tmp_path / 'runs.sqlite'}",
                       MNIST_DIR=str(SAMPLE_DIR))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    store, data = done.stdout.splitlines()
    assert store.startswith("store: sqlite at ") and store.endswith(", ok")
    assert data.startswith("data: Bundled sample of MNIST, 10,000 training / 2,000 test images")
    assert "fingerprint " in data


def test_a_store_that_cannot_be_reached_fails_with_what_to_do(tmp_path):
    done = check_setup(MNIST_LAB_STORE="postgresql+psycopg://lab:pw@127.0.0.1:1/mnist_lab",
                       MNIST_DIR=str(SAMPLE_DIR))  # fmt: skip
    assert done.returncode == 1
    assert "store: postgresql at 127.0.0.1:1/mnist_lab, FAILED" in done.stdout
    assert "is PostgreSQL running" in done.stdout


def test_a_data_folder_without_the_files_is_named(tmp_path):
    done = check_setup(MNIST_LAB_STORE=f"sqlite:///{tmp_path / 'runs.sqlite'}",
                       MNIST_DIR=str(tmp_path))  # fmt: skip
    assert done.returncode == 1
    assert f"data: FAILED: {tmp_path} does not hold the four MNIST files" in done.stdout
