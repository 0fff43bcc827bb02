"""Runs of a student's own code: mlcore.lab_train's loop in this process, then real runs through
a worker and the sandbox (runs.code_task): the reference's curve within CURVE_TOLERANCE, a
mistake's sentence, Stop, and the spec kept by the store."""

from __future__ import annotations

import base64
import inspect
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

import mlcore.lab_reference
from mlcore.data import SAMPLE_DIR
from mlcore.lab_curves import CURVE_RTOL, where_curves_part
from mlcore.lab_train import lab_events
from mlcore.progress import Progress
from mlcore.scaling import fit_scaling
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import code_task, sandbox, stored
from runs.protocol import DataRef
from runs.scheduler import Limits, Scheduler

pytestmark = pytest.mark.xdist_group("sandbox")

SAMPLE = DataRef("sample", str(SAMPLE_DIR))
SHORT = TrainConfig(hidden_size=16, iterations=2, learning_rate=0.5)
FOREVER = TrainConfig(hidden_size=16, iterations=1000, batch_size=8, learning_rate=0.5)
REFERENCE = inspect.getsource(mlcore.lab_reference)
# The lab's functions as a student types them from the course notebook (also bench/sandbox.py's).
STUDENT = (Path(__file__).parent / "lab_student.py").read_text()
MISTAKES = {  # a change to STUDENT -> what the run's message must say
    "w2[1:].T": ("w2.T", "Your back raised ValueError"),
    "return (y_hat, h)": ("return (y_hat, h, X)", "Your forward returned a tuple of 3"),
    "np.sqrt(1 / w1_rows)\n": (
        "np.sqrt(1 / w1_rows)\n    w1 = w1[1:]\n",
        "Your initialize_weights returned shape (784, 16)",
    ),
    "y_hat = softmax(": ("y_hat = np.nan * softmax(", "your forward gave a true digit"),
    "def back(": ("def backward(", "defines no function back"),
}


def mistaken(original: str) -> tuple[str, str]:
    replacement, sentence = MISTAKES[original]
    assert original in STUDENT
    return STUDENT.replace(original, replacement), sentence


@pytest.fixture(scope="module")
def sample_data(sample_mnist_module):
    d = sample_mnist_module
    scaling = fit_scaling("standard", d.X_train)
    return scaling.apply(d.X_train), d.y_train, scaling.apply(d.X_test), d.y_test


@pytest.fixture(scope="module")
def sample_mnist_module():
    from mlcore.data import load_mnist

    return load_mnist(SAMPLE_DIR)


def history(source: str, config: TrainConfig, data) -> list[Progress]:
    events = lab_events(source, config, data)
    return [code_task.progress_of(e["progress"]) for e in events if e["type"] == "report"]


def losses(history) -> list[float]:
    return [p.train_loss for p in history]


def max_relative(a: list[float], b: list[float]) -> float:
    return float(np.max(np.abs(np.subtract(a, b)) / np.abs(b)))


def test_the_labs_typed_code_trains_as_the_reference_within_the_tolerance(sample_data):
    mine, reference = history(STUDENT, SHORT, sample_data), history(REFERENCE, SHORT, sample_data)
    assert len(mine) == len(reference) and mine[-1].done and mine[-1].iteration == 2
    assert where_curves_part(losses(reference), losses(mine)) is None
    assert max_relative(losses(mine), losses(reference)) < 1e-12  # measured: 6e-16
    assert [p.test_accuracy for p in mine] == [p.test_accuracy for p in reference]
    assert reference[-1].test_accuracy > 0.85


def test_a_notebook_paste_trains_with_its_shell_and_plotting_lines_skipped(sample_data):
    paste = "!mkdir data\nimport matplotlib.pyplot as plt\n%matplotlib inline\n" + STUDENT
    pasted, typed = history(paste, SHORT, sample_data), history(STUDENT, SHORT, sample_data)
    assert pasted[-1].done and losses(pasted) == losses(typed)


