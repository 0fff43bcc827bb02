import numpy as np
import pytest

from mlcore.network import forward, init_params, logit_gradient
from mlcore.numerics import breaking_point, compare_softmax, overflow_limit


def test_overflow_limits_are_about_88_7_and_709_8():
    assert overflow_limit(np.float32) == pytest.approx(88.72, abs=0.01)
    assert overflow_limit(np.float64) == pytest.approx(709.78, abs=0.01)


def test_comparison_of_lab_c_shows_nan_naive_and_exact_stable_with_warnings():
    result = compare_softmax([1, 1000])
    assert np.isnan(result.naive).any()
    np.testing.assert_array_equal(result.stable, [[0.0, 1.0]])
    assert np.isinf(result.naive_exp[0, 1])
    assert result.stable_exp[0, 1] == 1.0
    assert any("overflow" in w for w in result.warnings)
    assert any("invalid value" in w for w in result.warnings)


def test_float32_breaks_where_float64_does_not():
    assert np.isnan(compare_softmax([[1, 100]], np.float32).naive).any()
    assert not np.isnan(compare_softmax([[1, 100]], np.float64).naive).any()
    assert compare_softmax([[1, 100]], np.float64).warnings == ()


def test_breaking_point_naive_fails_just_past_the_limit_stable_never():
    limit = overflow_limit(np.float64)
    curve = breaking_point(np.array([10.0, limit - 1, limit + 1, 1000.0]))
    assert np.isfinite(curve["p_top_naive"][:2]).all()
    assert np.isnan(curve["p_top_naive"][2:]).all()
    m = np.array([10.0, limit - 1, limit + 1, 1000.0])
    np.testing.assert_allclose(curve["loss_stable"], m + np.log1p(np.exp(-m)))
    assert np.isinf(curve["loss_naive"][2:]).all()
    np.testing.assert_allclose(curve["p_top_stable"][2:], 1.0)


def test_logit_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = init_params(rng, 7, dtype=np.float64, n_inputs=5)
    x = rng.standard_normal(5)
    grad = logit_gradient(params, x, 3)
    eps = 1e-6
    numeric = [
        (forward(params, x + eps * e).logits[3] - forward(params, x - eps * e).logits[3])
        / (2 * eps)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)
