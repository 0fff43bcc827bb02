"""The web server process's own settings, made once when it starts; page code never changes them."""

from __future__ import annotations

import functools

from mlcore import threads

SERVER_BLAS_THREADS = 1


@functools.cache
def configure() -> None:
    """BLAS on one thread for the whole web server process, set on the first script run.

    The server's own NumPy work is small (reading a drawing, the augmentation preview, the
    Inside page's figures): a second BLAS thread made it wait (48 ms instead of ~1 for a
    drawing, 3.9 s instead of 0.15 s for Draw's reference digits, on a busy machine).
    Training runs in worker processes, which set their own limits (runs/worker.py). Set
    once, never per page run: two tabs setting and restoring it would restore each other's.
    """
    threads.set_compute_threads(SERVER_BLAS_THREADS)