@pytest.mark.parametrize("original", list(MISTAKES))
def test_a_mistake_ends_training_with_a_sentence_naming_the_function(original, sample_data):
    source, sentence = mistaken(original)
    last = list(lab_events(source, SHORT, sample_data))[-1]
    text = last.get("message") or last["progress"]["reason"]
    assert sentence in text and "Traceback" not in text


def test_what_the_sandbox_sends_is_checked_field_by_field():
    good = {"iteration": 1.0, "batch": 0, "train_loss": 0.5, "train_accuracy": 0.9,
            "test_accuracy": None, "elapsed": 1.0, "learning_rate": 0.1}  # fmt: skip
    assert code_task.progress_of(good).train_loss == 0.5
    for bad in ({**good, "train_loss": "0.5"}, {**good, "owner": "x"}, [1, 2]):
        with pytest.raises(code_task.Broken):
            code_task.progress_of(bad)
    buffer = io.BytesIO()
    np.savez(buffer, w1=np.array([{"a": 1}], dtype=object), w2=np.zeros(1))
    with pytest.raises(ValueError):  # an object array would need pickle: refused
        code_task.params_of(base64.b64encode(buffer.getvalue()).decode(), SHORT)


def test_a_spec_with_code_survives_the_store_text():
    spec = RunSpec(SHORT, "sample", STUDENT)
    assert RunSpec.from_dict(json.loads(json.dumps(spec.as_dict()))) == spec
    assert RunSpec.from_dict({"config": SHORT.as_dict(), "data": "full"}).code is None

    class Holder:  # what stored.spec_text reads of a run
        config, spec = SHORT, RunSpec(SHORT, "sample", STUDENT)

    assert RunSpec.from_dict(json.loads(stored.spec_text(Holder()))).code == STUDENT


def test_without_a_sandbox_a_code_run_is_refused_unless_the_visitor_is_local(monkeypatch):
    monkeypatch.setattr(sandbox, "_status", sandbox.SandboxStatus(False, "no bwrap"))
    monkeypatch.delenv(sandbox.UNSANDBOXED_SETTING, raising=False)
    for local in (False, True):  # without the server's setting, a browser's word is not enough
        with pytest.raises(code_task.LocalOnly, match="bubblewrap"):
            code_task.admit(STUDENT, local=local)
    monkeypatch.setenv(sandbox.UNSANDBOXED_SETTING, "1")
    with pytest.raises(code_task.LocalOnly, match="bubblewrap"):
        code_task.admit(STUDENT, local=False)
    code_task.admit(STUDENT, local=True)
    code_task.admit(None, local=False)  # our own network needs no sandbox


# ---- through a real worker and the sandbox -------------------------------------------------


@pytest.fixture
def scheduler():
    found = sandbox.status()
    if not found.available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no sandbox in CI: {found.why}")
        pytest.skip(found.why)
    base = Limits.from_env({"MNIST_LAB_WORKERS": "1", "MNIST_LAB_CORES": "1"})
    s = Scheduler(base, prewarm=SAMPLE)
    yield s
    s.close()


def run_to_end(s: Scheduler, source: str, config: TrainConfig = SHORT, session: str = "a"):
    from tests.test_scheduler import wait_for

    run = s.submit(session, RunSpec(config, "sample", source), SAMPLE, "sample", 10_000)
    return wait_for(s, run, lambda r: not r.active, timeout=180, what="the code run to end")


def test_a_code_run_in_the_sandbox_gives_the_references_curve(scheduler, sample_data):
    run = run_to_end(scheduler, STUDENT)
    assert run.status == "finished", run.message
    reference = history(REFERENCE, SHORT, sample_data)
    assert len(run.history) == len(reference)
    assert where_curves_part(losses(reference), losses(run.history), CURVE_RTOL) is None
    assert max_relative(losses(run.history), losses(reference)) < 1e-12
    assert run.snapshot.w1.shape == (784, 16) and run.model() is not None
    assert not run.continuable


def test_a_mistake_ends_a_code_run_with_its_sentence(scheduler):
    source, sentence = mistaken("w2[1:].T")
    run = run_to_end(scheduler, source)
    assert run.status == "failed" and sentence in run.message
    assert "(batch 1 of 157)" in run.message and "Traceback" not in run.message


