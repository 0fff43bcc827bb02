"""A Task that could not be sent (a broken connection) while its run was asked to stop: the
run ends stopped and can be continued, not queued again to be killed (found by review).

The Stop is pressed exactly between the dispatch and the send (from inside the send that
fails), never by catching a transient "running" state in a loop."""

from mlcore.data import SAMPLE_DIR
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs import pool as pool_module
from runs.protocol import DataRef, Stop, Task
from runs.scheduler import Limits, Scheduler

from .test_scheduler import wait_for, wait_until

SAMPLE = DataRef("sample", str(SAMPLE_DIR))
FOREVER = TrainConfig(hidden_size=16, iterations=1000, batch_size=8)


def test_a_stop_during_a_failed_send_ends_the_run_stopped_and_continuable(monkeypatch):
    base = Limits.from_env({"MNIST_LAB_WORKERS": "1", "MNIST_LAB_CORES": "1"})
    s = Scheduler(Limits(**{**base.__dict__, "stop_grace": 0.5}))
    try:
        wait_until(lambda: s.stats()["workers"] >= 1, what="a worker")
        real, pressed = pool_module._send, []

        def send(worker, message):
            if isinstance(message, Task) and not pressed:  # dispatched, not yet sent
                with s._book.lock:
                    s._turns.stop(s._book.runs[message.run_id])  # the user presses Stop right now
                pressed.append(message.run_id)
                return False  # and the connection breaks: neither the Task nor the Stop go
            if isinstance(message, Stop) and pressed == [message.run_id]:
                pressed.append("stop")
                return False
            return real(worker, message)

        monkeypatch.setattr(pool_module, "_send", send)
        run = s.submit("a", RunSpec(FOREVER, "sample"), SAMPLE, "sample", 10_000)
        v = wait_for(s, run, lambda r: not r.active, what="the stopped run")
        assert pressed == [run.id, "stop"]  # the race happened as described
        assert v.status == "stopped" and v.continuable
    finally:
        s.close()
