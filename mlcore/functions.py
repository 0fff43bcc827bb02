"""Activation and loss functions of the lab's network, naive and numerically stable.

Every function takes 1-D (k,) or 2-D (n, k) arrays; the last axis is the class axis.
"""

from __future__ import annotations

import numpy as np

N_CLASSES = 10


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + e^-z), elementwise; same shape and dtype as z.

    Written as 0.5 * tanh(0.5 z) + 0.5: one transcendental, and no overflow for large |z|.
    """
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def softmax_naive(logits: np.ndarray) -> np.ndarray:
    """The lab's softmax, exactly as written there: exp(l) / sum(exp(l)) over axis 1.

    logits: (n, k). Kept for the comparison page: exp overflows to inf for logits above
    ~88.7 (float32) or ~709.8 (float64), and inf / inf is nan. A 1-D input raises AxisError,
    as in the lab.
    """
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=1).reshape(-1, 1)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Stable softmax over the last axis; logits (k,) or (n, k) -> probabilities, same shape.

    Subtracting the row max changes nothing mathematically (it cancels in the ratio) but
    keeps every exponent <= 0, so exp never overflows and the largest term is exactly 1.
    """
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log(softmax(logits)) without forming the probabilities; (k,) or (n, k), same shape.

    Finite for any finite logits, even where softmax itself underflows to 0.
    """
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def one_hot(y: np.ndarray, n_classes: int = N_CLASSES, dtype=np.float32) -> np.ndarray:
    """Labels y (n,) of ints in [0, n_classes) -> one-hot matrix Y (n, n_classes).

    The width is always n_classes (the lab used np.unique, which drops absent digits).
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)][0]
        raise ValueError(f"label {bad} is outside 0..{n_classes - 1}")
    Y = np.zeros((y.size, n_classes), dtype=dtype)
    Y[np.arange(y.size), y] = 1
    return Y


def cross_entropy(y_hat: np.ndarray, Y: np.ndarray, eps: float = 1e-12) -> float:
    """Mean cross-entropy -sum(Y log y_hat) / n of probabilities y_hat (n, k) vs one-hot Y (n, k).

    Probabilities are clipped at eps so a 0 (an underflowed softmax) gives a large finite
    loss, never -log(0) = inf. Prefer cross_entropy_from_logits when logits are at hand.
    """
    y_hat = np.atleast_2d(y_hat)
    Y = np.atleast_2d(Y)
    return float(-np.sum(Y * np.log(np.clip(y_hat, eps, 1.0))) / y_hat.shape[0])


def cross_entropy_from_logits(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of logits (n, k) against integer labels y (n,), via log_softmax.

    Exact even when the true class's probability underflows to 0.
    """
    logits = np.atleast_2d(logits)
    log_p = log_softmax(logits)
    return float(-np.mean(log_p[np.arange(logits.shape[0]), y]))
