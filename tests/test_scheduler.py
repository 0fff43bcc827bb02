"""The server-wide scheduler with real worker processes, on the bundled sample."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mlcore import step
from mlcore.data import SAMPLE_DIR
from mlcore.resources import machine_memory
from mlcore.spec import RunSpec
from mlcore.train import TrainConfig
from runs.limits import MAX_RUNS, remove_stale_folders
from runs.protocol import DataRef
from runs.scheduler import LimitError, Limits, Scheduler

SAMPLE = DataRef("sample", str(SAMPLE_DIR))
SMALL = TrainConfig(hidden_size=16, iterations=2)
FOREVER = TrainConfig(hidden_size=16, iterations=1000, batch_size=8)  # trains until stopped


def limits(**changes) -> Limits:
    base = Limits.from_env({"MNIST_LAB_WORKERS": "2", "MNIST_LAB_CORES": "2"})
    return Limits(**{**base.__dict__, **changes})


@pytest.fixture
def make_scheduler():
    made = []

    def make(**changes) -> Scheduler:
        s = Scheduler(limits(**changes), prewarm=SAMPLE)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def submit(s: Scheduler, config=SMALL, session="a", **kw):
    return s.submit(session, RunSpec(config, "sample"), SAMPLE, "sample", 10_000, **kw)


def wait_until(condition, timeout=60.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class FakeClock:
    """The scheduler's now (Scheduler.clock), moved only by the test."""

    def __init__(self):
        self.now, self.reads = 1000.0, 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now

    def passes(self, reads: int = 12) -> None:
        """Wait until the control thread has read the time a few more times (a few loops)."""
        target = self.reads + reads
        wait_until(lambda: self.reads >= target, what="the control loop")


def wait_for(s: Scheduler, run, condition, timeout=60.0, what="the condition"):
    """The run once condition holds of it as it is now (a Run is a value: asked for again)."""
    wait_until(lambda: condition(s.get(run.id)), timeout, what)
    return s.get(run.id)


def test_a_run_trains_in_a_worker_process_not_in_the_server(make_scheduler, monkeypatch):
    def no_training_here(*args, **kwargs):
        raise AssertionError("the server process computed a training step")

    monkeypatch.setattr(step, "loss_and_gradients", no_training_here)
    s = make_scheduler()
    run = submit(s)
    run = wait_for(s, run, lambda run: not run.active, what="the run to end")
    assert run.status == "finished", run.message
    assert run.history[-1].iteration == 2 and run.latest_test_accuracy > 0.7
    model = run.model()
    assert model.info.test_accuracy == run.latest_test_accuracy
    assert model.scaling.name == "standard"
    assert s.stats()["worker_pids"] and os.getpid() not in s.stats()["worker_pids"]


def test_the_worker_run_equals_the_same_run_in_process(make_scheduler, sample_mnist):
    from mlcore.scaling import fit_scaling
    from mlcore.train import new_state, train

    s = make_scheduler()
    run = submit(s)
    run = wait_for(s, run, lambda run: not run.active, what="the run to end")
    scaling = fit_scaling("standard", sample_mnist.X_train)
    local = new_state(SMALL)
    X, Xt = scaling.apply(sample_mnist.X_train), scaling.apply(sample_mnist.X_test)
    for _ in train(SMALL, local, X, sample_mnist.y_train, Xt, sample_mnist.y_test):
        pass
    assert [p.train_loss for p in run.history] == [p.train_loss for p in local.history]
    np.testing.assert_array_equal(run.snapshot.w1, local.params.w1)


def test_stop_ends_a_run_at_its_next_report_and_continue_finishes_it(make_scheduler):
    s = make_scheduler()
    run = submit(s, TrainConfig(hidden_size=16, iterations=30))
    run = wait_for(s, run, lambda run: len(run.history) >= 3, what="a few reports")
    asked = time.monotonic()
    s.stop(run.id, run.workspace)
    run = wait_for(s, run, lambda run: not run.active, timeout=10, what="the stop")
    assert time.monotonic() - asked < 10  # at its next report, well before the run's end
    assert run.status == "stopped" and run.continuable
    stopped_at = run.history[-1].iteration
    assert stopped_at < 30
    s.resume(run.id, run.workspace, max_batches=run.batches_per_iteration)  # one more pass
    run = wait_for(s, run, lambda run: not run.active, what="the continued run")
    assert run.status == "paused"
    assert run.history[-1].iteration == pytest.approx(stopped_at + 1)
    iterations = [p.iteration for p in run.history]
    assert iterations == sorted(iterations)  # one history, no restart


