"""The process's scheduler (runs.facade.Scheduler), started on first use, and the settings it
cannot start with. Pages reach it through ui.state.scheduler(); the names pages and tests use
(Scheduler, Run, Limits, LimitError, ROOT) are found here too.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

from runs.facade import Scheduler
from runs.limits import LimitError, Limits
from runs.pool import ROOT
from runs.protocol import DataRef
from runs.run import Run
from runs.store import STORE_ENV
from runs.workspaces import Alive
from runs.writer import StoreWriter

__all__ = ["ROOT", "LimitError", "Limits", "Run", "Scheduler", "SettingsError", "get_scheduler"]
log = logging.getLogger("mnist_lab.runs")

_scheduler: Scheduler | None = None
_refused: SettingsError | None = None  # a setting that stopped the server from starting
_scheduler_lock = threading.Lock()


class SettingsError(ValueError):
    """A setting the server cannot start with; the message is one line naming it."""


def get_scheduler(
    prewarm: DataRef | None = None, tab_alive: Alive | None = None, name: str | None = None
) -> Scheduler:
    """The process's scheduler, started on first use (workers, threads and store with it).

    MNIST_LAB_STORE=memory keeps runs in memory only (nothing survives a restart). name: what
    this server is across restarts (its host and port; runs.incarnation). SettingsError (one
    line, logged once) if a setting is wrong; asked again, the same error, never retried.
    """
    global _scheduler, _refused
    with _scheduler_lock:
        if _refused is not None:
            raise _refused
        if _scheduler is None:
            try:
                limits, url = Limits.from_env(), os.environ.get(STORE_ENV)
                store = None if url == "memory" else StoreWriter(url)  # checks its settings
            except ValueError as e:
                _refused = SettingsError(f"The app cannot start: {e}.")
                log.error("mnist-lab: %s", _refused)
                raise _refused from None
            _scheduler = Scheduler(limits, prewarm=prewarm, store=store, name=name)
            if tab_alive is not None:
                _scheduler.tab_alive = tab_alive
            atexit.register(_scheduler.close)
        return _scheduler
