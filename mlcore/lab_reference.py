"""The lab's functions as the course notebook writes them: our reference for the checks.

Weights carry the bias as their first row: w1 is (785, H), w2 is (H + 1, 10). Everything is
float64; prepend_bias copies its input with np.insert on every call. The checks compare a
student's functions with these (mlcore/check.py); the "Train with my code" reference run trains
this very source; bench/bench.py measures its step against our fused one. Deliberately written
in the lab's style, not ours (mlcore/network.py and mlcore/step.py are the app's own).
"""

import numpy as np


def prepend_bias(X):
    """X (n, d) -> (n, d + 1): a column of ones inserted at position 0."""
    return np.insert(X, 0, 1, axis=1)


def sigmoid(z):
    """The logistic function, element by element: any shape -> the same shape."""
    return 1 / (1 + np.exp(-z))


def softmax_naive(logits):
    """The lab's first softmax: (n, k) -> (n, k); nan at a logit of 1000 (exp overflows)."""
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=1).reshape(-1, 1)


def softmax(logits):
    """Stable softmax over the last axis: (n, k) -> (n, k), rows summing to 1; (k,) -> (k,).

    Subtracting each row's max leaves the result unchanged and keeps np.exp from overflowing.
    """
    exponentials = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def sigmoid_gradient(sigmoid):
    """The sigmoid's derivative from its OUTPUT s = sigmoid(z): s * (1 - s), same shape."""
    return np.multiply(sigmoid, (1 - sigmoid))


def loss(Y, y_hat):
    """Mean cross-entropy: Y one-hot (n, k), y_hat (n, k) -> a float."""
    return -np.sum(Y * np.log(y_hat)) / Y.shape[0]


def forward(X, w1, w2):
    """X (n, d), w1 (d + 1, H), w2 (H + 1, k) -> (y_hat (n, k), h (n, H) without its bias)."""
    h = sigmoid(np.matmul(prepend_bias(X), w1))
    y_hat = softmax(np.matmul(prepend_bias(h), w2))
    return (y_hat, h)


def back(X, Y, y_hat, w2, h):
    """Gradients of the mean loss: (w1_gradient (d + 1, H), w2_gradient (H + 1, k)).

    (y_hat - Y) / n is the softmax + cross-entropy gradient at the logits; going back through
    w2 skips its bias row (w2[1:]), which no hidden unit feeds.
    """
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    w1_gradient = (
        np.matmul(prepend_bias(X).T, np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h))
        / X.shape[0]
    )
    return (w1_gradient, w2_gradient)


def initialize_weights(n_input_variables, n_hidden_nodes, n_classes):
    """(w1 (n_inputs + 1, H), w2 (H + 1, k)): normal, scaled by sqrt(1 / rows), from np.random."""
    w1_rows = n_input_variables + 1
    w1 = np.random.randn(w1_rows, n_hidden_nodes) * np.sqrt(1 / w1_rows)
    w2_rows = n_hidden_nodes + 1
    w2 = np.random.randn(w2_rows, n_classes) * np.sqrt(1 / w2_rows)
    return (w1, w2)


def predict(X, w1, w2):
    """X (n, d) -> the class of each row, (n, 1) like the lab's test labels."""
    y_hat, _ = forward(X, w1, w2)
    return np.argmax(y_hat, axis=1).reshape(-1, 1)


def report(iteration, X_train, Y_train, X_test, Y_test, w1, w2):
    """Print the training loss and the test accuracy (Y_test holds labels (n, 1))."""
    y_hat, _ = forward(X_train, w1, w2)
    training_loss = loss(Y_train, y_hat)
    accuracy = np.average(predict(X_test, w1, w2) == Y_test) * 100.0
    print(f"Iteration: {iteration:5d}, Loss: {training_loss:.8f}, Accuracy: {accuracy:.2f}%")


def train(X_train, Y_train, X_test, Y_test, n_hidden_nodes, iterations, lr):
    """Plain full-batch gradient descent from initialize_weights; returns (w1, w2)."""
    n_input_variables = X_train.shape[1]
    n_classes = Y_train.shape[1]
    w1, w2 = initialize_weights(n_input_variables, n_hidden_nodes, n_classes)
    for iteration in range(iterations):
        y_hat, h = forward(X_train, w1, w2)
        w1_gradient, w2_gradient = back(X_train, Y_train, y_hat, w2, h)
        w1 = w1 - (w1_gradient * lr)
        w2 = w2 - (w2_gradient * lr)
        report(iteration, X_train, Y_train, X_test, Y_test, w1, w2)
    return (w1, w2)


def step(X, Y, w1, w2, lr):
    """One full-batch gradient-descent step, as train() does it (bench/bench.py times it)."""
    y_hat, h = forward(X, w1, w2)
    w1_gradient, w2_gradient = back(X, Y, y_hat, w2, h)
    return w1 - (w1_gradient * lr), w2 - (w2_gradient * lr)