def test_runs_take_turns_when_there_are_more_runs_than_workers(make_scheduler):
    s = make_scheduler(workers=1, cores=1, turn_seconds=10.0)
    s.clock = clock = FakeClock()
    first, second = submit(s, FOREVER, "a"), submit(s, FOREVER, "b")
    first = wait_for(s, first, lambda run: run.history, what="the first run's reports")
    assert s.place(second.id)[0] == 1  # first come, first served: it waits its turn
    clock.now += 9.5
    clock.passes()
    assert s.get(second.id).status == "waiting"  # not before the turn is over
    clock.now += 1.0
    second = wait_for(s, second, lambda run: run.history, what="the second run's turn")
    first = s.get(first.id)
    assert first.status == "waiting" and s.place(first.id)[0] == 1  # to the back, paused
    trained = len(first.history)
    clock.now += 10.5
    first = wait_for(s, first, lambda run: len(run.history) > trained, what="its next turn")
    iterations = [p.iteration for p in first.history]
    assert iterations == sorted(iterations)  # it went on from where it was paused
    for run in (first, second):
        s.stop(run.id, run.workspace)


def test_a_session_whose_tab_closed_is_stopped_then_forgotten(make_scheduler):
    s = make_scheduler(session_grace=2.0, session_keep=60.0)
    s.clock = clock = FakeClock()
    alive = {"a": True, "b": True}
    s.tab_alive = alive.get
    run, other = submit(s, FOREVER, "a"), submit(s, FOREVER, "b")
    wait_until(lambda: s.get(run.id).history and s.get(other.id).history, what="both reports")
    alive["a"] = False  # the tab of session a closed
    clock.passes()  # seen gone at the clock's now
    clock.now += 1.5
    clock.passes()
    assert s.get(run.id).status == "running"  # within the grace its runs go on
    clock.now += 0.5
    run = wait_for(s, run, lambda run: not run.active, what="the closed tab's run to stop")
    assert run.status == "stopped" and "tab was closed" in run.message
    clock.now += 59.5
    clock.passes()
    assert s.runs_of("a") == [s.get(run.id)]  # kept a while: a locked phone comes back to it
    clock.now += 0.5
    wait_until(lambda: s.get(run.id) is None, what="the session to be forgotten")
    assert s.runs_of("a") == []
    assert s.get(other.id).status == "running"  # the other session trains on
    s.stop(other.id, other.workspace)


def test_a_worker_that_does_not_stop_in_time_is_ended_and_replaced(make_scheduler):
    if sys.platform == "win32":
        pytest.skip("SIGSTOP freezes a process on POSIX only")
    s = make_scheduler(stop_grace=0.5)
    run = submit(s, TrainConfig(hidden_size=16, iterations=50))
    run = wait_for(s, run, lambda run: len(run.history) >= 2, what="reports")
    worker_pid = next(w.proc.pid for w in s._pool.workers if w.run and w.run.id == run.id)
    os.kill(worker_pid, signal.SIGSTOP)  # stuck mid-step
    s.stop(run.id, run.workspace)
    run = wait_for(
        s, run, lambda run: not run.active, timeout=10, what="the stuck worker to be ended"
    )
    assert run.status == "stopped" and "last report" in run.message
    assert not run.continuable and run.model() is not None  # the last snapshot is kept
    wait_until(lambda: s.stats()["workers"] == 2, what="a replacement worker")
    assert worker_pid not in s.stats()["worker_pids"]
    again = submit(s)
    again = wait_for(s, again, lambda again: not again.active, what="a run on the new worker")
    assert again.status == "finished"


def test_a_worker_that_dies_fails_its_run_with_a_message(make_scheduler):
    s = make_scheduler()
    run = submit(s, TrainConfig(hidden_size=16, iterations=50))
    run = wait_for(s, run, lambda run: run.history, what="a report")
    next(w for w in s._pool.workers if w.run and w.run.id == run.id).proc.kill()
    run = wait_for(s, run, lambda run: not run.active, timeout=10, what="the failure to be noticed")
    assert run.status == "failed" and "ended unexpectedly" in run.message


def test_limits_refuse_with_a_message_naming_the_limit(make_scheduler):
    s = make_scheduler(run_memory=20 * 2**20, active_per_workspace=1)
    with pytest.raises(LimitError, match=r"would need about .* MB"):
        submit(s, TrainConfig(hidden_size=1000, batch_size=None))
    submit(s, TrainConfig(hidden_size=16, iterations=50))
    with pytest.raises(LimitError, match="the limit is 1"):
        submit(s)


