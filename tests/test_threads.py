import numpy as np
import pytest
from threadpoolctl import threadpool_info

from mlcore import threads
from mlcore.network import init_params
from mlcore.step import Workspace, loss_and_gradients


def blas_counts() -> list[int]:
    """BLAS thread counts as threadpoolctl sees them, independently of mlcore.threads."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def restore_threads():
    before_blas, before_blocks = blas_counts(), threads.block_threads()
    yield
    threads.set_compute_threads(before_blocks)
    threads.controller().limit(limits=max(before_blas, default=1), user_api="blas")


def test_numpy_uses_a_blas_that_threadpoolctl_finds():
    assert blas_counts(), "threadpoolctl found no BLAS: thread limits would do nothing"


def test_compute_threads_limits_blas_and_blocks_inside_and_restores_after(restore_threads):
    threads.set_compute_threads(2)
    with threads.compute_threads(1):
        assert blas_counts() == [1] * len(blas_counts())
        assert threads.block_threads() == 1
        a = np.ones((300, 300), np.float32)
        assert (a @ a)[0, 0] == 300  # BLAS still computes right with one thread
    assert threads.block_threads() == 2
    assert set(blas_counts()) <= {2, 1}  # 2, unless the machine has a single core


def test_set_compute_threads_stays_in_effect(restore_threads):
    threads.set_compute_threads(1)
    assert blas_counts() == [1] * len(blas_counts())
    assert threads.block_threads() == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, None, True])
def test_thread_counts_must_be_positive_integers(bad):
    with pytest.raises(ValueError, match=f"threads={bad!r}"):
        threads.set_compute_threads(bad)


@pytest.mark.parametrize("n_threads", [1, 3])
def test_the_step_gives_the_same_gradients_with_any_number_of_block_threads(
    restore_threads, n_threads
):
    rng = np.random.default_rng(0)
    params = init_params(rng, 8, dtype=np.float64, n_inputs=6)
    X, y = rng.standard_normal((9000, 6)), rng.integers(0, 10, 9000)
    ws = Workspace(params, 9000)
    with threads.compute_threads(1):
        loss_and_gradients(params, X, y, ws)
    one = [g.copy() for g in ws.grads.arrays()]
    with threads.compute_threads(n_threads):
        loss_and_gradients(params, X, y, ws)
    for a, b in zip(one, ws.grads.arrays(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12)
