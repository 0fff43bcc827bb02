"""mlcore.conv's forward pass against plain loops."""

import sys

import numpy as np

from mlcore.conv import ConvParams, conv2d, conv_logits, max_pool
from tests.conftest import ROOT


def naive_conv(x, kernel, bias):
    """Valid cross-correlation by loops: x (n, h, w, c), kernel (k, k, c, f)."""
    n, h, w, _ = x.shape
    k, _, _, f = kernel.shape
    out = np.zeros((n, h - k + 1, w - k + 1, f))
    for i in range(n):
        for r in range(h - k + 1):
            for s in range(w - k + 1):
                for o in range(f):
                    out[i, r, s, o] = np.sum(x[i, r : r + k, s : s + k, :] * kernel[..., o])
    return out + bias


def test_conv2d_equals_a_loop_over_every_window():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 7, 3)).astype(np.float32)
    kernel = rng.standard_normal((5, 5, 3, 4)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    out = conv2d(x, kernel, bias)
    assert out.shape == (2, 5, 3, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out, naive_conv(x, kernel, bias), rtol=1e-5, atol=1e-5)


def test_max_pool_keeps_the_largest_of_each_2x2_block():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 4, 3))
    expected = np.array(
        [
            [[[x[i, 2 * r : 2 * r + 2, 2 * s : 2 * s + 2, c].max() for c in range(3)]
              for s in range(2)] for r in range(3)]
            for i in range(2)
        ]
    )  # fmt: skip
    np.testing.assert_array_equal(max_pool(x), expected)


def test_conv_logits_chains_the_layers_as_a_loop_would():
    rng = np.random.default_rng(2)
    shapes = [(5, 5, 1, 2), (2,), (5, 5, 2, 3), (3,), (48, 4), (4,), (4, 11), (11,)]
    params = ConvParams(*(rng.standard_normal(s).astype(np.float32) for s in shapes))
    X = rng.random((2, 784)).astype(np.float32)

    def pool(a):
        return max_pool(np.maximum(a, 0))

    a1 = pool(naive_conv(X.reshape(2, 28, 28, 1), params.k1, params.c1))
    a2 = pool(naive_conv(a1, params.k2, params.c2)).reshape(2, -1)
    h = np.maximum(a2 @ params.w3 + params.b3, 0)
    np.testing.assert_allclose(conv_logits(params, X), h @ params.w4 + params.b4, rtol=1e-4)


def test_an_ensembles_logits_are_the_mean_of_its_members_logits():
    rng = np.random.default_rng(3)
    shapes = [(5, 5, 1, 2), (2,), (5, 5, 2, 3), (3,), (48, 4), (4,), (4, 11), (11,)]
    members = [
        ConvParams(*(rng.standard_normal(s).astype(np.float32) for s in shapes)) for _ in range(3)
    ]
    stacked = ConvParams(*(np.stack(arrays) for arrays in zip(*members, strict=True)))
    X = rng.random((4, 784)).astype(np.float32)
    each = [conv_logits(m, X) for m in members]
    assert not np.allclose(each[0], each[1])  # the members differ, so the mean is a real test
    np.testing.assert_allclose(conv_logits(stacked, X), np.mean(each, axis=0), rtol=1e-5)


def test_an_empty_batch_has_no_logits():
    rng = np.random.default_rng(4)
    shapes = [(5, 5, 1, 2), (2,), (5, 5, 2, 3), (3,), (48, 4), (4,), (4, 11), (11,)]
    params = ConvParams(*(rng.standard_normal(s).astype(np.float32) for s in shapes))
    assert conv_logits(params, np.zeros((0, 784), np.float32)).shape == (0, 11)


def test_training_runs_the_pages_forward_pass_and_its_backward_agrees_with_finite_differences():
    # bench/cnn_train.py imports its neighbours by name: bench/ on the path for the import only
    # (left there, `import bench` would find bench/bench.py instead of the folder)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import cnn_train  # it raises if its forward is not conv_logits
    finally:
        sys.path.remove(str(ROOT / "bench"))

    assert cnn_train.gradient_check() < 1e-4  # 3.7e-6 measured, float64
