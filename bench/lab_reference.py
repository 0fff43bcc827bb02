"""The lab's implementation, as written in the course notebook: the speed baseline.

Bias columns inserted with np.insert on every call (a copy of the whole input each time),
float64, raw 0-255 pixels, naive softmax. Kept here only to be measured against.
"""

from __future__ import annotations

import numpy as np


def prepend_bias(X):
    return np.insert(X, 0, 1, axis=1)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=1).reshape(-1, 1)


def sigmoid_gradient(sigmoid):
    return np.multiply(sigmoid, (1 - sigmoid))


def forward(X, w1, w2):
    h = sigmoid(np.matmul(prepend_bias(X), w1))
    y_hat = softmax(np.matmul(prepend_bias(h), w2))
    return (y_hat, h)


def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    w1_gradient = (
        np.matmul(prepend_bias(X).T, np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h))
        / X.shape[0]
    )
    return (w1_gradient, w2_gradient)


def initialize_weights(n_input_variables, n_hidden_nodes, n_classes, rng):
    w1_rows = n_input_variables + 1
    w1 = rng.standard_normal((w1_rows, n_hidden_nodes)) * np.sqrt(1 / w1_rows)
    w2_rows = n_hidden_nodes + 1
    w2 = rng.standard_normal((w2_rows, n_classes)) * np.sqrt(1 / w2_rows)
    return (w1, w2)


def step(X, Y, w1, w2, lr):
    """One full-batch gradient-descent step, as the lab's train() loop does it."""
    y_hat, h = forward(X, w1, w2)
    w1_gradient, w2_gradient = back(X, Y, y_hat, w2, h)
    w1 = w1 - (w1_gradient * lr)
    w2 = w2 - (w2_gradient * lr)
    return w1, w2
