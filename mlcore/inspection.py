"""Looking inside a network: mistakes, hidden units, saturation, symmetry, gradients.

Pure NumPy functions for the "Inside the network" page, the live diagnostics of training
reports and the lessons. Named `inspection`, not `inspect`, so it never shadows the standard
library's `inspect` module (which dataclasses import) when a file here is run as a script.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlcore.functions import N_CLASSES, cross_entropy_from_logits, one_hot, sigmoid
from mlcore.network import Params, backward, forward

# Saturated: sigmoid below 0.01 or above 0.99, i.e. |z| > ln 99 ≈ 4.6, where the slope
# sigma'(z) < 0.0099 is under 4% of its peak 0.25: such a unit passes almost no gradient.
SATURATION_Z = float(np.log(99.0))
Z_EDGES = np.linspace(-20.0, 20.0, 81)  # histogram bins of width 0.5; outliers go to the ends
PROBE_ROWS = 500  # training rows the live diagnostics look at
DISTINCT_RTOL = 1e-6  # units closer than this times the largest |weight| count as one
WEIGHT_NAMES = ("w1", "b1", "w2", "b2")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts (10, 10) int64: row = true digit, column = predicted digit."""
    pairs = np.asarray(y_true, np.int64) * N_CLASSES + np.asarray(y_pred, np.int64)
    return np.bincount(pairs, minlength=N_CLASSES**2).reshape(N_CLASSES, N_CLASSES)


def normalise_rows(counts: np.ndarray) -> np.ndarray:
    """Each row of counts (10, 10) as shares of its total (rows sum to 1; an empty row is 0)."""
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


def per_digit_accuracy(counts: np.ndarray) -> np.ndarray:
    """Share (10,) of each true digit predicted right; nan for a digit with no images."""
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(counts) / totals


class Mistakes(NamedTuple):
    """Misclassified images, most confident wrong answer first; every field (k,)."""

    index: np.ndarray  # row in the data set
    true: np.ndarray
    predicted: np.ndarray
    probability: np.ndarray  # the model's probability of its (wrong) prediction


def mistakes(
    proba: np.ndarray, y: np.ndarray, true: int | None = None, predicted: int | None = None
) -> Mistakes:
    """Wrong predictions of probabilities proba (n, 10) for labels y (n,), sorted by confidence.

    true / predicted keep only that true digit / that predicted digit (a confusion cell).
    """
    pred = np.argmax(proba, axis=1)
    keep = pred != y
    if true is not None:
        keep &= y == true
    if predicted is not None:
        keep &= pred == predicted
    index = np.flatnonzero(keep)
    confidence = proba[index, pred[index]]
    order = np.argsort(-confidence, kind="stable")
    return Mistakes(index[order], y[index][order], pred[index][order], confidence[order])


