"""The lab's network: 784 inputs -> H sigmoid units -> 10 softmax outputs.

Readable reference math (forward, backward, loss) plus initialisation and prediction.
The training loop uses the fused, preallocated version in mlcore.step, tested against this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from mlcore.functions import N_CLASSES, cross_entropy_from_logits, sigmoid, softmax

N_INPUTS = 784
INITS = ("lab", "zeros")


@dataclass
class Params:
    """Weights of the network. w1 (784, H), b1 (H,), w2 (H, 10), b2 (10,)."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    @property
    def hidden_size(self) -> int:
        return self.w1.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.w1.dtype

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.w1, self.b1, self.w2, self.b2

    def astype(self, dtype) -> Params:
        """A copy of every array in dtype (float64 for gradient checks)."""
        return Params(*(a.astype(dtype, copy=True) for a in self.arrays()))

    def copy(self) -> Params:
        return self.astype(self.dtype)

    def zeros_like(self) -> Params:
        return Params(*(np.zeros_like(a) for a in self.arrays()))


class Forward(NamedTuple):
    """Activations of one forward pass: h (n, H), logits (n, 10), y_hat (n, 10)."""

    h: np.ndarray
    logits: np.ndarray
    y_hat: np.ndarray


def init_params(
    rng: np.random.Generator,
    hidden_size: int,
    init: str = "lab",
    init_scale: float = 1.0,
    dtype=np.float32,
    n_inputs: int = N_INPUTS,
) -> Params:
    """New weights: w1 (n_inputs, H), b1 (H,), w2 (H, 10), b2 (10,); biases start at 0.

    init="lab": standard normal * sqrt(1 / rows) * init_scale, the lab's rule.
    init="zeros": every weight 0 -- all hidden units stay identical (the symmetry problem).
    """
    if hidden_size < 1:
        raise ValueError(f"hidden_size must be >= 1, got {hidden_size}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if init == "zeros":
        w1 = np.zeros((n_inputs, hidden_size))
        w2 = np.zeros((hidden_size, N_CLASSES))
    else:
        w1 = rng.standard_normal((n_inputs, hidden_size)) * np.sqrt(1 / n_inputs) * init_scale
        w2 = rng.standard_normal((hidden_size, N_CLASSES)) * np.sqrt(1 / hidden_size) * init_scale
    b1 = np.zeros(hidden_size)
    b2 = np.zeros(N_CLASSES)
    return Params(w1, b1, w2, b2).astype(dtype)


def forward(params: Params, X: np.ndarray, softmax_fn=softmax) -> Forward:
    """Forward pass of X (n, 784) -> Forward(h (n, H), logits (n, 10), y_hat (n, 10)).

    softmax_fn: functions.softmax (stable), or functions.softmax_naive (the lab's formula).
    """
    h = sigmoid(X @ params.w1 + params.b1)  # (n, 784) @ (784, H) -> (n, H)
    logits = h @ params.w2 + params.b2  # (n, H) @ (H, 10) -> (n, 10)
    return Forward(h, logits, softmax_fn(logits))


def backward(params: Params, X: np.ndarray, Y: np.ndarray, fwd: Forward) -> Params:
    """Gradients of the mean cross-entropy, as the lab derives them; returned as a Params.

    X (n, 784), one-hot Y (n, 10), fwd from forward(params, X).
    """
    n = X.shape[0]
    d_logits = (fwd.y_hat - Y) / n  # softmax + cross-entropy gradient, (n, 10)
    dw2 = fwd.h.T @ d_logits  # (H, n) @ (n, 10) -> (H, 10)
    db2 = d_logits.sum(axis=0)
    d_z1 = (d_logits @ params.w2.T) * fwd.h * (1 - fwd.h)  # through w2^T and sigmoid', (n, H)
    dw1 = X.T @ d_z1  # (784, n) @ (n, H) -> (784, H)
    db1 = d_z1.sum(axis=0)
    return Params(dw1, db1, dw2, db2)


def loss(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the network on X (n, 784) with integer labels y (n,)."""
    return cross_entropy_from_logits(forward(params, X).logits, y)


def predict_proba(params: Params, X: np.ndarray, block_rows: int = 8192) -> np.ndarray:
    """Class probabilities (n, 10) for X (n, 784) or a single image (784,) -> (10,)."""
    if X.ndim == 1:
        return predict_proba(params, X[None, :], block_rows)[0]
    blocks = [forward(params, X[s : s + block_rows]).y_hat for s in range(0, len(X), block_rows)]
    return np.concatenate(blocks) if blocks else np.zeros((0, N_CLASSES), params.dtype)


def predict(params: Params, X: np.ndarray) -> np.ndarray:
    """Predicted digits (n,) for X (n, 784)."""
    return np.argmax(predict_proba(params, X), axis=-1)


def accuracy(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of X (n, 784) whose predicted digit equals y (n,)."""
    if len(y) == 0:
        raise ValueError("accuracy of an empty set is undefined")
    return float(np.mean(predict(params, X) == y))


def logit_gradient(params: Params, x: np.ndarray, digit: int) -> np.ndarray:
    """d logits[digit] / d x for one input x (784,) -> (784,): which pixels push toward digit.

    Through the hidden layer: w1 @ (w2[:, digit] * sigmoid'(z1)).
    """
    h = sigmoid(x @ params.w1 + params.b1)  # (H,)
    return params.w1 @ (params.w2[:, digit] * h * (1 - h))  # (784, H) @ (H,) -> (784,)
