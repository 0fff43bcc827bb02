import numpy as np
import pytest

from mlcore.functions import one_hot
from mlcore.network import Params, accuracy, backward, forward, init_params, loss, predict
from mlcore.step import Workspace, apply_update, loss_and_gradients


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
    ws, velocity = Workspace(params, max_rows=30), params.zeros_like()
    for _ in range(5):
        loss_and_gradients(params, X, y, ws)
        apply_update(params, ws.grads, velocity, 0.0, 0.5)
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


def test_momentum_update_is_pytorchs_sgd_with_the_rate_applied_to_the_velocity():
    p = Params(np.ones((2, 1)), np.zeros(1), np.zeros((1, 10)), np.zeros(10))
    g = Params(np.full((2, 1), 0.1), np.zeros(1), np.zeros((1, 10)), np.zeros(10))
    v = p.zeros_like()
    apply_update(p, g, v, 0.9, 0.5)  # v = 0.1; w = 1 - 0.05
    apply_update(p, g, v, 0.9, 0.5, velocity_rate=0.5)  # v = 0.19; w = 0.95 - 0.095
    np.testing.assert_allclose(v.w1, 0.5 * 0.19)  # velocity holds rate x PyTorch's buffer
    np.testing.assert_allclose(p.w1, 0.855)
    np.testing.assert_array_equal(g.w1, 0.1)  # the gradients are left as they were


def test_momentum_update_takes_pytorchs_steps_while_the_rate_changes():
    rng = np.random.default_rng(4)
    ours = Params(*(rng.standard_normal(a.shape) for a in small_problem()[0].arrays()))
    ref, ref_v, v = ours.copy(), ours.zeros_like(), ours.zeros_like()
    last = 0.0
    for rate in (0.5, 0.3, 0.05, 0.2):  # a schedule: the rate differs at every step
        g = Params(*(rng.standard_normal(a.shape) for a in ours.arrays()))
        apply_update(ours, g, v, 0.9, rate, velocity_rate=last)
        last = rate
        for w, gi, vi in zip(ref.arrays(), g.arrays(), ref_v.arrays(), strict=True):
            vi *= 0.9  # torch.optim.SGD(momentum=0.9): v = 0.9 v + g; w -= rate v
            vi += gi
            w -= rate * vi
        for a, b in zip(ours.arrays(), ref.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_steps_out_of_the_gemms_equal_the_plain_update(momentum):
    params, X, y = small_problem(n=30)
    ws = Workspace(params, max_rows=30)
    plain, folded = params.copy(), params.copy()
    v_plain, v_folded = params.zeros_like(), params.zeros_like()
    last = 0.0
    for rate in (0.25, 0.1):
        loss_and_gradients(plain, X, y, ws)
        true = [g.copy() for g in ws.grads.arrays()]
        apply_update(plain, ws.grads, v_plain, momentum, rate, last)
        loss_and_gradients(folded, X, y, ws, factor=rate)
        for a, b in zip(ws.grads.arrays(), true, strict=True):  # the steps themselves
            np.testing.assert_allclose(a, rate * b, rtol=1e-12, atol=1e-15)
        for a, b in zip(ws.gradients().arrays(), true, strict=True):  # divided back
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        apply_update(folded, ws.grads, v_folded, momentum, rate, last, grads_factor=rate)
        last = rate
        for a, b in zip(folded.arrays(), plain.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_plain_update_subtracts_rate_times_gradient_with_or_without_scratch():
    params, X, y = small_problem(n=30)
    ws = Workspace(params, max_rows=30)
    loss_and_gradients(params, X, y, ws)
    a, b = params.copy(), params.copy()
    apply_update(a, ws.grads, a.zeros_like(), 0.0, 0.25)
    apply_update(b, ws.grads, b.zeros_like(), 0.0, 0.25, scratch=ws.w1_half)
    arrays = zip(params.arrays(), a.arrays(), b.arrays(), ws.grads.arrays(), strict=True)
    for w, wa, wb, g in arrays:
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_allclose(wa, w - 0.25 * g, rtol=1e-15)
