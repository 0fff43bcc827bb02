"""How much memory a run needs, estimated before it starts (so a server can refuse in time)."""

from __future__ import annotations

import os

import numpy as np

from mlcore.config import TrainConfig
from mlcore.functions import N_CLASSES
from mlcore.inspection import PROBE_ROWS
from mlcore.network import N_INPUTS
from mlcore.step import BLOCK_ROWS, PARALLEL_MIN_ROWS

# What a run allocates, per piece, in units of its dtype's item unless said otherwise.
# Measured with tracemalloc over softmax x dtype x batch x augment x hidden size (2026-12-04;
# tests/test_resources.py checks peak <= run_bytes <= 3 x peak over a grid), rounded up:
WEIGHT_COPIES = {"stable": 7, "naive": 6}  # params, velocity, gradients (+ a rescaled copy),
# the update's scratch, and the naive step's next gradients made while the last are alive
ROW_UNITS = {"stable": 1.25, "naive": 3.25}  # (rows, H) arrays of a step: z in place / forward
ROW_CLASSES = {"stable": 1, "naive": 4}  # (rows, 10) arrays: logits, exp, y_hat, one-hot, ...
BATCH_COPIES = 1.25  # the gathered mini-batch (rows, 784)
AUGMENT_ROW_BYTES = 64  # per pixel of each distorted row, plus the row itself: coordinates,
# bilinear weights and indices in float32/int
EVAL_UNITS = 2  # (block, H) arrays of a test-set forward pass, in blocks of EVAL_ROWS
EVAL_ROWS = 8192  # network.predict_proba's block
DISTINCT_COPIES = 3  # float64 (H, 785) copies made by inspection.distinct_units
SLACK_BYTES = 1 << 20  # Python objects, the progress reports, small arrays


def run_bytes(
    config: TrainConfig, n_rows: int, n_test: int = 10_000, n_inputs: int = N_INPUTS
) -> int:
    """Bytes a run of config on n_rows training (n_test test) images allocates at most.

    Weights and their copies, one step's activations (per row x hidden unit, and per thread
    of the fused step), the gathered (and distorted) mini-batch, a test-set pass and the
    diagnostics' probe. The scaled dataset itself is shared by every run of a worker and
    not counted here (dataset_bytes).
    """
    item = np.dtype(config.dtype).itemsize
    H, kind = config.hidden_size, config.softmax
    rows = n_rows if config.batch_size is None else min(config.batch_size, n_rows)
    weights = (n_inputs * H + H + H * N_CLASSES + N_CLASSES) * item
    total = WEIGHT_COPIES[kind] * weights + DISTINCT_COPIES * (n_inputs + 1) * H * 8
    total += rows * (ROW_UNITS[kind] * H + ROW_CLASSES[kind] * N_CLASSES) * item
    if kind == "stable" and rows >= PARALLEL_MIN_ROWS:  # each block thread's scratch
        total += (os.cpu_count() or 1) * BLOCK_ROWS * H * item
    if config.batch_size is not None and rows < n_rows:
        total += BATCH_COPIES * rows * n_inputs * item
    if config.augment != "none":
        total += rows * n_inputs * (AUGMENT_ROW_BYTES + item)
    total += _evaluation_bytes(H, n_test, n_inputs, item)
    return int(total) + SLACK_BYTES


def _evaluation_bytes(H: int, n_test: int, n_inputs: int, item: int) -> float:
    """A test-set pass (blocks of EVAL_ROWS rows) and the diagnostics' probe of PROBE_ROWS."""
    block = min(n_test, EVAL_ROWS)
    test = EVAL_UNITS * block * H * item + n_test * (2 * N_CLASSES * item + 16)
    return test + PROBE_ROWS * (n_inputs + 4 * H) * item


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


def machine_memory() -> int | None:
    """Bytes of physical memory of this machine, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows) or no such name
        return None


def check_run_fits(config: TrainConfig, n_train: int, n_test: int, limit: int) -> None:
    """ValueError, in a sentence, if a run and its scaled data need more than limit bytes."""
    run = run_bytes(config, n_train, n_test)
    data = dataset_bytes(n_train, n_test, config.dtype)
    if run + data > limit:
        raise ValueError(
            f"hidden size {config.hidden_size:,} with batch size "
            f"{'full' if config.batch_size is None else config.batch_size} on "
            f"{n_train:,} images needs about {_gb(run + data)} of memory, more than the "
            f"{_gb(limit)} allowed: choose fewer hidden units or a smaller batch"
        )


def _gb(n: int) -> str:
    return f"{n / 1e9:,.2f} GB" if n < 1e12 else f"{n / 1e9:,.0f} GB"
