"""Known mistakes in the lab's functions, as what each would return on the checks' inputs.

A function's result is compared with each of its known mistakes' results on the same input; a
match names the mistake in a sentence (lab_errors.py does the same for mistakes that raise).
Keys are stable: tests and the Class page count them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mlcore import lab_reference as ref


class Mistake(NamedTuple):
    key: str
    sentence: str
    produce: Callable  # the mistaken function: same arguments, what it would return


def _sum_axis0(logits):
    e = np.exp(logits)
    return e / np.sum(e, axis=0, keepdims=True)


def _global_max(logits):
    e = np.exp(logits - np.max(logits))
    return e / np.sum(e, axis=-1, keepdims=True)


def _back_with(X, Y, y_hat, w2, h, *, n=None, grad=ref.sigmoid_gradient, sign=1.0):
    """The reference's back with one piece changed (the divisor, the sigmoid gradient, a sign)."""
    n = X.shape[0] if n is None else n
    d = sign * (y_hat - Y)
    w2_gradient = np.matmul(ref.prepend_bias(h).T, d) / n
    w1_gradient = np.matmul(ref.prepend_bias(X).T, np.matmul(d, w2[1:].T) * grad(h)) / n
    return (w1_gradient, w2_gradient)


def _forward_with(X, w1, w2, hidden=ref.sigmoid, output=ref.softmax):
    h = hidden(np.matmul(ref.prepend_bias(X), w1))
    return (output(np.matmul(ref.prepend_bias(h), w2)), h)


def _sigmoid_of_sigmoid(s):
    return ref.sigmoid(s) * (1 - ref.sigmoid(s))


