"""SGD with momentum (PyTorch's rule), and the one fused step that folds its rate into the GEMMs.

SGD.step takes true gradients. FoldedStep is the hot path's shortcut: the fused step
(mlcore.step) computes rate x the gradients at no cost (the rate scales the 10 x n d_logits,
which every gradient inherits), so the update never forms rate x g, a pass over the weights
that cost 4-7% of a mini-batch step. This module is the only code that knows gradients can
come scaled: FoldedStep.gradients() gives true ones.
"""

from __future__ import annotations

import numpy as np

from mlcore import step as fused
from mlcore.network import Params


class SGD:
    """PyTorch's SGD: buf = momentum buf + g; w -= rate buf (momentum 0: w -= rate g).

    Owns the velocity as last_step = rate x buf, the change the last step made to the weights
    (w -= last_step), so an update ends in one subtraction; last_rate is the rate it was taken
    at (0.0 before the first step). A rate that changes (cosine, the range test) rescales it:
    rate buf = momentum (rate / last_rate) (last_rate buf_old) + rate g -- PyTorch's steps
    exactly, up to rounding. momentum is the run's setting, given with each step like the rate,
    so what a checkpoint keeps is state only.
    """

    def __init__(self, last_step: Params, last_rate: float = 0.0):
        self.last_step = last_step
        self.last_rate = last_rate

    @classmethod
    def like(cls, params: Params) -> SGD:
        """A fresh optimizer for weights shaped like params (no step taken yet)."""
        return cls(params.zeros_like())

    def momentum_buffer(self) -> Params:
        """PyTorch's momentum_buffer (a copy, shaped like the weights): last_step / last_rate."""
        rate = self.last_rate or 1.0  # before a step last_step is all zeros
        return Params(*(s / rate for s in self.last_step.arrays()))

    def step(
        self,
        params: Params,
        grads: Params,
        rate: float,
        momentum: float,
        scratch: np.ndarray | None = None,
    ) -> None:
        """Update params in place from true grads at this rate; grads stay unchanged.

        scratch: an array shaped like w1 (Workspace.w1_half) to hold rate x g without allocating.
        """
        self._apply(params, grads, rate, momentum, 1.0, scratch)

    def _apply(self, params, grads, rate, momentum, grads_scale, scratch) -> None:
        """grads hold grads_scale x the gradients; when that is rate, rate x g is never formed:
        last_step *= decay; last_step += g; w -= last_step (no momentum: w -= g)."""
        factor = rate / grads_scale
        decay = _decay(momentum, rate, self.last_rate)
        arrays = zip(params.arrays(), grads.arrays(), self.last_step.arrays(), strict=True)
        for w, g, v in arrays:
            if factor != 1.0:
                tmp = scratch if scratch is not None and scratch.shape == w.shape else None
                g = np.multiply(g, factor, out=tmp)
            if decay is None:
                w -= g
                continue
            if decay:
                v *= decay
                v += g
            else:  # the first step (or one after a rate of 0): no velocity to keep
                v[...] = g
            w -= v
        self.last_rate = rate


def _decay(momentum: float, rate: float, last_rate: float) -> float | None:
    """What last_step (rate x buf) is multiplied by before adding this step: None = no momentum."""
    if not momentum:
        return None
    return momentum * rate / last_rate if last_rate else 0.0


class FoldedStep:
    """One batch's loss, gradients and SGD update, the rate folded into the fused step's GEMMs.

    Call it for (loss sum, rows right), then update() to apply the step (the caller may skip
    it, e.g. when the loss diverged). Holds its Workspace (up to max_rows rows).
    """

    max_logit = None  # only the naive softmax's step reports its largest logit

    def __init__(self, params: Params, max_rows: int):
        self.ws = fused.Workspace(params, max_rows)
        self.scale = 1.0  # ws.grads holds scale x the gradients

    def __call__(
        self, params: Params, X: np.ndarray, y: np.ndarray, rate: float
    ) -> tuple[float, int]:
        """(sum of the rows' losses, rows predicted right) of X (n, 784), y (n,) at params."""
        self.scale = rate or 1.0
        # through the module: a test that patches step.loss_and_gradients sees every call
        return fused.loss_and_gradients(params, X, y, self.ws, scale=self.scale)

    def update(self, sgd: SGD, params: Params, rate: float, momentum: float) -> None:
        """Apply the gradients just computed to params with sgd at this rate."""
        sgd._apply(params, self.ws.grads, rate, momentum, self.scale, self.ws.w1_half)

    def gradients(self) -> Params:
        """The last step's true gradients (a copy when the rate was folded in)."""
        if self.scale == 1.0:
            return self.ws.grads
        return Params(*(g / self.scale for g in self.ws.grads.arrays()))
