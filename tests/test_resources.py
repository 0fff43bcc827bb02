"""Estimates made before a run starts: its memory and the threads its steps can use."""

from mlcore.resources import WORK_PER_THREAD, run_bytes, useful_threads
from mlcore.train import TrainConfig


def test_useful_threads_grow_with_the_work_of_a_step():
    assert useful_threads(TrainConfig(), 60_000) == 1  # 64 x 200: a second core is wasted
    assert useful_threads(TrainConfig(batch_size=512, hidden_size=800), 60_000) > 2
    full = TrainConfig(batch_size=None)
    assert useful_threads(full, 60_000) == 60_000 * 200 // WORK_PER_THREAD
    assert useful_threads(full, 10) == 1  # never 0


def test_run_bytes_counts_the_weights_three_times_and_one_batch_of_activations():
    config = TrainConfig(hidden_size=10, batch_size=100)
    weights = (784 * 10 + 10 + 10 * 10 + 10) * 4
    assert run_bytes(config, 60_000) == 3 * weights + 100 * 10 * 4 + 100 * 784 * 4
    full = TrainConfig(hidden_size=10, batch_size=None)
    assert run_bytes(full, 1_000) == 3 * weights + 1_000 * 10 * 4  # no batch copied