def hidden_unit_images(w1: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Incoming weights of each hidden unit as an image: w1 (784, H) -> (H, 28, 28).

    order (H,) of unit indices (e.g. np.argsort(-outgoing_weight_size(w2))) picks and sorts.
    """
    images = w1.T.reshape(-1, 28, 28)
    return images if order is None else images[order]


def outgoing_weight_size(w2: np.ndarray) -> np.ndarray:
    """How much each hidden unit speaks to the outputs: L2 norm of its row of w2 (H, 10) -> (H,)."""
    return np.sqrt(np.einsum("hk,hk->h", w2, w2))


def preactivations(params: Params, X: np.ndarray) -> np.ndarray:
    """Hidden pre-activations z = X @ w1 + b1: X (n, 784) -> (n, H)."""
    return X @ params.w1 + params.b1


def unit_saturation(z: np.ndarray) -> np.ndarray:
    """Share of rows in which each unit is saturated (|z| > SATURATION_Z): z (n, H) -> (H,)."""
    return np.mean(np.abs(z) > SATURATION_Z, axis=0)


def z_histogram(z: np.ndarray, edges: np.ndarray = Z_EDGES) -> np.ndarray:
    """Counts (len(edges) - 1,) of z's values; values beyond the edges count in the end bins."""
    clipped = np.clip(np.ravel(z), edges[0], edges[-1])
    return np.histogram(clipped, bins=edges)[0]


def activation_histogram(z: np.ndarray, bins: int = 20) -> np.ndarray:
    """Counts (bins,) of the activations sigmoid(z) (any shape) in equal bins over [0, 1]."""
    h = sigmoid(np.asarray(z, np.float64).ravel())
    return np.histogram(h, bins=bins, range=(0.0, 1.0))[0]


def saturated_share(z: np.ndarray) -> float:
    """Share of all pre-activations z (any shape) with |z| > SATURATION_Z."""
    return float(np.mean(np.abs(z) > SATURATION_Z)) if np.size(z) else float("nan")


def mean_sigmoid_slope(z: np.ndarray) -> float:
    """Mean of sigma'(z) = sigma(z) (1 - sigma(z)) over z (any shape); at most 0.25 (z = 0)."""
    s = sigmoid(np.asarray(z, np.float64))
    return float(np.mean(s * (1 - s))) if s.size else float("nan")


class ProbeStats(NamedTuple):
    """Hidden-layer and output health on a fixed set of rows."""

    saturated_share: float
    sigmoid_slope: float  # mean sigma'(z)
    max_abs_logit: float
    max_logit: float  # the largest signed logit: exp overflows only past +88.7 (float32)


def probe_rows(n: int, seed: int, k: int = PROBE_ROWS) -> np.ndarray:
    """k of n row indices (sorted), the same for a seed; from their own generator, so choosing
    them never changes the training generator's stream."""
    rng = np.random.default_rng([seed, 0x9B0BE])  # a stream of its own, derived from seed
    return np.sort(rng.choice(n, size=min(k, n), replace=False))


def probe_stats(params: Params, X_probe: np.ndarray) -> ProbeStats:
    """ProbeStats of the network on X_probe (k, 784): one forward pass of k rows."""
    z = preactivations(params, X_probe)
    h = sigmoid(z)
    logits = h @ params.w2 + params.b2  # (k, H) @ (H, 10)
    slope = float(np.mean(h * (1 - h), dtype=np.float64))
    largest = float(np.max(np.abs(logits), initial=0.0))
    return ProbeStats(saturated_share(z), slope, largest, float(np.max(logits, initial=-largest)))


def distinct_units(w1: np.ndarray, b1: np.ndarray, rtol: float = DISTINCT_RTOL) -> int:
    """How many hidden units differ: the symmetry measure (1 = all units identical).

    Unit j is (w1[:, j], b1[j]). Greedy grouping: a unit joins the first group whose first
    unit is within tol = rtol * max|weight| in every coordinate, else starts a new group.
    A fixed projection sorts the units, so only near neighbours are compared.
    """
    U = np.vstack([w1, b1[None, :]]).T.astype(np.float64)  # (H, d)
    tol = rtol * float(np.max(np.abs(U), initial=0.0))
    direction = np.cos(np.arange(U.shape[1]) * 1.618)  # fixed, unlikely to be orthogonal
    direction /= np.linalg.norm(direction)
    keys = U @ direction  # |key_i - key_j| <= ||U_i - U_j|| <= sqrt(d) max|U_i - U_j|
    reach = tol * np.sqrt(U.shape[1])
    order = np.argsort(keys, kind="stable")
    if np.all(np.diff(keys[order]) > reach):
        return U.shape[0]  # every unit far from its neighbours: the usual trained network
    leaders: list[int] = []
    first = 0  # leaders before this one are out of reach of every later key
    for i in order:
        while first < len(leaders) and keys[leaders[first]] < keys[i] - reach:
            first += 1
        near = leaders[first:]
        if not near or not np.any(np.max(np.abs(U[near] - U[i]), axis=1) <= tol):
            leaders.append(int(i))
    return len(leaders)


def gradient_norms(grads: Params) -> dict[str, float]:
    """L2 norm of each gradient array: {"w1": ..., "b1": ..., "w2": ..., "b2": ...}."""
    return {
        name: float(np.linalg.norm(g.ravel()))
        for name, g in zip(WEIGHT_NAMES, grads.arrays(), strict=True)
    }


class StepChange(NamedTuple):
    """What one gradient step changed on its batch."""

    loss_before: float
    loss_after: float
    update_norms: dict[str, float]  # L2 norm of (after - before) per array


def step_change(before: Params, after: Params, X: np.ndarray, y: np.ndarray) -> StepChange:
    """Loss on the batch X (n, 784), y (n,) before and after a step, and each layer's update."""
    deltas = Params(*(a - b for a, b in zip(after.arrays(), before.arrays(), strict=True)))
    return StepChange(
        cross_entropy_from_logits(forward(before, X).logits, y),
        cross_entropy_from_logits(forward(after, X).logits, y),
        gradient_norms(deltas),
    )


# Central differences measure a slope only to ~1e-11 here (the loss's rounding over 2 eps;
# 1.8e-11 the worst absolute difference of 800 checks of the default model, on a large
# gradient; 7.2e-13 the worst on gradients below this scale): the relative error of a gradient
# nearer zero would measure that noise (4.7e-5 seen for a correct 3e-7 gradient), so below
# this scale the absolute difference is what is judged (it must be under 1e-11).
SMALLEST_SCALE = 1e-5


class GradientCheckRow(NamedTuple):
    """One checked weight: analytic (backprop) vs numerical (central differences)."""

    name: str  # w1, b1, w2 or b2
    index: tuple[int, ...]
    analytic: float
    numerical: float
    relative_error: float  # |a - n| / max(|a| + |n|, SMALLEST_SCALE)


def gradient_check(
    params: Params, X: np.ndarray, y: np.ndarray, k: int = 5, eps: float = 1e-4, seed: int = 0
) -> list[GradientCheckRow]:
    """Check network.backward on k sampled weights of each array, in float64.

    X (n, 784), y (n,). Each weight is nudged by +-eps and the loss difference taken:
    (L(w + eps) - L(w - eps)) / (2 eps): its error ~eps^2 is truncation; a smaller eps
    trades it for rounding error (on the default model: max 6e-8 at 1e-4, 8e-6 at 1e-6).
    """
    p = params.astype(np.float64)
    X = np.asarray(X, np.float64)
    grads = backward(p, X, one_hot(y, dtype=np.float64), forward(p, X))
    rng = np.random.default_rng(seed)
    rows = []
    for name, w, g in zip(WEIGHT_NAMES, p.arrays(), grads.arrays(), strict=True):
        for flat in rng.choice(w.size, size=min(k, w.size), replace=False):
            i = np.unravel_index(flat, w.shape)
            numerical = _central_difference(p, w, i, X, y, eps)
            a = float(g[i])
            error = abs(a - numerical) / max(abs(a) + abs(numerical), SMALLEST_SCALE)
            rows.append(GradientCheckRow(name, tuple(int(j) for j in i), a, numerical, error))
    return rows


def _central_difference(p: Params, w: np.ndarray, i, X, y, eps: float) -> float:
    old = w[i]
    w[i] = old + eps
    up = cross_entropy_from_logits(forward(p, X).logits, y)
    w[i] = old - eps
    down = cross_entropy_from_logits(forward(p, X).logits, y)
    w[i] = old
    return (up - down) / (2 * eps)


class OnePass(NamedTuple):
    """One image through the network and back; shapes for H hidden units."""

    z1: np.ndarray  # (H,) hidden pre-activations
    h: np.ndarray  # (H,) sigmoid(z1)
    logits: np.ndarray  # (10,)
    softmax: np.ndarray  # (10,)
    loss: float  # -log softmax[label]
    d_logits: np.ndarray  # (10,) softmax - one_hot(label)
    top_units: np.ndarray  # (top,) hidden units with the largest |dZ1|, largest first
    top_dz1: np.ndarray  # (top,) their dZ1 = (w2 @ d_logits) * sigma'(z1)
    top_weights: list[tuple[str, tuple[int, ...], float]]  # (array, index, gradient)


def one_image_pass(params: Params, x: np.ndarray, label: int, top: int = 5) -> OnePass:
    """Forward and backward pass of one image x (784,) with its label, as numbers.

    top_weights: the top weights of w1 and w2 by |gradient|, which the next step (on this
    image alone) would change most: w -= learning_rate * gradient.
    """
    X = np.asarray(x, np.float64)[None, :]
    p = params.astype(np.float64)
    fwd = forward(p, X)
    grads = backward(p, X, one_hot(np.array([label]), dtype=np.float64), fwd)
    z1 = preactivations(p, X)[0]
    d_logits = fwd.y_hat[0] - np.eye(N_CLASSES)[label]
    dz1 = (p.w2 @ d_logits) * fwd.h[0] * (1 - fwd.h[0])  # (H, 10) @ (10,) -> (H,)
    units = np.argsort(-np.abs(dz1), kind="stable")[:top]
    candidates = [
        (name, tuple(int(j) for j in np.unravel_index(flat, g.shape)), float(g.flat[flat]))
        for name, g in (("w1", grads.w1), ("w2", grads.w2))
        for flat in np.argsort(-np.abs(g.ravel()), kind="stable")[:top]
    ]
    top_weights = sorted(candidates, key=lambda c: -abs(c[2]))[:top]
    loss = cross_entropy_from_logits(fwd.logits, np.array([label]))
    return OnePass(
        z1, fwd.h[0], fwd.logits[0], fwd.y_hat[0], loss, d_logits, units, dz1[units], top_weights
    )
