import warnings

import numpy as np
import pytest

from mlcore.functions import (
    cross_entropy,
    cross_entropy_from_logits,
    log_softmax,
    one_hot,
    sigmoid,
    softmax,
    softmax_naive,
)

LAB_A = np.array([[0.3, 0.8, 0.2], [0.1, 0.9, 0.1]])
LAB_A_SOFTMAX = np.array(
    [[0.28140804, 0.46396343, 0.25462853], [0.23665609, 0.52668782, 0.23665609]]
)


def test_softmax_matches_the_labs_printed_values():
    np.testing.assert_allclose(softmax(LAB_A), LAB_A_SOFTMAX, atol=1e-8)
    np.testing.assert_allclose(softmax_naive(LAB_A), LAB_A_SOFTMAX, atol=1e-8)


def test_naive_softmax_is_nan_for_logit_1000_where_stable_gives_0_1():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        naive = softmax_naive(np.array([[1.0, 1000.0]]))
    assert np.isnan(naive).any()
    np.testing.assert_array_equal(softmax(np.array([1.0, 1000.0])), [0.0, 1.0])


def test_naive_softmax_overflow_raises_overflow_and_invalid_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        softmax_naive(np.array([[1.0, 1000.0]]))
    messages = " ".join(str(w.message) for w in caught)
    assert "overflow encountered in exp" in messages
    assert "invalid value encountered in divide" in messages


def test_naive_softmax_rejects_a_1d_vector_like_the_lab():
    with pytest.raises(np.exceptions.AxisError):
        softmax_naive(np.array([1.0, 20.0]))


def test_stable_softmax_accepts_1d_and_2d():
    v = np.array([1.0, 20.0])
    np.testing.assert_allclose(softmax(v), softmax(v[None, :])[0])
    assert softmax(v).shape == (2,)


def test_naive_and_stable_agree_wherever_naive_is_finite():
    rng = np.random.default_rng(0)
    for dtype, top in ((np.float32, 120), (np.float64, 900)):
        logits = (rng.standard_normal((500, 10)) * rng.uniform(0, top, (500, 1))).astype(dtype)
        with np.errstate(all="ignore"):
            naive = softmax_naive(logits)
        finite = np.isfinite(naive).all(axis=1)
        assert 0 < finite.sum() < len(logits)  # both regimes are exercised
        np.testing.assert_allclose(naive[finite], softmax(logits)[finite], rtol=1e-4, atol=1e-6)


def test_stable_softmax_rows_sum_to_one_for_huge_logits():
    logits = np.array([[1e30, -1e30, 0.0], [-5000.0, -5001.0, -5002.0]])
    np.testing.assert_allclose(softmax(logits).sum(axis=1), 1.0)


def test_log_softmax_is_finite_where_softmax_underflows():
    logits = np.array([0.0, 2000.0])
    assert softmax(logits)[0] == 0.0
    np.testing.assert_allclose(log_softmax(logits), [-2000.0, 0.0])


def test_cross_entropy_is_finite_with_a_zero_probability():
    y_hat = np.array([[0.0, 1.0], [0.5, 0.5]])
    Y = np.array([[1.0, 0.0], [1.0, 0.0]])
    value = cross_entropy(y_hat, Y)
    assert np.isfinite(value) and value > 10


def test_cross_entropy_from_logits_is_exact_where_probability_underflows():
    assert cross_entropy_from_logits(np.array([[0.0, 2000.0]]), np.array([0])) == 2000.0


def test_cross_entropy_of_lab_values_matches_hand_computation():
    Y = one_hot(np.array([1, 0]), n_classes=3)
    expected = -(np.log(0.46396343) + np.log(0.23665609)) / 2
    np.testing.assert_allclose(cross_entropy(LAB_A_SOFTMAX, Y), expected, rtol=1e-7)
    np.testing.assert_allclose(
        cross_entropy_from_logits(LAB_A, np.array([1, 0])), expected, rtol=1e-7
    )


def test_one_hot_of_a_batch_lacking_a_digit_still_has_10_columns():
    Y = one_hot(np.array([3, 3, 7]))
    assert Y.shape == (3, 10)
    np.testing.assert_array_equal(Y.argmax(axis=1), [3, 3, 7])
    assert Y.sum() == 3


def test_one_hot_names_a_label_out_of_range():
    with pytest.raises(ValueError, match="label 12"):
        one_hot(np.array([1, 12]))


def test_sigmoid_matches_the_logistic_formula_and_never_overflows():
    z = np.array([-1000.0, -3.0, 0.0, 2.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-12)
    assert s[0] == 0.0 and s[-1] == 1.0
