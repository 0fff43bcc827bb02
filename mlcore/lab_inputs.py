"""The small fixed inputs of every check: n = 2 samples, d = 3 inputs, H = 4 hidden, k = 3.

Small enough to show in a sentence; shaped so that the classic mistakes change a shape or raise
(a (2, 3) array divided by a (2,) sum cannot broadcast; axis 0 and axis 1 give different shapes).
"""

import numpy as np

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])  # (n=2, d=3)
W1 = np.array(
    [[0.1, -0.2, 0.3, 0.0], [0.4, 0.1, -0.3, 0.2], [-0.5, 0.2, 0.1, 0.3], [0.2, -0.1, 0.0, 0.4]]
)  # (d + 1 = 4, H = 4): the first row is the bias
W2 = np.array(
    [[0.1, 0.0, -0.1], [0.3, -0.2, 0.5], [-0.4, 0.6, 0.1], [0.2, 0.1, -0.3], [0.5, -0.5, 0.2]]
)  # (H + 1 = 5, k = 3)
Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # (2, 3) one-hot
Z = np.array([[-2.0, 0.0, 3.0], [1.0, -1.0, 0.5]])  # sigmoid's input
S = np.array([[0.1, 0.5, 0.9], [0.25, 0.75, 0.6]])  # sigmoid's outputs, for its gradient
LOGITS = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 2.0]])  # (2, 3)
SAMPLE = np.array([1.0, 2.0, 3.0])  # one sample, 1-D: (3,)
LARGE = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])  # a logit of 1000
Y_HAT = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])  # probabilities for the loss
INIT_SIZES = (784, 20, 10)  # initialize_weights' arguments: MNIST's, with 20 hidden units
SEED = 0  # np.random's seed before initialize_weights and train (the lab draws from np.random)

X_TRAIN = np.array(
    [
        [0.2, 0.9, -0.4],
        [1.0, -0.3, 0.5],
        [-0.7, 0.1, 0.8],
        [0.4, 0.4, -1.2],
        [-1.1, 0.6, 0.0],
        [0.3, -0.8, 0.9],
    ]
)  # (6, 3)
Y_TRAIN = np.eye(3)[[0, 1, 2, 0, 1, 2]]  # (6, 3) one-hot
X_TEST = X_TRAIN[:4] * 0.5  # (4, 3)
Y_TEST = np.array([[0], [1], [2], [0]])  # (4, 1): labels, as the lab's test set holds them
TRAIN_ARGS = (4, 3, 0.5)  # n_hidden_nodes, iterations, lr
