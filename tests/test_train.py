import math
import pickle
import re
import warnings
from dataclasses import asdict, replace

import numpy as np
import pytest

from mlcore import inspection
from mlcore.lessons import LAB
from mlcore.scaling import fit_scaling
from mlcore.train import TrainConfig, learning_rate_at, new_state, train


def scaled(data, scale="standard"):
    s = fit_scaling(scale, data.X_train)
    return s.apply(data.X_train), data.y_train, s.apply(data.X_test), data.y_test


@pytest.fixture(scope="module")
def small(sample_mnist):
    """2,000 sample images: enough to learn, small enough for many runs."""
    X, y, Xt, yt = scaled(sample_mnist)
    return X[:2000], y[:2000], Xt[:500], yt[:500]


@pytest.fixture(scope="module")
def background(sample_mnist):
    """The scaled value of a black pixel in `small` (standardized with the sample's stats)."""
    return fit_scaling("standard", sample_mnist.X_train).background


def run(config, data, state=None, stop_after=None, background=None):
    state = state or new_state(config)
    for i, _ in enumerate(train(config, state, *data, background=background)):
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


@pytest.mark.parametrize(
    ("batch_size", "augment"), [(None, "none"), (128, "none"), (128, "affine")]
)
def test_stop_then_continue_equals_an_uninterrupted_run(small, background, batch_size, augment):
    config = TrainConfig(iterations=3, batch_size=batch_size, hidden_size=20, augment=augment)
    whole = run(config, small, background=background)
    parts = run(config, small, stop_after=2, background=background)
    assert not parts.finished
    parts = pickle.loads(pickle.dumps(parts))  # as a worker hands a paused run back
    parts = run(config, small, state=parts, background=background)
    assert comparable(parts.history) == comparable(whole.history)
    for a, b in zip(parts.params.arrays(), whole.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_full_batch_reports_once_per_iteration_with_test_accuracy(small):
    config = TrainConfig(iterations=4, batch_size=None, hidden_size=10, momentum=0.0)
    history = run(config, small).history
    assert [p.iteration for p in history] == [1, 2, 3, 4]
    assert all(p.test_accuracy is not None for p in history)
    assert history[-1].done and history[-1].reason == "finished 4 iterations"


def test_mini_batch_reports_ten_times_per_pass_and_tests_twice_after_early_reports(small):
    config = TrainConfig(iterations=2, batch_size=20, hidden_size=10)  # 100 batches a pass
    history = run(config, small).history
    early = [0.01, 0.02, 0.04, 0.08]  # the first pass starts with batches 1, 2, 4, 8
    regular = [round(0.1 * k, 2) for k in range(1, 21)]
    assert [round(p.iteration, 2) for p in history] == early + regular
    tested = [round(p.iteration, 2) for p in history if p.test_accuracy is not None]
    assert tested == [0.08, 0.5, 1.0, 1.5, 2.0]
    assert [p.steps for p in history[:4]] == [1, 2, 4, 8]
    assert history[-1].steps == 200 and history[-1].images_seen == 4000
    plain = list(train(config, new_state(config), *small, early_reports=False))
    assert [round(p.iteration, 2) for p in plain] == regular  # the benchmarks' plain epoch
    np.testing.assert_array_equal(plain[-1].train_loss, history[-1].train_loss)  # same run


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
        ("augment", "warp"),
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


@pytest.mark.parametrize(
    ("field", "value"), [("softmax", "exact"), ("dtype", "float16"), ("seed", -1)]
)
def test_new_options_reject_bad_values_by_name(field, value):
    with pytest.raises(ValueError, match=f"{field}={value!r}"):
        TrainConfig(**{field: value})


def test_the_naive_softmax_overflows_to_nan_and_names_the_logit_while_stable_keeps_going(
    sample_mnist,
):
    data = scaled(sample_mnist, "raw")
    naive = replace(LAB, learning_rate=10.0, softmax="naive")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        last = run(naive, data).history[-1]
        stable = run(replace(naive, softmax="stable"), data).history
    assert last.done and last.diverged
    assert re.fullmatch(
        r"loss is nan at iteration \d+: a logit reached \+(\d+\.\d), past \+88\.7 where exp "
        r"overflows float32",
        last.reason,
    )
    assert float(re.search(r"reached \+(\S+),", last.reason)[1]) > 88.7  # signed: positive
    assert len(stable) > last.iteration and all(math.isfinite(p.train_loss) for p in stable)


def test_naive_and_stable_softmax_train_to_the_same_weights_while_logits_are_small(small):
    config = TrainConfig(iterations=1, batch_size=500, hidden_size=10, dtype="float64")
    data = (small[0].astype(np.float64), *small[1:])
    a = run(config, data)
    b = run(replace(config, softmax="naive"), data)
    np.testing.assert_allclose(a.params.w1, b.params.w1, rtol=1e-9, atol=1e-12)


def test_inputs_of_another_dtype_are_rejected_with_the_fix(small):
    with pytest.raises(ValueError, match=r"X has dtype float32 but dtype='float64'.*apply"):
        run(TrainConfig(dtype="float64"), small)


def test_float64_all_zero_weights_keep_exactly_one_distinct_hidden_unit(small):
    config = TrainConfig(init="zeros", dtype="float64", iterations=2, hidden_size=30)
    data = (small[0].astype(np.float64), *small[1:])
    state = run(config, data)
    assert state.params.w1.dtype == np.float64
    measured = [p.distinct_units for p in state.history if p.distinct_units is not None]
    assert len(measured) >= 10 and set(measured) == {1}
    assert state.history[-1].distinct_units == 1
    assert np.abs(state.params.w1).max() > 0  # it learned, symmetrically


def test_reports_carry_diagnostics_and_stay_small_and_picklable(small):
    history = run(TrainConfig(iterations=1, batch_size=100, hidden_size=20), small).history
    last = history[-1]
    for name in ("grad_norm_w1", "grad_norm_b1", "grad_norm_w2", "grad_norm_b2"):
        assert getattr(last, name) > 0
    assert 0 <= last.saturated_share <= 1 and 0 < last.sigmoid_slope <= 0.25
    assert last.distinct_units == 20 and last.max_abs_logit > 0
    assert len(pickle.dumps(last)) < 1000
    assert all(type(v) in (int, float, bool, str, type(None)) for v in asdict(last).values())
    assert pickle.loads(pickle.dumps(last)) == last


def test_reports_without_diagnostics_leave_them_none_and_train_the_same(small):
    config = TrainConfig(iterations=1, batch_size=100, hidden_size=20)
    a, b = new_state(config), new_state(config)
    list(train(config, a, *small))
    list(train(config, b, *small, diagnostics=False))
    assert b.history[-1].saturated_share is None and b.history[-1].grad_norm_w1 is None
    np.testing.assert_array_equal(a.params.w1, b.params.w1)


def test_a_diverged_report_counts_the_step_that_diverged_and_its_time(sample_mnist):
    config = TrainConfig(batch_size=None, hidden_size=10, learning_rate=1e38, scale="raw")
    state = run(config, scaled(sample_mnist, "raw"))
    last = state.history[-1]
    assert last.diverged
    assert last.iteration == last.steps + 1  # the tried step, not the last applied one
    assert last.elapsed > 0


@pytest.mark.parametrize("batch_size", [None, 128])
def test_single_steps_then_continuing_give_the_weights_of_an_uninterrupted_run(small, batch_size):
    config = TrainConfig(iterations=30 if batch_size is None else 2, batch_size=batch_size)
    config = replace(config, hidden_size=20)
    whole = run(config, small)
    parts = new_state(config)
    for k in range(3):
        reports = list(train(config, parts, *small, max_batches=1))
        assert len(reports) == 1 and not reports[0].done and parts.steps == k + 1
    reports = list(train(config, parts, *small, max_batches=20))  # "+ some batches"
    assert not reports[-1].done
    list(train(config, parts, *small))
    assert parts.finished and parts.steps == whole.steps
    for a, b in zip(parts.params.arrays(), whole.params.arrays(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_max_batches_must_be_positive(small):
    with pytest.raises(ValueError, match="max_batches=0"):
        list(train(TrainConfig(), new_state(TrainConfig()), *small, max_batches=0))


@pytest.mark.parametrize("steps", [1, 3, 20, 21])  # a pass of 2,000 rows is 20 batches
def test_last_batch_rows_are_the_rows_the_last_step_trained_on(small, steps):
    from mlcore.functions import one_hot
    from mlcore.network import backward, forward
    from mlcore.train import last_batch_rows

    config = TrainConfig(
        iterations=2, batch_size=100, hidden_size=8, momentum=0.0, schedule="constant"
    )
    state = new_state(config)
    if steps > 1:
        for _ in train(config, state, *small, max_batches=steps - 1):
            pass
    before = state.params.copy()
    for _ in train(config, state, *small, max_batches=1):
        pass
    rows = last_batch_rows(state, 2000, 100)
    X, y = small[0][rows].astype(np.float64), small[1][rows]
    p = before.astype(np.float64)
    grads = backward(p, X, one_hot(y, dtype=np.float64), forward(p, X))
    expected = p.w1 - config.learning_rate * grads.w1  # one plain gradient step on those rows
    np.testing.assert_allclose(state.params.w1, expected, atol=1e-5)


def test_augment_is_refused_with_full_batch_by_name():
    with pytest.raises(ValueError, match="augment='elastic' needs mini-batches"):
        TrainConfig(augment="elastic", batch_size=None)


def test_augment_without_a_background_is_refused_naming_the_fix(small):
    config = TrainConfig(augment="affine")
    with pytest.raises(
        ValueError, match=r"augment=.affine. needs background=.*Scaling\.background"
    ):
        list(train(config, new_state(config), *small))


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_scaling_background_is_a_scaled_black_pixel(sample_mnist, scale):
    scaling = fit_scaling(scale, sample_mnist.X_train)
    black = scaling.apply(np.zeros((1, 784), np.uint8))
    assert scaling.background == pytest.approx(float(black[0, 0]), rel=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_augmented_batches_train_other_weights_than_plain_ones_in_the_run_dtype(
    small, background, dtype
):
    config = TrainConfig(iterations=1, batch_size=100, hidden_size=20, dtype=dtype)
    data = (small[0].astype(dtype), *small[1:])
    plain = new_state(config)
    list(train(config, plain, *data, max_batches=3))
    for kind in ("affine", "elastic"):
        state = new_state(replace(config, augment=kind))
        list(
            train(replace(config, augment=kind), state, *data, max_batches=3, background=background)
        )
        assert state.params.w1.dtype == np.dtype(dtype)
        assert not np.allclose(state.params.w1, plain.params.w1)


def test_augmentation_leaves_x_the_test_set_and_the_probe_undistorted(small, background):
    config = TrainConfig(iterations=1, batch_size=100, hidden_size=20, augment="elastic")
    X = small[0].copy()
    X.flags.writeable = False  # as the worker's cached data is
    state = new_state(config)
    last = list(train(config, state, X, *small[1:], max_batches=10, background=background))[-1]
    np.testing.assert_array_equal(X, small[0])
    probe = X[inspection.probe_rows(len(X), config.seed)]
    stats = inspection.probe_stats(state.params, probe)
    assert last.saturated_share == stats.saturated_share
    assert last.sigmoid_slope == stats.sigmoid_slope


def test_the_distortion_presets_differ_only_in_augment():
    from mlcore.lessons import PRESET_WORDS, PRESETS

    a = PRESETS[PRESET_WORDS["elastic"]]
    b = PRESETS[PRESET_WORDS["elastic-off"]]
    differ = {k for k, v in a.as_dict().items() if b.as_dict()[k] != v}
    assert differ == {"augment"} and a.augment == "elastic"


def test_after_the_first_pass_diagnostics_come_with_the_test_reports(small):
    history = run(TrainConfig(iterations=3, batch_size=100, hidden_size=8), small).history
    later = [p for p in history if p.iteration > 1]
    assert later and all(
        (p.saturated_share is not None) == (p.test_accuracy is not None) for p in later
    )
    assert all(p.saturated_share is not None for p in history if p.iteration <= 1)
