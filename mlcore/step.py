"""The training step on the hot path: forward, loss and gradients fused over row blocks.

Same math as network.forward/backward (tested equal), but into preallocated buffers and in
blocks of rows small enough that the element-wise work stays in cache between the two GEMMs.
"""

from __future__ import annotations

import numpy as np

from mlcore.network import Params

BLOCK_ROWS = 2048


class Workspace:
    """Scratch buffers for blocks of up to block_rows rows of a network of hidden_size units."""

    def __init__(self, params: Params, block_rows: int = BLOCK_ROWS):
        dt, H, n_in = params.dtype, params.hidden_size, params.w1.shape[0]
        self.block_rows = block_rows
        self.h = np.empty((block_rows, H), dt)  # hidden activations of the block
        self.d_z1 = np.empty((block_rows, H), dt)
        self.p = np.empty((block_rows, params.w2.shape[1]), dt)  # probabilities, then d_logits
        self.row_max = np.empty((block_rows, 1), dt)
        self.row_sum = np.empty((block_rows, 1), dt)
        self.dw1_part = np.empty((n_in, H), dt)
        self.dw2_part = np.empty_like(params.w2)
        self.grads = params.zeros_like()


def loss_and_gradients(
    params: Params, X: np.ndarray, y: np.ndarray, ws: Workspace
) -> tuple[float, int]:
    """Gradients of the mean cross-entropy on X (n, 784), y (n,) into ws.grads.

    Returns (sum of per-row losses, number of rows predicted right), both from the same
    forward pass, so reporting the training loss costs no second pass.
    """
    g = ws.grads
    for a in g.arrays():
        a.fill(0)
    n = X.shape[0]
    loss_sum, n_correct = 0.0, 0
    for start in range(0, n, ws.block_rows):
        Xb, yb = X[start : start + ws.block_rows], y[start : start + ws.block_rows]
        block_loss, block_correct = _block(params, Xb, yb, 1.0 / n, ws, first=start == 0)
        loss_sum += block_loss
        n_correct += block_correct
    return loss_sum, n_correct


def _block(params: Params, Xb, yb, inv_n: float, ws: Workspace, first: bool) -> tuple[float, int]:
    """Add one row block's gradient contribution to ws.grads; return its loss sum and hits."""
    b = Xb.shape[0]
    rows = np.arange(b)
    h, d_z1, p = ws.h[:b], ws.d_z1[:b], ws.p[:b]
    row_max, row_sum = ws.row_max[:b], ws.row_sum[:b]
    g = ws.grads

    np.matmul(Xb, params.w1, out=h)  # (b, 784) @ (784, H) -> (b, H)
    h += params.b1
    h *= 0.5  # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, in place
    np.tanh(h, out=h)
    h *= 0.5
    h += 0.5
    np.matmul(h, params.w2, out=p)  # logits, (b, H) @ (H, 10) -> (b, 10)
    p += params.b2
    np.max(p, axis=1, keepdims=True, out=row_max)
    n_correct = int(np.count_nonzero(np.argmax(p, axis=1) == yb))
    p -= row_max  # shift so exp never overflows
    true_logit = p[rows, yb]
    np.exp(p, out=p)
    np.sum(p, axis=1, keepdims=True, out=row_sum)
    loss_sum = float(np.sum(np.log(row_sum[:, 0]) - true_logit))  # -log softmax[y]
    p /= row_sum
    p[rows, yb] -= 1  # softmax + cross-entropy gradient: (y_hat - Y) / n
    p *= inv_n

    np.matmul(h.T, p, out=ws.dw2_part)  # (H, b) @ (b, 10)
    g.w2 += ws.dw2_part
    g.b2 += p.sum(axis=0)
    np.matmul(p, params.w2.T, out=d_z1)  # (b, 10) @ (10, H) -> (b, H)
    d_z1 *= h  # times sigmoid' = h (1 - h)
    np.subtract(1, h, out=h)
    d_z1 *= h
    g.b1 += d_z1.sum(axis=0)
    if first:  # the first block writes dw1 directly, saving one (784, H) add
        np.matmul(Xb.T, d_z1, out=g.w1)  # (784, b) @ (b, H) -> (784, H)
    else:
        np.matmul(Xb.T, d_z1, out=ws.dw1_part)
        g.w1 += ws.dw1_part
    return loss_sum, n_correct


def apply_update(
    params: Params,
    grads: Params,
    velocity: Params,
    learning_rate: float,
    momentum: float,
) -> None:
    """Gradient descent with optional momentum, in place: v = m v - lr g; w += v."""
    for w, dw, v in zip(params.arrays(), grads.arrays(), velocity.arrays(), strict=True):
        if momentum:
            v *= momentum
            v -= learning_rate * dw
            w += v
        else:
            w -= learning_rate * dw
