"""A small convolutional network's forward pass, in NumPy: convolution, ReLU, max pooling.

Images are channels-last, (n, height, width, channels), float32. A convolution is "valid" (no
padding, stride 1): every k x k window of the input, its channels side by side, times the
kernel, through a strided view (no copy until the matmul). The layout of a network: CONV_NAMES
(two convolutions, each followed by ReLU and 2x2 max pooling) then a dense hidden layer (ReLU)
and the output logits. An ensemble is one ConvParams whose every array has a leading axis of
members (each member a network of the same sizes); its logits are the members' mean.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

CONV_NAMES = ("k1", "c1", "k2", "c2", "w3", "b3", "w4", "b4")


class ConvParams(NamedTuple):
    """Two convolutions, a dense hidden layer and the logits (shapes for 28x28 inputs)."""

    k1: np.ndarray  # (5, 5, 1, F1) the first kernels
    c1: np.ndarray  # (F1,)
    k2: np.ndarray  # (5, 5, F1, F2)
    c2: np.ndarray  # (F2,)
    w3: np.ndarray  # (4 * 4 * F2, H) the dense hidden layer
    b3: np.ndarray  # (H,)
    w4: np.ndarray  # (H, classes)
    b4: np.ndarray  # (classes,)


def windows(x: np.ndarray, k: int) -> np.ndarray:
    """Every k x k window of x (n, h, w, c) -> (n, h-k+1, w-k+1, k * k * c), its rows in the
    order of a kernel (k, k, c, f) reshaped to (k * k * c, f)."""
    n, h, w, c = x.shape
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # (n, h', w', c, k, k)
    view = view.transpose(0, 1, 2, 4, 5, 3)  # (n, h', w', k, k, c)
    return view.reshape(n, h - k + 1, w - k + 1, k * k * c)


def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid convolution (cross-correlation, as deep-learning libraries compute it):
    x (n, h, w, c), kernel (k, k, c, f), bias (f,) -> (n, h-k+1, w-k+1, f)."""
    k, _, c, f = kernel.shape
    return windows(x, k) @ kernel.reshape(k * k * c, f) + bias


def max_pool(x: np.ndarray) -> np.ndarray:
    """The largest of each 2x2 block: x (n, h, w, c), h and w even -> (n, h/2, w/2, c)."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), elementwise: any shape."""
    return np.maximum(x, 0)


def flat(a: np.ndarray) -> np.ndarray:
    """(n, ...) -> (n, the rest's size); n may be 0."""
    return a.reshape(len(a), int(np.prod(a.shape[1:])))


def conv_logits(params: ConvParams, X: np.ndarray) -> np.ndarray:
    """Images X (n, 784) in [0, 1] -> logits (n, classes); of an ensemble (k1 (m, 5, 5, 1, F1),
    every array with a leading axis of m members), the mean of the members' logits."""
    if params.k1.ndim == 5:
        members = [ConvParams(*(a[i] for a in params)) for i in range(len(params.k1))]
        return np.mean([one_network_logits(m, X) for m in members], axis=0)
    return one_network_logits(params, X)


def one_network_logits(params: ConvParams, X: np.ndarray) -> np.ndarray:
    """Images X (n, 784) in [0, 1] -> one network's logits (n, classes)."""
    x = X.reshape(-1, 28, 28, 1).astype(params.k1.dtype)
    a1 = max_pool(relu(conv2d(x, params.k1, params.c1)))  # (n, 12, 12, F1)
    a2 = max_pool(relu(conv2d(a1, params.k2, params.c2)))  # (n, 4, 4, F2)
    h = relu(flat(a2) @ params.w3 + params.b3)  # (n, H)
    return h @ params.w4 + params.b4