NOT_ON_OUTPUT = (
    "sigmoid_gradient takes the sigmoid's OUTPUT s = sigmoid(z), so its derivative is "
    "s * (1 - s); applying sigmoid again (the formula for z) gives a different number."
)
MISTAKES: dict[str, list[Mistake]] = {
    "prepend_bias": [
        Mistake(
            "bias_last",
            "The ones went in last; the bias is column 0: np.insert(X, 0, 1, axis=1).",
            lambda X: np.insert(X, X.shape[1], 1, axis=1),
        ),
        Mistake(
            "bias_row",
            "A row of ones was added (axis=0); the bias is a column: axis=1.",
            lambda X: np.insert(X, 0, 1, axis=0),
        ),
        Mistake(
            "bias_flattened",
            "np.insert without axis=1 flattens X to 1-D; pass axis=1.",
            lambda X: np.insert(X, 0, 1),
        ),
        Mistake(
            "bias_zeros",
            "The column is zeros; the bias input is always 1.",
            lambda X: np.insert(X, 0, 0, axis=1),
        ),
    ],
    "sigmoid": [
        Mistake(
            "sigmoid_sign",
            "The sign of z is flipped: sigmoid is 1 / (1 + np.exp(-z)).",
            lambda z: 1 / (1 + np.exp(z)),
        ),
        Mistake(
            "sigmoid_minus",
            "The denominator is 1 - e^-z; sigmoid is 1 / (1 + np.exp(-z)).",
            lambda z: 1 / (1 - np.exp(-z)),
        ),
    ],
    "softmax": [
        Mistake(
            "wrong_axis",
            "The sum runs over axis 0, down each column, across samples; each "
            "row (one sample) must sum to 1: sum over axis=1 (or -1) with keepdims=True.",
            _sum_axis0,
        ),
        Mistake(
            "sum_all",
            "It divides by the sum of the whole array; each row must sum to 1 on "
            "its own: np.sum(..., axis=1, keepdims=True).",
            lambda lg: np.exp(lg) / np.sum(np.exp(lg)),
        ),
        Mistake(
            "no_exp",
            "np.exp is missing: softmax divides e^logit by the row's sum of e^logit.",
            lambda lg: lg / np.sum(lg, axis=-1, keepdims=True),
        ),
        Mistake(
            "overflow",
            "At a logit of 1000, np.exp overflows to inf and inf / inf is nan. "
            "Subtract each row's max before np.exp (the stable softmax): the result is the same.",
            ref.softmax_naive,
        ),
        Mistake(
            "global_max",
            "It subtracts the whole array's max: a row far below it underflows "
            "to 0 / 0 = nan. Subtract each row's own max: np.max(logits, axis=1, keepdims=True).",
            _global_max,
        ),
    ],
    "sigmoid_gradient": [
        Mistake("gradient_of_z", NOT_ON_OUTPUT, _sigmoid_of_sigmoid),
        Mistake(
            "gradient_plus",
            "The derivative is s * (1 - s), not s * (1 + s).",
            lambda s: s * (1 + s),
        ),
    ],
    "loss": [
        Mistake(
            "forgot_n",
            "The sum is not divided by n: the loss is the mean over the rows, "
            "so divide by Y.shape[0].",
            lambda Y, y_hat: -np.sum(Y * np.log(y_hat)),
        ),
        Mistake(
            "divided_by_size",
            "It divides by Y.size (rows x classes); the mean is over the "
            "n rows only: divide by Y.shape[0].",
            lambda Y, y_hat: -np.sum(Y * np.log(y_hat)) / Y.size,
        ),
        Mistake(
            "loss_sign",
            "The minus sign is missing: cross-entropy is -sum(Y * log(y_hat)) / n.",
            lambda Y, y_hat: np.sum(Y * np.log(y_hat)) / Y.shape[0],
        ),
    ],
    "forward": [
        Mistake(
            "pair_swapped",
            "The pair is in the wrong order: forward returns (y_hat, h).",
            lambda X, w1, w2: ref.forward(X, w1, w2)[::-1],
        ),
        Mistake(
            "h_with_bias",
            "h came back with its bias column: return h (n, H) without it; "
            "prepend_bias(h) belongs only in the product with w2.",
            lambda X, w1, w2: (
                ref.forward(X, w1, w2)[0],
                ref.prepend_bias(ref.forward(X, w1, w2)[1]),
            ),
        ),
        Mistake(
            "only_y_hat",
            "Only y_hat came back: forward returns the pair (y_hat, h), back needs h.",
            lambda X, w1, w2: ref.forward(X, w1, w2)[0],
        ),
        Mistake(
            "sigmoid_output",
            "The output layer uses sigmoid: it must be softmax, so each row "
            "is a probability distribution.",
            lambda X, w1, w2: _forward_with(X, w1, w2, output=ref.sigmoid),
        ),
        Mistake(
            "no_hidden_sigmoid",
            "The hidden layer has no sigmoid: h = sigmoid(prepend_bias(X) @ w1).",
            lambda X, w1, w2: _forward_with(X, w1, w2, hidden=lambda z: z),
        ),
    ],
    "back": [
        Mistake(
            "forgot_n",
            "The gradients are not divided by n: each is a mean over the rows, "
            "so divide by X.shape[0].",
            lambda X, Y, y_hat, w2, h: _back_with(X, Y, y_hat, w2, h, n=1),
        ),
        Mistake(
            "gradient_of_z",
            "back applies the sigmoid gradient as if h were z: h is already sigmoid(z), "
            "so its derivative is h * (1 - h): sigmoid_gradient(h), taking the output.",
            lambda X, Y, y_hat, w2, h: _back_with(X, Y, y_hat, w2, h, grad=_sigmoid_of_sigmoid),
        ),
        Mistake(
            "gradient_sign",
            "The gradients have the opposite sign: use y_hat - Y, not Y - y_hat.",
            lambda X, Y, y_hat, w2, h: _back_with(X, Y, y_hat, w2, h, sign=-1.0),
        ),
        Mistake(
            "pair_swapped",
            "The pair is in the wrong order: back returns (w1_gradient, w2_gradient).",
            lambda X, Y, y_hat, w2, h: ref.back(X, Y, y_hat, w2, h)[::-1],
        ),
    ],
    "predict": [
        Mistake(
            "wrong_axis",
            "argmax runs over axis 0, across the samples; each sample's class is "
            "the argmax of its row: np.argmax(y_hat, axis=1).",
            lambda X, w1, w2: np.argmax(ref.forward(X, w1, w2)[0], axis=0),
        ),
        Mistake(
            "probabilities",
            "It returns the probabilities; predict returns each row's class: "
            "np.argmax(y_hat, axis=1).reshape(-1, 1).",
            lambda X, w1, w2: ref.forward(X, w1, w2)[0],
        ),
    ],
}