def request(config=SMALL, kind="train") -> tuple:
    return (RunSpec(config, "sample"), SAMPLE, "sample", 10_000, None, kind)


def test_submit_all_queues_every_run_or_none_naming_the_limit(make_scheduler):
    s = make_scheduler(active_per_workspace=4, run_memory=20 * 2**20)
    long = TrainConfig(hidden_size=16, iterations=50)
    submit(s, long)
    with pytest.raises(LimitError, match=r"4 runs, and you already have 1 .* limit is 4"):
        s.submit_all("a", [request(long)] * 4)
    assert len(s.runs_of("a")) == 1  # none of the four was queued
    with pytest.raises(LimitError, match="would need about"):
        s.submit_all("a", [request(long), request(TrainConfig(hidden_size=1000, batch_size=None))])
    assert len(s.runs_of("a")) == 1
    runs = s.submit_all("a", [request(long)] * 2 + [request(long, kind="range")])
    assert [r.kind for r in runs] == ["train", "train", "range"] and len(s.runs_of("a")) == 4
    for run in s.runs_of("a"):
        s.stop(run.id, run.workspace)


def test_step_trains_exactly_the_batches_asked_for_then_pauses(make_scheduler):
    s = make_scheduler()
    run = submit(s, TrainConfig(hidden_size=16, iterations=2, batch_size=100), max_batches=1)
    run = wait_for(s, run, lambda run: not run.active, what="one step")
    assert run.status == "paused" and run.history[-1].batch == 1
    s.resume(run.id, run.workspace, max_batches=run.batches_per_iteration)
    run = wait_for(s, run, lambda run: not run.active, what="one more iteration")
    assert run.status == "paused" and run.history[-1].iteration == pytest.approx(1.01)


def test_a_turn_never_kills_a_worker_that_is_slow_to_reach_its_report(make_scheduler):
    if sys.platform == "win32":
        pytest.skip("SIGSTOP freezes a process on POSIX only")
    s = make_scheduler(workers=1, cores=1, turn_seconds=10.0, stop_grace=0.5)
    s.clock = clock = FakeClock()
    first = submit(s, FOREVER, "a")
    first = wait_for(s, first, lambda run: run.history, what="the first run's reports")
    pid = s.stats()["worker_pids"][0]
    os.kill(pid, signal.SIGSTOP)  # a long step: no report for a while
    second = submit(s, FOREVER, "b")
    clock.now += 1000.0  # its turn is long over, and any stop would be overdue
    clock.passes()
    assert s._book.runs[first.id].asked_to_end  # it was asked to pause ...
    assert s.get(first.id).status == "running" and s.stats()["worker_pids"] == [pid]  # waits
    os.kill(pid, signal.SIGCONT)
    second = wait_for(s, second, lambda run: run.history, what="the second run's turn")
    assert s.get(first.id).status == "waiting" and s.stats()["worker_pids"] == [pid]
    for run in (first, second):
        s.stop(run.id, run.workspace)


