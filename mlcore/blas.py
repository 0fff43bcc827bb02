"""How many threads NumPy's BLAS (OpenBLAS in NumPy's wheels) uses, changed at run time.

Mini-batch steps multiply small matrices (64 x 784 @ 784 x H): splitting them over two
threads costs more in synchronisation than it gains, and much more when another thread or
process (a web server, a browser) wants a core. Full-batch steps gain from every core.
Where no OpenBLAS is found (another BLAS, another OS), every function here does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_NAMES = (  # (set, get) symbol pairs: NumPy's scipy-openblas wheels, then plain OpenBLAS
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)


@functools.cache
def _openblas() -> tuple | None:
    """(set, get) functions of the OpenBLAS loaded in this process, or None."""
    import numpy  # noqa: F401  (loads NumPy's BLAS into the process before we look for it)

    maps = Path("/proc/self/maps")
    if not maps.exists():
        return None
    paths = {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for set_name, get_name in _NAMES:
            if hasattr(lib, set_name) and hasattr(lib, get_name):
                setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                return setter, getter
    return None


def blas_threads_now() -> int | None:
    """Threads BLAS currently uses, or None if unknown."""
    found = _openblas()
    return None if found is None else int(found[1]())


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Use n BLAS threads inside the block (None: leave as is); restore the old count after."""
    found = _openblas()
    if n is None or found is None:
        yield
        return
    setter, getter = found
    before = getter()
    setter(n)
    try:
        yield
    finally:
        setter(before)
