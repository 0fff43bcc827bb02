"""The background training job the Train page drives (no Streamlit needed)."""

import numpy as np
import pytest

from mlcore.scaling import fit_scaling
from mlcore.train import TrainConfig
from ui.jobs import TRAINING_SLOTS, Run


@pytest.fixture(scope="module")
def arrays(sample_mnist):
    s = fit_scaling("standard", sample_mnist.X_train)
    X, Xt = s.apply(sample_mnist.X_train[:1000]), s.apply(sample_mnist.X_test[:200])
    return s, (X, sample_mnist.y_train[:1000], Xt, sample_mnist.y_test[:200])


def finished(run: Run) -> Run:
    run.join(60)
    assert not run.active
    return run


def test_a_run_trains_in_the_background_and_keeps_its_model(arrays):
    scaling, data = arrays
    run = Run.create(TrainConfig(hidden_size=16, iterations=2), scaling, "sample")
    run.start(data)
    assert finished(run).status == "finished"
    model = run.model()
    assert model.info["test_accuracy"] == run.state.history[-1].test_accuracy > 0.5
    assert model.params.w1 is not run.state.params.w1  # a snapshot, not the live weights


def test_continue_after_the_end_trains_as_long_again(arrays):
    scaling, data = arrays
    run = Run.create(TrainConfig(hidden_size=16, iterations=2), scaling, "sample")
    run.start(data)
    finished(run)
    run.start()  # Continue: reuses the arrays of the first start
    assert finished(run).status == "finished"
    assert run.config.iterations == 4 and run.state.history[-1].iteration == 4


def test_stop_while_queued_ends_the_run_without_waiting_for_a_slot(arrays):
    scaling, data = arrays
    run = Run.create(TrainConfig(hidden_size=16, iterations=2), scaling, "sample")
    assert TRAINING_SLOTS.acquire(timeout=10)  # somebody else is training
    try:
        run.start(data)
        assert run.status == "waiting"
        run.stop()
        run.join(5)
        assert run.status == "stopped" and run.message == "stopped before it started"
        assert run.state.history == []
    finally:
        TRAINING_SLOTS.release()


def test_a_failure_in_the_thread_is_reported_not_lost(arrays, capsys):
    scaling, (X, y, Xt, yt) = arrays
    run = Run.create(TrainConfig(hidden_size=16, iterations=1), scaling, "sample")
    run.start((X, y, Xt[:, :10], yt))  # a test set of the wrong width
    assert finished(run).status == "failed"
    assert run.message.startswith("ValueError: matmul")
    assert np.all(np.isfinite(run.state.params.w1))
