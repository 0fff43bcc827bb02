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
