"""A Task that could not be sent (a broken connection) while its run was asked to stop: the
run ends stopped and can be continued, not queued again to be killed (found by review)."""

import time

from mlcore.data import SAMPLE_DIR
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import pool as pool_module
from runs.protocol import DataRef, Stop, Task
from runs.scheduler import Limits, Scheduler

SAMPLE = DataRef("sample", str(SAMPLE_DIR))
FOREVER = TrainConfig(hidden_size=16, iterations=1000, batch_size=8)


def test_a_stop_during_a_failed_send_ends_the_run_stopped_and_continuable(monkeypatch):
    base = Limits.from_env({"MNIST_LAB_WORKERS": "1", "MNIST_LAB_CORES": "1"})
    s = Scheduler(Limits(**{**base.__dict__, "stop_grace": 0.5}))
    try:
        deadline = time.monotonic() + 60
        while s.stats()["workers"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        real = pool_module._send
        broken = {"on": True}

        def send(worker, message):
            if broken["on"] and isinstance(message, (Task, Stop)):
                return False  # as a connection that broke
            return real(worker, message)

        monkeypatch.setattr(pool_module, "_send", send)
        run = s.submit("a", RunSpec(FOREVER, "sample"), SAMPLE, "sample", 10_000)
        while True:  # catch it "running" (its Task queued, not yet sent) and press Stop
            time.sleep(0.001)
            with s._lock:
                rec = s._runs[run.id]
                if rec.status == "running":
                    s._stop(rec)
                    break
            assert time.monotonic() < deadline
        time.sleep(0.3)
        broken["on"] = False
        deadline = time.monotonic() + 60
        while s.get(run.id).active:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        v = s.get(run.id)
        assert v.status == "stopped" and v.continuable
    finally:
        s.close()
