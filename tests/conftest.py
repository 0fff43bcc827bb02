"""Shared fixtures: the real MNIST files (MNIST_DIR) and the bundled sample, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlcore.data import SAMPLE_DIR, load_mnist

ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


def mnist_dir() -> Path | None:
    """$MNIST_DIR, else ../shared/datasets/mnist beside the checkout, else None."""
    if os.environ.get("MNIST_DIR"):
        return Path(os.environ["MNIST_DIR"])
    return SHARED_MNIST if SHARED_MNIST.is_dir() else None


@pytest.fixture(scope="session")
def full_mnist():
    """Full MNIST. In CI a missing copy fails the run; elsewhere the test is skipped, saying why."""
    where = mnist_dir()
    if where is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs the official MNIST files: set MNIST_DIR")
        pytest.skip("full MNIST not found: set MNIST_DIR to run this test")
    return load_mnist(where)


@pytest.fixture(scope="session")
def sample_mnist():
    return load_mnist(SAMPLE_DIR)
