"""Giving freed memory back to the system: shared by the scheduler and the web server's sweep."""

from __future__ import annotations

import gc
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
LARGE_BLOCK = 1 << 20  # bytes: blocks this large or larger get mappings of their own


def release_memory() -> None:
    """Give freed memory back to the system (glibc keeps freed heap pages otherwise)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Have glibc serve blocks of threshold bytes or more from mappings of their own, so each
    goes back to the system when freed; True if it took the setting (glibc on Linux only).

    By default glibc raises that threshold as large blocks are freed (up to 32 MB), so later
    uploads land in its heaps, where a freed upload stayed resident even after malloc_trim
    (measured: 4 closed sessions with full-MNIST uploads left a server 216 MB above its idle
    size with no Dataset left alive; with a fixed 1 MB threshold, within 1 MB of it).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, threshold) == 1
    except (OSError, AttributeError):
        return False
