"""Giving freed memory back to the system: shared by the scheduler and the web server's sweep."""

from __future__ import annotations

import gc
import sys


def release_memory() -> None:
    """Give freed memory back to the system (glibc keeps freed heap pages otherwise)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
