"""Training a small convolutional network (mlcore/conv.py) in NumPy: backward pass, SGD.

The forward pass is mlcore.conv's, its intermediate arrays kept (forward_kept); backward turns
the softmax cross-entropy's gradient into each parameter's, through the dense layers, the 2x2
max pooling (to the largest of each block), ReLU and the convolutions (the kernel's gradient:
the input's windows times the output's gradient; the input's: each kernel offset's share added
back into place). gradient_check compares it with central differences in float64.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nondigit_detector import shifted  # bench/, beside this

from mlcore.conv import ConvParams, conv2d, conv_logits, flat, max_pool, relu, windows
from mlcore.functions import cross_entropy, softmax

K = 5  # kernel size


def init(rng, f1: int, f2: int, hidden: int, classes: int) -> ConvParams:
    """He-initialised ConvParams (float32) for 28x28 inputs."""

    def he(*shape):
        return (rng.standard_normal(shape) * np.sqrt(2 / np.prod(shape[:-1]))).astype(np.float32)

    z = np.zeros
    return ConvParams(
        he(K, K, 1, f1), z(f1, np.float32), he(K, K, f1, f2), z(f2, np.float32),
        he(16 * f2, hidden), z(hidden, np.float32), he(hidden, classes), z(classes, np.float32),
    )  # fmt: skip


def forward_kept(params: ConvParams, X: np.ndarray) -> tuple[np.ndarray, dict]:
    """mlcore.conv.conv_logits, keeping what backward needs -> (logits (n, c), kept)."""
    x = X.reshape(-1, 28, 28, 1).astype(params.k1.dtype)
    z1 = conv2d(x, params.k1, params.c1)  # (n, 24, 24, F1)
    a1 = max_pool(relu(z1))  # (n, 12, 12, F1)
    z2 = conv2d(a1, params.k2, params.c2)  # (n, 8, 8, F2)
    a2 = max_pool(relu(z2))  # (n, 4, 4, F2)
    f = flat(a2)
    z3 = f @ params.w3 + params.b3
    h = relu(z3)
    kept = {"x": x, "z1": z1, "a1": a1, "z2": z2, "a2": a2, "f": f, "z3": z3, "h": h}
    return h @ params.w4 + params.b4, kept


def unpool(d: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The gradient d (n, h/2, w/2, c) of max_pool's output, sent to the largest of each block
    of before (n, h, w, c) (after = max_pool(before)) -> (n, h, w, c)."""
    n, h, w, c = before.shape
    blocks = before.reshape(n, h // 2, 2, w // 2, 2, c)
    top = blocks == after[:, :, None, :, None, :]
    return (top * d[:, :, None, :, None, :]).reshape(n, h, w, c)


def conv_back(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, need_dx: bool) -> tuple:
    """Gradients of conv2d(x (n, h, w, c), kernel (k, k, c, f)) given dz (n, h', w', f) ->
    (d kernel, d bias, d x or None)."""
    k, _, c, f = kernel.shape
    flat = dz.reshape(-1, f)
    dk = (windows(x, k).reshape(-1, k * k * c).T @ flat).reshape(kernel.shape)
    if not need_dx:
        return dk, flat.sum(0), None
    n, oh, ow, _ = dz.shape
    cols = (flat @ kernel.reshape(-1, f).T).reshape(n, oh, ow, k, k, c)
    dx = np.zeros_like(x)
    for i in range(k):
        for j in range(k):
            dx[:, i : i + oh, j : j + ow, :] += cols[:, :, :, i, j, :]
    return dk, flat.sum(0), dx


def backward(params: ConvParams, kept: dict, dlogits: np.ndarray) -> ConvParams:
    """Each parameter's gradient, given the loss's gradient dlogits (n, c) -> ConvParams."""
    dw4, db4 = kept["h"].T @ dlogits, dlogits.sum(0)
    dz3 = (dlogits @ params.w4.T) * (kept["z3"] > 0)
    dw3, db3 = kept["f"].T @ dz3, dz3.sum(0)
    da2 = (dz3 @ params.w3.T).reshape(kept["a2"].shape)
    z2 = kept["z2"]
    dz2 = unpool(da2, relu(z2), kept["a2"]) * (z2 > 0)
    dk2, dc2, da1 = conv_back(kept["a1"], params.k2, dz2, True)
    z1 = kept["z1"]
    dz1 = unpool(da1, relu(z1), kept["a1"]) * (z1 > 0)
    dk1, dc1, _ = conv_back(kept["x"], params.k1, dz1, False)
    return ConvParams(dk1, dc1, dk2, dc2, dw3, db3, dw4, db4)


def loss_and_grads(params: ConvParams, X: np.ndarray, Y: np.ndarray) -> tuple:
    """Mean softmax cross-entropy on X (n, 784), one-hot Y (n, c) -> (loss, ConvParams)."""
    logits, kept = forward_kept(params, X)
    p = softmax(logits)
    return cross_entropy(p, Y), backward(params, kept, (p - Y) / len(X))


def gradient_check(seed: int = 0, probes: int = 6) -> float:
    """The largest relative error between backward and central differences, float64, on a
    tiny network (2 and 3 kernels, 4 hidden units, 3 images)."""
    rng = np.random.default_rng(seed)
    p64 = ConvParams(*(a.astype(np.float64) for a in init(rng, 2, 3, 4, 11)))
    p64 = ConvParams(*(a + 0.1 * rng.standard_normal(a.shape) for a in p64))  # biases too
    X, Y = rng.random((3, 784)), np.eye(11)[rng.integers(0, 11, 3)]
    if not np.allclose(forward_kept(p64, X)[0], conv_logits(p64, X), rtol=1e-12):
        raise AssertionError("forward_kept no longer computes the page's mlcore.conv.conv_logits")
    _, grads = loss_and_grads(p64, X, Y)
    worst, eps = 0.0, 1e-6
    for a, g in zip(p64, grads, strict=True):
        for index in rng.integers(0, a.size, probes):
            entries, old = a.reshape(-1), a.reshape(-1)[index]
            entries[index] = old + eps
            up = loss_and_grads(p64, X, Y)[0]
            entries[index] = old - eps
            down = loss_and_grads(p64, X, Y)[0]
            entries[index] = old
            numeric = (up - down) / (2 * eps)
            err = abs(numeric - g.reshape(-1)[index]) / max(abs(numeric), abs(g.flat[index]), 1e-5)
            worst = max(worst, err)
    return worst


def train(X, y, rng, shape: tuple, passes: int, batch: int = 128, rate: float = 0.05) -> tuple:
    """SGD with momentum 0.9 and a cosine-decayed rate on (X (n, 784) in [0, 1], y (n,)),
    each image moved up to 2 px each time -> (ConvParams, seconds per pass)."""
    params = init(rng, *shape, int(y.max()) + 1)
    velocity = [np.zeros_like(a) for a in params]
    Y = np.eye(int(y.max()) + 1, dtype=np.float32)[y]
    seconds = []
    for p in range(passes):
        start, step = time.time(), rate * 0.5 * (1 + np.cos(np.pi * p / passes))
        losses = []
        for rows in np.array_split(rng.permutation(len(y)), len(y) // batch):
            loss, grads = loss_and_grads(params, shifted(X[rows], rng), Y[rows])
            for v, g, w in zip(velocity, grads, params, strict=True):
                v *= 0.9
                v -= step * g
                w += v
            losses.append(loss)
        seconds.append(time.time() - start)
        print(f"  pass {p + 1}: loss {np.mean(losses):.4f} ({seconds[-1]:.0f} s)", flush=True)
    return params, float(np.mean(seconds))


if __name__ == "__main__":
    print(f"gradient check, float64: largest relative error {gradient_check():.2e}")
