import numpy as np
import pytest

from mlcore.functions import one_hot
from mlcore.network import Params, accuracy, backward, forward, init_params, loss, predict
from mlcore.optim import SGD
from mlcore.step import Workspace, loss_and_gradients


def small_problem(seed=0, n=12, n_inputs=6, hidden=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = init_params(rng, hidden, dtype=dtype, n_inputs=n_inputs)
    params.b1[:] = rng.standard_normal(hidden)  # nonzero biases exercise their gradients
    params.b2[:] = rng.standard_normal(10)
    X = rng.standard_normal((n, n_inputs))
    y = rng.integers(0, 10, n)
    return params, X.astype(dtype), y


def numerical_gradient(params: Params, X, y, eps=1e-6) -> Params:
    """Central finite differences of the loss with respect to every weight (float64)."""
    grads = params.zeros_like()
    for w, g in zip(params.arrays(), grads.arrays(), strict=True):
        for i in np.ndindex(w.shape):
            old = w[i]
            w[i] = old + eps
            up = loss(params, X, y)
            w[i] = old - eps
            down = loss(params, X, y)
            w[i] = old
            g[i] = (up - down) / (2 * eps)
    return grads


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def test_backprop_equals_central_finite_differences_in_float64():
    params, X, y = small_problem()
    analytic = backward(params, X, one_hot(y, dtype=np.float64), forward(params, X))
    numeric = numerical_gradient(params, X, y)
    for name, a, n in zip(
        ("w1", "b1", "w2", "b2"), analytic.arrays(), numeric.arrays(), strict=True
    ):
        assert relative_error(a, n) < 1e-6, name


@pytest.mark.parametrize("n", [1, 12, 700, 5000])  # one block, several, threads in parallel
def test_fused_step_returns_the_true_gradients_of_the_reference_backward(n):
    params, X, y = small_problem(n=n)
    ref = backward(params, X, one_hot(y, dtype=np.float64), forward(params, X))
    ws = Workspace(params, max_rows=n)
    loss_sum, correct = loss_and_gradients(params, X, y, ws)
    for a, b in zip(ref.arrays(), ws.grads.arrays(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(loss_sum / len(y), loss(params, X, y), rtol=1e-12)
    assert correct == np.sum(predict(params, X) == y)


def test_fused_step_in_float32_stays_close_to_float64():
    params, X, y = small_problem(n=40)
    ref = backward(params, X, one_hot(y, dtype=np.float64), forward(params, X))
    p32 = params.astype(np.float32)
    ws = Workspace(p32, max_rows=40)
    loss_and_gradients(p32, X.astype(np.float32), y, ws)
    for a, b in zip(ref.arrays(), ws.grads.arrays(), strict=True):
        assert b.dtype == np.float32
        assert relative_error(a, b) < 1e-5


def test_lab_init_has_the_labs_scale_and_is_reproducible():
    a = init_params(np.random.default_rng(712), 200)
    b = init_params(np.random.default_rng(712), 200)
    np.testing.assert_array_equal(a.w1, b.w1)
    assert a.w1.dtype == np.float32
    assert abs(a.w1.std() - np.sqrt(1 / 784)) < 0.002
    assert abs(a.w2.std() - np.sqrt(1 / 200)) < 0.01


def test_zero_init_keeps_hidden_units_identical_after_training_steps():
    rng = np.random.default_rng(1)
    params = init_params(rng, 4, init="zeros", dtype=np.float64, n_inputs=6)
    X, y = rng.standard_normal((30, 6)), rng.integers(0, 10, 30)
    ws, sgd = Workspace(params, max_rows=30), SGD.like(params)
    for _ in range(5):
        loss_and_gradients(params, X, y, ws)
        sgd.step(params, ws.grads, 0.5, momentum=0.0)
    assert np.abs(params.w2).sum() > 0  # it did learn something ...
    np.testing.assert_allclose(params.w1, params.w1[:, :1].repeat(4, axis=1))  # ... symmetrically
    np.testing.assert_allclose(params.w2, params.w2[:1].repeat(4, axis=0))


def test_init_scale_multiplies_the_initial_weights():
    a = init_params(np.random.default_rng(3), 10)
    b = init_params(np.random.default_rng(3), 10, init_scale=2.0)
    np.testing.assert_allclose(b.w1, 2 * a.w1, rtol=1e-6)


def test_init_rejects_an_unknown_rule_by_name():
    with pytest.raises(ValueError, match="'xavier'"):
        init_params(np.random.default_rng(0), 10, init="xavier")


def test_accuracy_counts_matching_predictions():
    params, X, _ = small_problem(n=12)
    y_pred = predict(params, X)
    y_half = y_pred.copy()
    y_half[:6] = (y_half[:6] + 1) % 10
    assert accuracy(params, X, y_pred) == 1.0
    assert accuracy(params, X, y_half) == 0.5
