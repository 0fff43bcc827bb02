import numpy as np

from mlcore.blas import blas_threads, blas_threads_now


def test_blas_threads_apply_inside_the_block_and_are_restored_after():
    before = blas_threads_now()
    with blas_threads(1):
        inside = blas_threads_now()
        a = np.ones((300, 300), np.float32)
        assert (a @ a)[0, 0] == 300  # BLAS still computes right with one thread
    if before is None:  # no OpenBLAS found: the context manager must do nothing
        assert inside is None
    else:
        assert inside == 1
    assert blas_threads_now() == before


def test_blas_threads_none_leaves_the_count_alone():
    before = blas_threads_now()
    with blas_threads(None):
        assert blas_threads_now() == before
