# The lab's one-hidden-layer network, to write yourself.
# Weights carry the bias as their first row: w1 is (785, H), w2 is (H + 1, 10).
# Replace each `raise NotImplementedError` with your code, then press Check.


def prepend_bias(X):
    """Insert a column of ones at position 0.

    X: (n, d) -> (n, d + 1)
    """
    raise NotImplementedError


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), element by element.

    z: any shape -> the same shape
    """
    raise NotImplementedError


def softmax(logits):
    """Each row turned into probabilities that sum to 1 (a stable one: no nan at 1000).

    logits: (n, 10) -> (n, 10); a single sample (10,) -> (10,)
    """
    raise NotImplementedError


def sigmoid_gradient(sigmoid):
    """The sigmoid's derivative, from the sigmoid's OUTPUT s (not from z).

    sigmoid: any shape -> the same shape
    """
    raise NotImplementedError


def loss(Y, y_hat):
    """Mean cross-entropy over the n rows.

    Y: (n, 10) one-hot labels; y_hat: (n, 10) probabilities -> a float
    """
    raise NotImplementedError


def forward(X, w1, w2):
    """The hidden layer (sigmoid), then the output layer (softmax).

    X: (n, 784); w1: (785, H); w2: (H + 1, 10) -> (y_hat (n, 10), h (n, H) without its bias)
    """
    raise NotImplementedError


def back(X, Y, y_hat, w2, h):
    """The gradients of the mean loss with respect to w1 and w2.

    X: (n, 784); Y, y_hat: (n, 10); w2: (H + 1, 10); h: (n, H)
    -> (w1_gradient (785, H), w2_gradient (H + 1, 10))
    """
    raise NotImplementedError


def initialize_weights(n_input_variables, n_hidden_nodes, n_classes):
    """Random weights with a bias row each: np.random.randn times sqrt(1 / rows).

    -> (w1 (n_input_variables + 1, n_hidden_nodes), w2 (n_hidden_nodes + 1, n_classes))
    """
    raise NotImplementedError


def predict(X, w1, w2):
    """The class of each row: the index of its largest probability.

    X: (n, 784) -> (n, 1)
    """
    raise NotImplementedError


def train(X_train, Y_train, X_test, Y_test, n_hidden_nodes, iterations, lr):
    """Plain gradient descent: initialize, then `iterations` times forward, back, update.

    X_train: (n, 784); Y_train: (n, 10) one-hot; X_test: (m, 784); Y_test: (m, 1) labels
    -> (w1, w2)
    """
    raise NotImplementedError
