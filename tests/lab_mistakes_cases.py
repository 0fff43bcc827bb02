# ruff: noqa: E501  (student code, as long as students write it)
"""The lab's functions with one mistake each, written as a student would write it.

TUNED: the mistakes the diagnoser was written for: (check that fails, its mistake key, code).
The held-out mistakes, never tuned for, are in tests/lab_mistakes_held_out.py. Each variant is the reference's source with one function replaced (with_function).
"""

import ast
import inspect
import textwrap

from mlcore import lab_reference

REFERENCE = inspect.getsource(lab_reference)


def with_function(code: str, source: str = REFERENCE) -> str:
    """source with the function that code defines replaced by code (same name)."""
    code = textwrap.dedent(code).strip() + "\n"
    name = ast.parse(code).body[0].name
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    lines = source.splitlines(keepends=True)
    return "".join(lines[: node.lineno - 1]) + code + "".join(lines[node.end_lineno :])


TUNED = [
    (
        "softmax",
        "wrong_axis",
        """
def softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=0)
""",
    ),
    (
        "softmax",
        "one_d_sample",
        """
def softmax(logits):
    exponentials = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=1).reshape(-1, 1)
""",
    ),
    (
        "softmax",
        "overflow",
        """
def softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)
""",
    ),
    (
        "softmax",
        "keepdims",
        """
def softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=1)
""",
    ),
    (
        "loss",
        "forgot_n",
        """
def loss(Y, y_hat):
    return -np.sum(Y * np.log(y_hat))
""",
    ),
    (
        "back",
        "forgot_n",
        """
def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y))
    w1_gradient = np.matmul(prepend_bias(X).T, np.matmul(y_hat - Y, w2[1:].T) * sigmoid_gradient(h))
    return (w1_gradient, w2_gradient)
""",
    ),
    (
        "sigmoid_gradient",
        "gradient_of_z",
        """
def sigmoid_gradient(z):
    return sigmoid(z) * (1 - sigmoid(z))
""",
    ),
    (
        "back",
        "bias_row_not_skipped",
        """
def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    a_gradient = np.matmul(y_hat - Y, w2.T) * sigmoid_gradient(h)
    w1_gradient = np.matmul(prepend_bias(X).T, a_gradient) / X.shape[0]
    return (w1_gradient, w2_gradient)
""",
    ),
    (
        "initialize_weights",
        "no_bias_row",
        """
def initialize_weights(n_input_variables, n_hidden_nodes, n_classes):
    w1 = np.random.randn(n_input_variables, n_hidden_nodes) * np.sqrt(1 / n_input_variables)
    w2 = np.random.randn(n_hidden_nodes, n_classes) * np.sqrt(1 / n_hidden_nodes)
    return (w1, w2)
""",
    ),
    (
        "train",
        "tuple_for_array",
        """
def report(iteration, X_train, Y_train, X_test, Y_test, w1, w2):
    training_loss = loss(Y_train, forward(X_train, w1, w2))
    print(iteration, training_loss)
""",
    ),
    (
        "forward",
        "bias_missing",
        """
def forward(X, w1, w2):
    h = sigmoid(np.matmul(X, w1))
    y_hat = softmax(np.matmul(prepend_bias(h), w2))
    return (y_hat, h)
""",
    ),
    (
        "forward",
        "only_y_hat",
        """
def forward(X, w1, w2):
    h = sigmoid(np.matmul(prepend_bias(X), w1))
    return softmax(np.matmul(prepend_bias(h), w2))
""",
    ),
    (
        "sigmoid",
        "returns_none",
        """
def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
""",
    ),
    (
        "sigmoid",
        "math_exp",
        """
def sigmoid(z):
    import math
    return 1 / (1 + math.exp(-z))
""",
    ),
    (
        "back",
        "gradient_of_z",
        """
def back(X, Y, y_hat, w2, h):
    w2_gradient = np.matmul(prepend_bias(h).T, (y_hat - Y)) / X.shape[0]
    d = np.matmul(y_hat - Y, w2[1:].T) * sigmoid(h) * (1 - sigmoid(h))
    w1_gradient = np.matmul(prepend_bias(X).T, d) / X.shape[0]
    return (w1_gradient, w2_gradient)
""",
    ),
    (
        "predict",
        "wrong_axis",
        """
def predict(X, w1, w2):
    y_hat, _ = forward(X, w1, w2)
    return np.argmax(y_hat, axis=0)
""",
    ),
    (
        "initialize_weights",
        "uniform",
        """
def initialize_weights(n_input_variables, n_hidden_nodes, n_classes):
    w1 = np.random.rand(n_input_variables + 1, n_hidden_nodes) * np.sqrt(1 / (n_input_variables + 1))
    w2 = np.random.rand(n_hidden_nodes + 1, n_classes) * np.sqrt(1 / (n_hidden_nodes + 1))
    return (w1, w2)
""",
    ),
    (
        "train",
        "ascent",
        """
def train(X_train, Y_train, X_test, Y_test, n_hidden_nodes, iterations, lr):
    w1, w2 = initialize_weights(X_train.shape[1], n_hidden_nodes, Y_train.shape[1])
    for iteration in range(iterations):
        y_hat, h = forward(X_train, w1, w2)
        w1_gradient, w2_gradient = back(X_train, Y_train, y_hat, w2, h)
        w1 = w1 + (w1_gradient * lr)
        w2 = w2 + (w2_gradient * lr)
    return (w1, w2)
""",
    ),
]
