"""How much memory a run needs, estimated before it starts (so a server can refuse in time)."""

from __future__ import annotations

import numpy as np

from mlcore.functions import N_CLASSES
from mlcore.network import N_INPUTS
from mlcore.train import TrainConfig


def run_bytes(config: TrainConfig, n_rows: int, n_inputs: int = N_INPUTS) -> int:
    """Bytes a run of config on n_rows training images holds while it trains.

    Weights, gradients and momentum (3 copies of w1, w2, biases), the step's activations
    (batch rows x hidden units, in place), and the batch of inputs copied per step.
    The scaled dataset itself is shared by every run of a worker and not counted here.
    """
    itemsize = np.dtype(config.dtype).itemsize
    H = config.hidden_size
    weights = (n_inputs * H + H + H * N_CLASSES + N_CLASSES) * itemsize
    rows = n_rows if config.batch_size is None else min(config.batch_size, n_rows)
    activations = rows * H * itemsize
    batch_inputs = 0 if config.batch_size is None else rows * n_inputs * itemsize
    return 3 * weights + activations + batch_inputs


def dataset_bytes(n_train: int, n_test: int, dtype: str = "float32", n_inputs: int = N_INPUTS):
    """Bytes of a dataset scaled to dtype: (n_train + n_test) x n_inputs values."""
    return (n_train + n_test) * n_inputs * np.dtype(dtype).itemsize


# Work per step (rows x hidden units) worth a second thread: smaller steps are too short for
# BLAS threads to pay for their hand-offs. Measured, one step, 2-core AVX2 (2026-11-30):
# 2 threads against 1 were no faster at batch 64 x 200 units (0.96x), 1.11x faster at
# 128 x 200, 1.27x at 256 x 200, 1.33x at 64 x 800, 1.65x at 512 x 800.
WORK_PER_THREAD = 25_000


def useful_threads(config: TrainConfig, n_rows: int) -> int:
    """Threads a run's steps can use to advantage: one per WORK_PER_THREAD rows x units.

    A full batch (n_rows rows a step) uses every core it is given; the default mini-batch
    (64 x 200) uses one, leaving the others to the web server and, on a laptop, the browser.
    """
    rows = n_rows if config.batch_size is None else min(config.batch_size, n_rows)
    return max(1, rows * config.hidden_size // WORK_PER_THREAD)
