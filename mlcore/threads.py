"""How many threads compute uses: BLAS (via threadpoolctl, on every OS) and the step's blocks.

One setting, `set_compute_threads(n)`, covers both: n BLAS threads for the big GEMMs and n
threads for the element-wise blocks of mlcore.step (which run BLAS with 1 thread inside).
threadpoolctl finds OpenBLAS, MKL, BLIS, Accelerate or OpenMP in the process; the controller
is created once (measured: ~0.85 ms to create, ~8 us per limit; threadpool_limits() ~100 us).
Who sets them: a training worker (runs/worker.py, and the step and augment_batch inside it)
and, once at start-up, the web server (ui/server.py: 1 thread). Limits are process-wide, so
nothing the web server runs per page changes them (threadpoolctl also ignores a limit set
from a thread while another live thread holds OpenBLAS's).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

DEFAULT_BLOCK_THREADS = min(4, os.cpu_count() or 1)  # until set_compute_threads is called

_controller: ThreadpoolController | None = None
_block_threads = DEFAULT_BLOCK_THREADS
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def controller() -> ThreadpoolController:
    """The process's one ThreadpoolController (created on first use, after NumPy loaded)."""
    global _controller
    if _controller is None:
        import numpy  # noqa: F401  (loads NumPy's BLAS before threadpoolctl looks for it)

        _controller = ThreadpoolController()
    return _controller


def _check_threads(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"threads={n!r} must be an integer >= 1")


def blas_thread_counts() -> list[int]:
    """Threads of each BLAS library loaded in the process (empty if none is found)."""
    return [lib["num_threads"] for lib in controller().select(user_api="blas").info()]


def set_compute_threads(n: int) -> None:
    """Use n threads for BLAS and for the step's element-wise blocks, from now on."""
    global _block_threads
    _check_threads(n)
    controller().limit(limits=n, user_api="blas")  # applied at once; not undone
    _block_threads = n


@contextmanager
def compute_threads(n: int) -> Iterator[None]:
    """set_compute_threads(n) inside the block; the previous counts are restored after."""
    global _block_threads
    _check_threads(n)
    before = _block_threads
    with controller().limit(limits=n, user_api="blas"):
        _block_threads = n
        try:
            yield
        finally:
            _block_threads = before


def block_threads() -> int:
    """Threads the step's element-wise blocks use now."""
    return _block_threads


def block_pool() -> ThreadPoolExecutor:
    """A pool of block_threads() threads (rebuilt when the count changes)."""
    global _pool, _pool_size
    if _pool is None or _pool_size != _block_threads:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = ThreadPoolExecutor(_block_threads, thread_name_prefix="mlcore-step")
        _pool_size = _block_threads
    return _pool


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """BLAS with 1 thread inside the block: the step's own threads split the work instead.

    OpenBLAS serialises concurrent multi-threaded calls, so threads calling it at once must
    each use one thread.
    """
    with controller().limit(limits=1, user_api="blas"):
        yield
