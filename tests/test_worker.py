"""A worker process on its own: it goes quietly when the server it serves is gone."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tracemalloc
from multiprocessing.connection import Listener

from mlcore.data import SAMPLE_DIR
from mlcore.train import TrainConfig
from runs.protocol import AUTHKEY_ENV, DataRef, Hello, Report, Started, Task
from runs.scheduler import ROOT

LONG = TrainConfig(hidden_size=16, iterations=1000, batch_size=8)  # minutes of reports


def start_worker(listener: Listener, key: bytes) -> subprocess.Popen:
    env = {**os.environ, AUTHKEY_ENV: key.hex()}
    cmd = [sys.executable, "-m", "runs.worker", str(listener.address)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def test_a_worker_exits_quietly_when_the_server_dies_mid_run():
    key = secrets.token_bytes(32)
    with Listener(authkey=key) as listener:
        proc = start_worker(listener, key)
        conn = listener.accept()
        assert isinstance(conn.recv(), Hello)
        sample = DataRef("sample", str(SAMPLE_DIR))
        conn.send(Task("r1", LONG, sample, None, threads=1))
        assert isinstance(conn.recv(), Started)
        assert isinstance(conn.recv(), Report)  # training: a report after every few batches
        conn.close()  # the server is gone
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_a_worker_whose_server_is_gone_before_it_connects_exits_quietly(tmp_path):
    key = secrets.token_bytes(32)
    env = {**os.environ, AUTHKEY_ENV: key.hex()}
    cmd = [sys.executable, "-m", "runs.worker", str(tmp_path / "no-server")]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_a_worker_lets_raw_pixels_go_once_scaled():
    """Loading holds a split's raw pixels and its float copy, never every array at once
    (full MNIST in float32: a 280 MB peak RSS, was 310 MB against a 300 MB target)."""
    from runs.worker import _load

    sample = DataRef("sample", str(SAMPLE_DIR))
    tracemalloc.start()
    try:
        _, X, y, Xt, yt = _load(sample, "standard", "float32")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raw = X.size + y.size + Xt.size + yt.size  # uint8 pixels and labels, as stored
    # The training set's float copy and every raw array; no room for the test set's float copy
    assert peak < raw + X.nbytes + Xt.nbytes / 2


def test_closing_the_pool_ends_a_worker_still_starting_at_once_not_after_its_grace():
    """A worker not yet connected cannot hear Quit and holds no run: it is terminated (SIGTERM),
    not waited for 3 s and then killed (SIGKILL) -- each test's scheduler paid those seconds."""
    import signal

    from runs.pool import Worker, WorkerPool

    pool = WorkerPool(0)
    starting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pool.workers.append(Worker(starting))
    pool.close()
    assert starting.returncode == -signal.SIGTERM
