import numpy as np
import pytest

from mlcore.range_test import lr_range_test, min_loss_rate
from mlcore.scaling import fit_scaling
from mlcore.train import TrainConfig


def test_range_test_grows_the_rate_exponentially_and_suggests_one_inside_the_range(sample_mnist):
    config = TrainConfig(hidden_size=30)
    X = fit_scaling(config.scale, sample_mnist.X_train).apply(sample_mnist.X_train)
    result = lr_range_test(config, X, sample_mnist.y_train, batches=60)
    ratios = result.rates[1:] / result.rates[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert result.rates[0] == pytest.approx(1e-4) and len(result.losses) == len(result.rates)
    assert np.all(np.isfinite(result.losses))
    assert result.suggestion == pytest.approx(min_loss_rate(result.rates, result.losses) / 10)
    assert result.rates[0] < result.suggestion < result.rates[-1]
    assert result.losses.min() < result.losses[0] - 0.5  # it did find rates that learn
    again = lr_range_test(config, X, sample_mnist.y_train, batches=60)
    assert again.suggestion == result.suggestion  # same seed, same test


def test_range_test_rejects_an_empty_range():
    with pytest.raises(ValueError, match="start < stop"):
        lr_range_test(
            TrainConfig(), np.zeros((10, 784), np.float32), np.zeros(10, int), start=1.0, stop=0.1
        )
