"""The web server process's own settings, made once when it starts; page code never changes them."""

from __future__ import annotations

import functools
import importlib
import logging
import threading

from mlcore import threads
from ui import teacher

SERVER_BLAS_THREADS = 1
# Modules that libraries import lazily, on first use, from whichever script thread gets there
# first. Plotly reads pandas from sys.modules without importing it (to_scalar_or_list): a
# second thread saw it half-imported ("partially initialized module 'pandas' has no attribute
# 'Series'", up to 9 tracebacks when 10 students pressed Start together on a fresh server).
EAGER_IMPORTS = ("pandas", "pyarrow", "plotly.graph_objects", "plotly.io")
_ONCE = threading.Lock()  # functools.cache alone lets two first calls run the body at once


@functools.cache
def configure() -> None:
    """The process's one-time set-up, on the first script run, before any page code.

    BLAS on one thread for the whole web server process: the server's own NumPy work is small
    (reading a drawing, the augmentation preview, the Inside page's figures) and a second BLAS
    thread made it wait (48 ms instead of ~1 for a drawing, 3.9 s instead of 0.15 s for Draw's
    reference digits, on a busy machine). Training runs in worker processes, which set their
    own limits (runs/worker.py). Set once, never per page run: two tabs setting and restoring
    it would restore each other's. Then the lazily imported libraries, whole, under a lock
    every first script run waits on, so no page thread sees one half-imported.
    """
    with _ONCE:
        threads.set_compute_threads(SERVER_BLAS_THREADS)
        for name in EAGER_IMPORTS:
            importlib.import_module(name)
        logging.getLogger("uvicorn.error").addFilter(closed_twice)


@functools.cache
def start_up_problem() -> str | None:
    """The one sentence refusing a setting the server cannot run a class with (logged once),
    else None. app.py shows it instead of every page."""
    problem = teacher.start_up_problem()
    if problem:  # worded as runs.scheduler's SettingsError, the other settings refused
        problem = f"The app cannot start: {problem}"
        logging.getLogger("mnist_lab").error("mnist-lab: %s", problem)
    return problem


def closed_twice(record: logging.LogRecord) -> bool:
    """False for the one traceback a tab closing mid-send leaves (the web server's log filter).

    Streamlit 1.67's websocket loop reads `except RuntimeError` as "a text frame" and closes
    the socket; since Starlette 1.x a socket the server already closed (a send to a tab that
    had gone) raises WebSocketDisconnected, a RuntimeError, so the loop closes it a second
    time and uvicorn logs "Cannot call "send" once a close message has been sent". Nothing is
    lost (the tab is gone); seen once in ten tabs closed while their runs reported (CI). Any
    other record is kept.
    """
    error = record.exc_info[1] if record.exc_info else None
    return not (
        type(error).__name__ == "WebSocketDisconnected"
        and "once a close message has been sent" in str(error)
    )
