"""Input scaling: statistics exact, and fitted without copying the pixels."""

import tracemalloc

import numpy as np
import pytest

from mlcore.scaling import fit_scaling


def test_standard_statistics_of_uint8_pixels_are_exact():
    X = np.random.default_rng(0).integers(0, 256, (1000, 784), dtype=np.uint8)
    s = fit_scaling("standard", X)
    assert s.offset == pytest.approx(X.mean(dtype=np.float64), rel=1e-12)
    assert s.divisor == pytest.approx(X.std(dtype=np.float64), rel=1e-12)


def test_fitting_standard_scaling_on_full_mnist_allocates_under_10_mb(full_mnist):
    X = full_mnist.X_train  # 47 MB of uint8 pixels
    tracemalloc.start()
    try:
        fit_scaling("standard", X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10e6  # was 376 MB: bincount's int64 copy of every pixel
