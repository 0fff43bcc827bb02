"""Estimates made before a run starts: its memory and the threads its steps can use."""

import gc
import tracemalloc

import numpy as np
import pytest

from mlcore.resources import WORK_PER_THREAD, check_run_fits, run_bytes, useful_threads
from mlcore.train import TrainConfig, new_state, train


def test_useful_threads_grow_with_the_work_of_a_step():
    assert useful_threads(TrainConfig(), 60_000) == 1  # 64 x 200: a second core is wasted
    assert useful_threads(TrainConfig(batch_size=512, hidden_size=800), 60_000) > 2
    full = TrainConfig(batch_size=None)
    assert useful_threads(full, 60_000) == 60_000 * 200 // WORK_PER_THREAD
    assert useful_threads(full, 10) == 1  # never 0


def peak_bytes(config: TrainConfig, n: int, n_test: int, batches: int) -> int:
    """Peak bytes traced while a fresh run of config trains batches batches on n random rows."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 784)).astype(config.dtype)
    X_test = rng.standard_normal((n_test, 784)).astype(config.dtype)
    y, y_test = rng.integers(0, 10, n), rng.integers(0, 10, n_test)
    gc.collect()
    tracemalloc.start()
    try:
        state = new_state(config)
        for _ in train(config, state, X, y, X_test, y_test, max_batches=batches, background=0.0):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# softmax, dtype, batch size, augment, hidden units, n_train: every path a step can take.
# 24 batches pass the half of a 64-row pass of 1,500 rows, where the test set is run.
GRID = [
    ("stable", "float32", 64, "none", 200, 1_500),
    ("stable", "float64", 64, "elastic", 30, 1_500),
    ("stable", "float32", 500, "affine", 300, 1_500),
    ("stable", "float64", None, "none", 100, 5_000),  # full batch past PARALLEL_MIN_ROWS
    ("stable", "float32", None, "none", 8, 1_500),
    ("naive", "float32", 64, "none", 300, 1_500),
    ("naive", "float64", 500, "elastic", 50, 1_500),
    ("naive", "float32", None, "none", 200, 5_000),  # the ~3x of issue 18
    ("naive", "float64", None, "none", 16, 3_000),
    ("naive", "float64", 1_500, "none", 100, 1_500),  # a batch as large as the data
]


@pytest.mark.parametrize(("softmax", "dtype", "batch", "augment", "hidden", "n"), GRID)
def test_run_bytes_bounds_what_a_run_allocates_and_not_loosely(
    softmax, dtype, batch, augment, hidden, n
):
    config = TrainConfig(
        hidden_size=hidden, batch_size=batch, softmax=softmax, dtype=dtype, augment=augment
    )
    peak = peak_bytes(config, n, n_test=2_000, batches=24)
    estimate = run_bytes(config, n, n_test=2_000)
    assert peak <= estimate <= 3 * peak


def test_a_huge_hidden_layer_is_refused_in_a_sentence():
    with pytest.raises(ValueError, match=r"hidden size 100,000,000 .* needs about [\d,.]+ GB"):
        check_run_fits(TrainConfig(hidden_size=100_000_000), 60_000, 10_000, 2**33)
    check_run_fits(TrainConfig(), 60_000, 10_000, 2**33)  # the default fits 8 GB
