"""SGD is PyTorch's rule with true gradients; FoldedStep takes the same steps with the rate
folded into the fused step's GEMMs."""

import numpy as np
import pytest

from mlcore.network import Params
from mlcore.optim import SGD, FoldedStep
from mlcore.step import Workspace, loss_and_gradients

from .test_network import small_problem


def test_momentum_update_is_pytorchs_sgd_and_keeps_pytorchs_buffer():
    p = Params(np.ones((2, 1)), np.zeros(1), np.zeros((1, 10)), np.zeros(10))
    g = Params(np.full((2, 1), 0.1), np.zeros(1), np.zeros((1, 10)), np.zeros(10))
    sgd = SGD.like(p)
    sgd.step(p, g, 0.5, momentum=0.9)  # buf = 0.1; w = 1 - 0.05
    sgd.step(p, g, 0.5, momentum=0.9)  # buf = 0.19; w = 0.95 - 0.095
    np.testing.assert_allclose(sgd.momentum_buffer().w1, 0.19)
    np.testing.assert_allclose(p.w1, 0.855)
    np.testing.assert_array_equal(g.w1, 0.1)  # the gradients are left as they were


def random_like(rng, params: Params) -> Params:
    return Params(*(rng.standard_normal(a.shape) for a in params.arrays()))


def test_momentum_update_takes_pytorchs_steps_while_the_rate_changes():
    rng = np.random.default_rng(4)
    ours = random_like(rng, small_problem()[0])
    ref, ref_v, sgd = ours.copy(), ours.zeros_like(), SGD.like(ours)
    for rate in (0.5, 0.3, 0.05, 0.2):  # a schedule: the rate differs at every step
        g = random_like(rng, ours)
        sgd.step(ours, g, rate, momentum=0.9)
        for w, gi, vi in zip(ref.arrays(), g.arrays(), ref_v.arrays(), strict=True):
            vi *= 0.9  # torch.optim.SGD(momentum=0.9): v = 0.9 v + g; w -= rate v
            vi += gi
            w -= rate * vi
        for a, b in zip(ours.arrays(), ref.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        for a, b in zip(sgd.momentum_buffer().arrays(), ref_v.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_the_folded_step_takes_sgds_steps_and_reports_true_gradients(momentum):
    params, X, y = small_problem(n=30)
    ws, folded_step = Workspace(params, max_rows=30), FoldedStep(params, max_rows=30)
    plain, folded = params.copy(), params.copy()
    sgd_plain, sgd_folded = SGD.like(params), SGD.like(params)
    for rate in (0.25, 0.1):
        loss_and_gradients(plain, X, y, ws)  # true gradients
        sgd_plain.step(plain, ws.grads, rate, momentum)
        folded_step(folded, X, y, rate)
        for a, b in zip(folded_step.gradients().arrays(), ws.grads.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        folded_step.update(sgd_folded, folded, rate, momentum)
        for a, b in zip(folded.arrays(), plain.arrays(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_plain_update_subtracts_rate_times_gradient_with_or_without_scratch():
    params, X, y = small_problem(n=30)
    ws = Workspace(params, max_rows=30)
    loss_and_gradients(params, X, y, ws)
    a, b = params.copy(), params.copy()
    SGD.like(a).step(a, ws.grads, 0.25, momentum=0.0)
    SGD.like(b).step(b, ws.grads, 0.25, momentum=0.0, scratch=ws.w1_half)
    arrays = zip(params.arrays(), a.arrays(), b.arrays(), ws.grads.arrays(), strict=True)
    for w, wa, wb, g in arrays:
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_allclose(wa, w - 0.25 * g, rtol=1e-15)