def test_stop_ends_a_code_run_which_says_it_cannot_continue(scheduler):
    from tests.test_scheduler import wait_for

    run = scheduler.submit("a", RunSpec(FOREVER, "sample", STUDENT), SAMPLE, "sample", 10_000)
    wait_for(scheduler, run, lambda r: len(r.history) >= 2, timeout=120, what="two reports")
    scheduler.stop(run.id, "a")
    run = wait_for(scheduler, run, lambda r: not r.active, what="the stop")
    assert run.status == "stopped" and code_task.CANNOT_CONTINUE in run.message
    assert not run.continuable and run.history[-1].iteration < FOREVER.iterations


def test_a_code_run_is_read_back_from_the_store_with_its_code(tmp_path):
    from runs.writer import StoreWriter
    from tests.test_scheduler import wait_for

    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    limits = Limits.from_env({"MNIST_LAB_WORKERS": "1", "MNIST_LAB_CORES": "1"})
    first = Scheduler(limits, prewarm=SAMPLE, store=StoreWriter(url))
    try:
        run = first.submit("ws", RunSpec(SHORT, "sample", STUDENT), SAMPLE, "sample", 10_000)
        run = wait_for(first, run, lambda r: not r.active, timeout=180, what="the run's end")
    finally:
        first.close()
    second = Scheduler(limits, prewarm=SAMPLE, store=StoreWriter(url))
    try:
        (back,) = second.runs_of("ws")
    finally:
        second.close()
    assert back.spec.code == STUDENT and back.status == run.status == "finished"
    assert losses(back.history) == losses(run.history) and not back.continuable


FORGED = """
import base64, io, json, os
import numpy as np
buffer = io.BytesIO()
np.savez(buffer, w1=np.zeros((785, 16)), w2=np.zeros((17, 10)))
weights = {"type": "weights", "npz": base64.b64encode(buffer.getvalue()).decode()}
report = {"type": "report", "progress": {"iteration": 2.0, "batch": 0, "train_loss": 0.0,
          "train_accuracy": 1.0, "test_accuracy": 1.0, "elapsed": 0.1, "learning_rate": 0.5,
          "done": True, "reason": "finished 2 iterations"}}
os.write(3, (json.dumps(weights) + "\\n" + json.dumps(report) + "\\n").encode())
"""


def test_a_code_run_cannot_forge_its_final_test_accuracy(scheduler):
    run = run_to_end(scheduler, FORGED + STUDENT)
    # Its last report came from the student's code, but the accuracy is measured by the
    # worker on the weights it kept: all zeros predict one digit, right about a tenth of the time.
    assert run.status == "finished" and run.history[-1].test_accuracy < 0.2
    assert not run.snapshot.w1.any()


class Conn:
    """A worker's connection to the scheduler, kept in a list."""

    def __init__(self):
        self.sent = []

    def send(self, message) -> None:
        self.sent.append(message)

    def poll(self) -> bool:
        return False


def test_without_a_sandbox_a_local_code_run_trains_in_a_plain_process(monkeypatch, sample_data):
    from runs.protocol import End, Report, Task
    from runs.worker import DataCache

    monkeypatch.setattr(sandbox, "_status", sandbox.SandboxStatus(False, "no bwrap"))
    refused = Conn()  # without the server's setting, a code run needs a sandbox
    code_task.run_code_task(refused, Task("r", SHORT, SAMPLE, None, 1, code=STUDENT), DataCache())
    assert refused.sent == [End("r", "failed", sandbox.LOCAL_ONLY, None)]
    conn = Conn()
    allowed = Task("r", SHORT, SAMPLE, None, 1, code=STUDENT, unsandboxed_ok=True)
    code_task.run_code_task(conn, allowed, DataCache())
    assert isinstance(conn.sent[-1], End) and conn.sent[-1].outcome == "finished"
    reports = [m.progress for m in conn.sent if isinstance(m, Report)]
    assert max_relative(losses(reports), losses(history(STUDENT, SHORT, sample_data))) < 1e-12
