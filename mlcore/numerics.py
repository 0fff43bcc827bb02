"""Naive versus stable softmax, side by side, with the floating-point warnings NumPy raised.

What the softmax page shows: where exp overflows, what that does to the outputs and the loss.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from mlcore.functions import log_softmax, softmax, softmax_naive


@dataclass(frozen=True)
class SoftmaxComparison:
    """Both softmaxes of logits (n, k), with their intermediate exponentials (n, k)."""

    logits: np.ndarray
    naive: np.ndarray
    stable: np.ndarray
    naive_exp: np.ndarray  # exp(logits): overflows to inf
    stable_exp: np.ndarray  # exp(logits - row max): always in (0, 1]
    warnings: tuple[str, ...]  # NumPy's RuntimeWarnings from the naive computation, deduplicated


def compare_softmax(logits, dtype=np.float64) -> SoftmaxComparison:
    """Run naive and stable softmax on logits (k,) or (n, k) in dtype; catch naive's warnings."""
    logits = np.atleast_2d(np.asarray(logits, dtype=dtype))
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"logits must be a vector or a table of rows, got shape {logits.shape}")
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        naive_exp = np.exp(logits)
        naive = softmax_naive(logits)
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    shifted = logits - logits.max(axis=1, keepdims=True)
    return SoftmaxComparison(logits, naive, softmax(logits), naive_exp, np.exp(shifted), messages)


def overflow_limit(dtype) -> float:
    """Largest x with finite exp(x): log(max float), ~88.72 in float32, ~709.78 in float64."""
    return float(np.log(np.finfo(dtype).max))


def breaking_point(top_logits: np.ndarray, dtype=np.float64) -> dict[str, np.ndarray]:
    """For logits [0, m] with each m in top_logits (q,): what naive and stable softmax make of them.

    Returns arrays (q,): p_top_naive, p_top_stable (probability of the larger logit) and
    loss_naive, loss_stable (cross-entropy were the smaller logit true: m + log(1 + e^-m)).
    """
    m = np.asarray(top_logits, dtype=dtype)
    logits = np.stack([np.zeros_like(m), m], axis=1)  # (q, 2)
    with np.errstate(all="ignore"):
        naive = softmax_naive(logits)
        loss_naive = -np.log(naive[:, 0])
    return {
        "p_top_naive": naive[:, 1],
        "p_top_stable": softmax(logits)[:, 1],
        "loss_naive": loss_naive,
        "loss_stable": -log_softmax(logits)[:, 0],
    }
