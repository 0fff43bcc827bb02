"""What a code run's sandbox sends is held to what mlcore.lab_train sends (runs.code_stream):
forged or flooding reports end the run "failed" with a sentence, Stop and the byte budget hold
however fast lines come, and every report a real run makes fits the report schedule."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from mlcore.progress import Progress
from mlcore.train import TrainConfig
from runs import code_stream, code_task, sandbox
from runs.protocol import End, Report, Stop, Task
from runs.worker import DataCache
from tests.test_code_runs import (  # noqa: F401
    SAMPLE,
    SHORT,
    STUDENT,
    history,
    sample_data,
    sample_mnist_module,
)

FOREVER = TrainConfig(hidden_size=16, iterations=1000, batch_size=8, learning_rate=0.5)
FORGED_FLOOD = """
import json, os
r = {"type": "report", "progress": {"iteration": 1e300, "batch": 0, "train_loss": float("nan"),
     "train_accuracy": 1.0, "test_accuracy": None, "elapsed": 0.1, "learning_rate": 0.5,
     "done": False, "reason": ""}}
line = (json.dumps(r) + "\\n").encode() * 50
while True:
    os.write(3, line)
"""
USAGE_FLOOD = """
import os
line = b'{"type": "usage", "cpu_seconds": 1.0}\\n' * 100
while True:
    os.write(3, line)
"""


class Conn:
    """A worker's connection: keeps what is sent; says Stop once stop_after polls passed."""

    def __init__(self, stop_after: int | None = None):
        self.sent, self.polls, self.stop_after = [], 0, stop_after

    def send(self, message) -> None:
        self.sent.append(message)

    def poll(self) -> bool:
        self.polls += 1
        return self.stop_after is not None and self.polls > self.stop_after

    def recv(self):
        self.stop_after = None
        return Stop("r")


def run(code: str, conn: Conn, timeout: float = 60.0) -> End:
    """run_code_task in a thread; its End, which must come within timeout seconds."""
    task = Task("r", FOREVER, SAMPLE, None, 1, code=code, unsandboxed_ok=True)
    thread = threading.Thread(target=code_task.run_code_task, args=(conn, task, DataCache()))
    thread.daemon = True
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the code run did not end"
    return conn.sent[-1]


def test_forged_reports_end_the_run_failed_at_once_with_a_sentence():
    conn = Conn()
    end = run(FORGED_FLOOD + STUDENT, conn)
    assert end.outcome == "failed" and end.message == code_task.NOT_A_REPORT
    assert not [m for m in conn.sent if isinstance(m, Report)]


def test_stop_is_obeyed_while_the_code_floods_lines():
    end = run(USAGE_FLOOD + STUDENT, Conn(stop_after=3))
    assert end.outcome == "stopped" and code_task.CANNOT_CONTINUE in end.message


def test_output_past_the_byte_budget_ends_the_process_with_a_sentence():
    flood = 'while True: print(\'{"type": "usage", "cpu_seconds": 1.0}\')'
    proc = subprocess.Popen([sys.executable, "-c", flood], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    limits = replace(sandbox.TRAIN_LIMITS, output=2**20)
    try:
        outcome, message = code_task.follow(Conn(), Task("r", FOREVER, SAMPLE, None, 1),
                                            proc, limits, {}, (None, None), 1000)  # fmt: skip
    finally:
        sandbox.kill(proc)
    assert outcome == "failed" and "more than the" in message and "bytes" in message


def progress(iteration: float, batch: int = 0, **changes) -> Progress:
    base = Progress(iteration, batch, 0.5, 0.9, None, 1.0, 0.5)
    return replace(base, **changes)


@pytest.mark.parametrize(
    "reports",
    [
        [progress(1e300)],  # past config.iterations
        [progress(1.0), progress(1.0)],  # not rising
        [progress(0.1, 3)],  # not a position of the schedule (10 batches a pass)
        [progress(1.0, train_loss=float("nan"))],  # not finite, not diverged
        [progress(1.0, test_accuracy=2.0)],
        [progress(1.0, done=True)],  # done before config.iterations
        [progress(2.0, done=True), progress(2.0)],  # after the last
        [progress(2.0)],  # at the end without done
    ],
)
def test_a_report_out_of_sequence_is_broken(reports):
    sequence = code_stream.Sequence(replace(SHORT, batch_size=10), 100)
    with pytest.raises(code_stream.Broken):
        for p in reports:
            sequence.check(p)


@pytest.mark.parametrize("batch_size", [None, 64, 8])
def test_every_report_a_real_run_makes_fits_the_sequence(sample_data, batch_size):  # noqa: F811
    config = replace(SHORT, batch_size=batch_size)
    reports = history(STUDENT, config, sample_data)
    sequence = code_stream.Sequence(config, len(sample_data[1]))
    for p in reports:
        sequence.check(p)
    assert reports[-1].done and len(reports) >= config.iterations


def npz_text(**arrays) -> str:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_decompression_bomb_is_refused_before_it_is_unpacked():
    bomb = npz_text(w1=np.zeros((785, 16_000)), w2=np.zeros((17, 10)))  # 100 MB in ~100 KB
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(code_stream.Broken):
            code_task.params_of(bomb, SHORT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


@pytest.mark.parametrize(
    "arrays",
    [
        {"w1": np.zeros((785, 15)), "w2": np.zeros((17, 10))},  # a shape not the run's
        {"w1": np.zeros((785, 16), dtype=np.int64), "w2": np.zeros((17, 10))},
        {"w1": np.zeros((785, 16)), "w2": np.zeros((17, 10)), "w3": np.zeros(1)},
        {"w1": np.zeros((785, 16))},
    ],
)
def test_weights_of_another_shape_or_kind_are_refused(arrays):
    with pytest.raises(code_stream.Broken):
        code_task.params_of(npz_text(**arrays), SHORT)


def test_the_weights_lab_train_sends_are_read_back_exactly():
    from mlcore.lab_train import weights_npz

    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(785, 16)), rng.normal(size=(17, 10))
    params = code_task.params_of(base64.b64encode(weights_npz(w1, w2)).decode(), SHORT)
    assert np.array_equal(params.w1, w1[1:].astype(params.w1.dtype))
    assert np.array_equal(params.b2, w2[0].astype(params.b2.dtype))


def test_a_code_run_whose_processes_together_pass_the_memory_limit_is_ended(monkeypatch):
    monkeypatch.setattr(sandbox, "TRAIN_LIMITS", replace(sandbox.TRAIN_LIMITS, memory=2**30))
    forks = """
import os, time, numpy as np
kids = []
for i in range(3):
    pid = os.fork()
    if pid == 0:
        a = np.ones(450 * 2**20 // 8)
        time.sleep(30)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
"""
    end = run(forks + STUDENT, Conn())
    assert end.outcome == "failed" and "together" in end.message and "1,024 MB" in end.message
