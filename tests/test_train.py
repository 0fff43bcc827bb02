import math
import warnings
from dataclasses import asdict, replace

import numpy as np
import pytest

from mlcore.scaling import fit_scaling
from mlcore.train import LAB, TrainConfig, learning_rate_at, new_state, train


def scaled(data, scale="standard"):
    s = fit_scaling(scale, data.X_train)
    return s.apply(data.X_train), data.y_train, s.apply(data.X_test), data.y_test


@pytest.fixture(scope="module")
def small(sample_mnist):
    """2,000 sample images: enough to learn, small enough for many runs."""
    X, y, Xt, yt = scaled(sample_mnist)
    return X[:2000], y[:2000], Xt[:500], yt[:500]


def run(config, data, state=None, stop_after=None):
    state = state or new_state(config)
    for i, _ in enumerate(train(config, state, *data)):
        if stop_after is not None and i + 1 == stop_after:
            break
    return state


def comparable(history):
    return [{k: v for k, v in asdict(p).items() if k != "elapsed"} for p in history]


def test_same_seed_gives_the_same_history(small):
    config = TrainConfig(iterations=2, batch_size=100, hidden_size=20)
    a, b = run(config, small), run(config, small)
    assert comparable(a.history) == comparable(b.history)
    np.testing.assert_array_equal(a.params.w1, b.params.w1)
    c = run(replace(config, seed=1), small)
    assert comparable(c.history) != comparable(a.history)


@pytest.mark.parametrize("batch_size", [None, 128])
def test_stop_then_continue_equals_an_uninterrupted_run(small, batch_size):
    config = TrainConfig(iterations=3, batch_size=batch_size, hidden_size=20)
    whole = run(config, small)
    parts = run(config, small, stop_after=2)
    assert not parts.finished
    parts = run(config, small, state=parts)
    assert comparable(parts.history) == comparable(whole.history)
    for a, b in zip(parts.params.arrays(), whole.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_full_batch_reports_once_per_iteration_with_test_accuracy(small):
    config = TrainConfig(iterations=4, batch_size=None, hidden_size=10, momentum=0.0)
    history = run(config, small).history
    assert [p.iteration for p in history] == [1, 2, 3, 4]
    assert all(p.test_accuracy is not None for p in history)
    assert history[-1].done and history[-1].reason == "finished 4 iterations"


def test_mini_batch_reports_ten_times_per_pass_and_tests_twice(small):
    config = TrainConfig(iterations=1, batch_size=20, hidden_size=10)  # 100 batches
    history = run(config, small).history
    assert [round(p.iteration, 2) for p in history] == [round(0.1 * k, 2) for k in range(1, 11)]
    assert [p.test_accuracy is not None for p in history].count(True) == 2
    assert history[-1].test_accuracy is not None


def test_training_loss_falls_and_accuracy_rises(small):
    history = run(TrainConfig(iterations=3, batch_size=50, hidden_size=30), small).history
    assert history[-1].train_loss < history[0].train_loss / 2
    assert history[-1].test_accuracy > 0.8


@pytest.mark.parametrize("learning_rate", [1e5, 1e38])  # huge loss; inf/nan loss
def test_a_too_high_learning_rate_ends_with_a_clear_reason_and_no_warnings(small, learning_rate):
    config = TrainConfig(
        iterations=20, batch_size=None, hidden_size=10, learning_rate=learning_rate, scale="raw"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = run(config, small).history
    last = history[-1]
    assert last.done and last.diverged and last.reason.startswith("diverged at iteration")
    assert "learning rate too high?" in last.reason
    assert math.isnan(last.train_loss)
    assert len(history) < 20


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hidden_size", 0),
        ("learning_rate", -0.1),
        ("learning_rate", float("nan")),
        ("iterations", 0),
        ("batch_size", 0),
        ("scale", "log"),
        ("init", "he"),
        ("momentum", 1.0),
        ("schedule", "step"),
        ("seed", -1),
    ],
)
def test_invalid_hyper_parameters_raise_naming_the_value(field, value):
    with pytest.raises(ValueError, match=f"{field}={value!r}"):
        TrainConfig(**{field: value})


def test_cosine_schedule_decays_from_lr_to_zero():
    config = TrainConfig(learning_rate=0.2, schedule="cosine")
    assert learning_rate_at(config, 0.0) == 0.2
    assert learning_rate_at(config, 0.5) == pytest.approx(0.1)
    assert learning_rate_at(config, 1.0) == pytest.approx(0.0)
    assert learning_rate_at(replace(config, schedule="constant"), 0.9) == 0.2


def test_the_bundled_sample_trains_to_at_least_90_percent(sample_mnist):
    config = TrainConfig(iterations=4, hidden_size=100)
    state = run(config, scaled(sample_mnist))
    assert state.history[-1].test_accuracy >= 0.90


def test_defaults_reach_97_percent_on_full_mnist(full_mnist):
    state = run(TrainConfig(), scaled(full_mnist))
    assert state.history[-1].test_accuracy >= 0.97


def test_the_labs_settings_run_cleanly_and_barely_learn(full_mnist):
    """Raw 0-255 pixels saturate the sigmoid: lr=0.01, 20 full-batch steps learn little."""
    config = TrainConfig(
        scale="raw",
        learning_rate=0.01,
        iterations=20,
        batch_size=None,
        hidden_size=200,
        seed=712,
        momentum=0.0,
        schedule="constant",
    )
    assert config == LAB  # the preset is the lab's settings
    X, y, Xt, yt = scaled(full_mnist, "raw")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = run(config, (X, y, Xt, yt)).history
    assert history[-1].reason == "finished 20 iterations"
    assert all(math.isfinite(p.train_loss) for p in history)
    assert history[-1].test_accuracy < 0.80
