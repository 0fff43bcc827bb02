# ruff: noqa: E501  (student code, as long as students write it)
"""Mistakes written before the diagnoser ran on them and never tuned for (HELD_OUT), and correct
code written differently from the reference (CORRECT_VARIANTS).

bench/check_speed.py counts how many held-out mistakes get a sentence naming the problem (a
known key) rather than a generic one; tests/test_check.py checks each fails with a sentence.
"""

HELD_OUT = [
    (
        "softmax",
        """
def softmax(logits):
    shifted = logits - np.max(logits, axis=1)
    return np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
""",
    ),
    (
        "loss",
        """
def loss(Y, y_hat):
    return -np.mean(Y * np.log(y_hat))
""",
    ),
    (
        "sigmoid_gradient",
        """
def sigmoid_gradient(sigmoid):
    return sigmoid * (1 - sigmoid) * 2
""",
    ),
    (
        "back",
        """
def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    w1_gradient = np.matmul(prepend_bias(X).T, np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h))
    return (w1_gradient, w2_gradient)
""",
    ),
    (
        "prepend_bias",
        """
def prepend_bias(X):
    return np.hstack((X, np.ones((X.shape[0], 1))))
""",
    ),
    (
        "predict",
        """
def predict(X, w1, w2):
    y_hat, _ = forward(X, w1, w2)
    return np.argmax(y_hat)
""",
    ),
    (
        "initialize_weights",
        """
def initialize_weights(n_input_variables, n_hidden_nodes, n_classes):
    w1 = np.random.randn(n_hidden_nodes, n_input_variables + 1) * np.sqrt(1 / (n_input_variables + 1))
    w2 = np.random.randn(n_classes, n_hidden_nodes + 1) * np.sqrt(1 / (n_hidden_nodes + 1))
    return (w1, w2)
""",
    ),
    (
        "back",
        """
def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    w1_gradient = np.matmul(X.T, np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h)) / X.shape[0]
    return (w1_gradient, w2_gradient)
""",
    ),
    (
        "loss",
        """
def loss(Y, y_hat):
    return -np.sum(Y * np.log(y_hat), axis=1) / Y.shape[0]
""",
    ),
    (
        "forward",
        """
def forward(X, w1, w2):
    h = sigmoid(np.matmul(prepend_bias(X), w1))
    y_hat = softmax(np.matmul(h, w2))
    return (y_hat, h)
""",
    ),
    (
        "softmax",
        """
def softmax(logits):
    return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
""",
    ),
]

# Correct, though not written as the reference is: must pass every check.
CORRECT_VARIANTS = [
    """
def forward(X, w1, w2):
    h = sigmoid(X @ w1[1:] + w1[0])
    y_hat = softmax(h @ w2[1:] + w2[0])
    return y_hat, h
""",
    """
def sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))
""",
    """
def softmax(logits):
    m = logits.max(axis=-1, keepdims=True)
    e = np.exp(logits - m)
    return e / e.sum(axis=-1, keepdims=True)
""",
]