def test_a_new_upload_gets_its_own_folder_and_the_old_one_stays_for_its_runs(
    make_scheduler, sample_mnist
):
    s = make_scheduler()
    first = s.upload("a", sample_mnist, key="one")
    assert s.upload("a", sample_mnist, key="one") == first  # the same upload: saved once
    second = s.upload("a", sample_mnist, key="two")
    assert second != first
    assert os.path.exists(os.path.join(first.location, "X_train.npy"))
    s.close_workspace("a")
    assert not os.path.exists(first.location) and not os.path.exists(second.location)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MNIST_LAB_WORKERS": "abc"}, "MNIST_LAB_WORKERS='abc' is not a int"),
        ({"MNIST_LAB_TURN_SECONDS": "0"}, "MNIST_LAB_TURN_SECONDS='0' must be >= 0.1"),
        ({"MNIST_LAB_STOP_GRACE": "-1"}, "MNIST_LAB_STOP_GRACE='-1' must be >= 0.5"),
    ],
)
def test_a_bad_server_setting_is_named_with_its_value(env, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        Limits.from_env(env)


def test_a_range_test_runs_in_a_worker_and_returns_its_suggestion(make_scheduler, monkeypatch):
    def no_training_here(*args, **kwargs):
        raise AssertionError("the server process computed a training step")

    monkeypatch.setattr(step, "loss_and_gradients", no_training_here)
    s = make_scheduler()
    run = submit(s, TrainConfig(hidden_size=16), kind="range")
    run = wait_for(s, run, lambda run: not run.active, what="the range test to end")
    assert run.status == "finished", run.message
    rt = run.range_test
    assert len(rt.rates) == len(rt.losses) >= 10 and rt.rates[0] < rt.suggestion < rt.rates[-1]
    assert f"{rt.suggestion:.2g}" in run.message and "range test" in run.label
    assert not run.continuable and not run.usable
    s.resume(run.id, run.workspace)
    assert s.get(run.id).status == "finished"  # a range test is not continued as a training run


def test_an_unknown_task_kind_is_refused(make_scheduler):
    with pytest.raises(ValueError, match="kind='sweep'"):
        submit(make_scheduler(), kind="sweep")


@pytest.mark.parametrize(
    ("batch_size", "threads"),
    [(64, 1), (None, 2)],  # 64 x 16 units; 10,000 rows x 16 units
)
def test_a_run_alone_gets_the_cores_its_steps_can_use(make_scheduler, batch_size, threads):
    s = make_scheduler(workers=2, cores=2)
    run = submit(s, TrainConfig(hidden_size=16, iterations=500, batch_size=batch_size))
    run = wait_for(s, run, lambda run: run.history, what="the first report")
    assert s.stats()["threads"] == [threads]
    s.stop(run.id, run.workspace)
    run = wait_for(s, run, lambda run: not run.active, what="the stop")


def test_settings_beyond_the_machine_are_bounded_with_a_warning_line(capsys):
    env = {"MNIST_LAB_WORKERS": "1000", "MNIST_LAB_CORES": "1000", "MNIST_LAB_KEPT_RUNS": "1e9"}
    with pytest.raises(ValueError, match="MNIST_LAB_KEPT_RUNS='1e9' is not a int"):
        Limits.from_env(env)
    capsys.readouterr()
    env |= {"MNIST_LAB_KEPT_RUNS": "1000000", "MNIST_LAB_RUN_MEMORY_MB": "1e12"}
    env |= {"MNIST_LAB_TURN_SECONDS": "inf", "MNIST_LAB_SESSION_KEEP": "1e300"}
    got = Limits.from_env(env)
    cores = len(os.sched_getaffinity(0))
    assert got.cores == cores and 1 <= got.workers <= 2 * cores
    assert got.kept_per_workspace == MAX_RUNS and got.turn_seconds == 3600.0
    assert got.run_memory <= machine_memory() / 2 and got.session_keep == 86400.0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 6 and all(line.startswith("mnist-lab: warning: MNIST_") for line in lines)
    assert "MNIST_LAB_WORKERS=1000 is more than this machine allows" in lines[1]


def test_defaults_are_not_warned_about(capsys):
    Limits.from_env({})
    assert capsys.readouterr().err == ""


def test_stale_upload_folders_of_dead_servers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    folders = {
        "dead": tmp_path / f"mnist-lab-{int(dead.stdout)}-abc",
        "live": tmp_path / f"mnist-lab-{os.getpid()}-xyz",
        "parent": tmp_path / f"mnist-lab-{os.getppid()}-q",
        "no pid": tmp_path / "mnist-lab-old_style",
        "other": tmp_path / "unrelated-123-x",
    }
    for folder in folders.values():
        (folder / "upload-1").mkdir(parents=True)
        (folder / "upload-1" / "X_train.npy").write_bytes(b"x")
    assert remove_stale_folders(str(tmp_path)) == [str(folders["dead"])]
    assert not folders["dead"].exists()
    assert all(f.exists() for name, f in folders.items() if name != "dead")


def test_a_schedulers_upload_folder_names_its_pid(make_scheduler):
    s = make_scheduler()
    assert os.path.basename(s._tmp).startswith(f"mnist-lab-{os.getpid()}-")
    assert s._tmp not in remove_stale_folders(os.path.dirname(s._tmp))
    assert os.path.isdir(s._tmp)


def test_a_step_after_the_end_says_what_it_changed(make_scheduler):
    s = make_scheduler()
    run = submit(s, TrainConfig(hidden_size=16, iterations=1, batch_size=None))
    run = wait_for(s, run, lambda run: not run.active, what="the run")
    s.resume(run.id, run.workspace, max_batches=1, extend=1)  # Step on a finished full-batch run
    run = wait_for(s, run, lambda run: not run.active, what="the step")
    assert run.history[-1].steps == 2 and run.last_step is not None


def test_a_run_a_page_holds_never_changes_while_the_run_trains(make_scheduler):
    s = make_scheduler()
    held = submit(s)
    done = wait_for(s, held, lambda run: not run.active, what="the run")
    assert held.status == "waiting" and held.history == () and held.snapshot is None
    assert done.status == "finished" and len(done.history) >= 2 and done.snapshot is not None
