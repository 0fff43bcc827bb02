"""Workspaces on this server: the tabs showing each, its uploads and data, its stored runs
read back, and when a closed tab's runs stop and its work is forgotten here.

Whether a tab is still connected is asked of a function the UI gives (runs/ knows nothing of
Streamlit); `reap` is a pure function of the workspaces, that function and the time `now`.
Workspaces is handed the run book and the run log; it never trains or stops a run (the
control loop does).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable

import numpy as np

from mlcore.checkpoint import CheckpointError, state_from_bytes
from mlcore.data import Dataset
from mlcore.train import TrainState
from runs.book import RunBook, Workspace
from runs.limits import LimitError
from runs.memory import release_memory
from runs.protocol import DataRef
from runs.run import Record
from runs.run_log import RunLog

Alive = Callable[[str], "bool | None"]  # a tab's id -> connected (None: nobody to ask)
RECHECK_SECONDS = 2.0  # how often a run on another server is read again while tabs ask:
# a dead server's run shows interrupted within SERVER_TIMEOUT (20 s) + this + a page poll
# (issue 25 asks 35 s)


class Workspaces:
    """What this server does for workspaces, given the run book, the log and a folder."""

    def __init__(self, book: RunBook, log: RunLog, folder: str):
        self.book, self.log, self.folder = book, log, folder
        self.clock: Callable[[], float] = time.monotonic

    def data(self, workspace: str) -> dict:
        """A dict pages may keep large per-workspace things in; freed when its tabs close."""
        with self.book.lock:
            return self.book.workspace(workspace).data

    def attach(self, workspace: str, tab: str) -> None:
        """A browser tab shows workspace: its runs go on while one is open."""
        with self.book.lock:
            used = bool(self.book.workspace(workspace).runs)
            self.book.workspace(workspace).tabs.add(tab)
        if used:
            self.log.touched(workspace)

    def upload(self, workspace: str, dataset: Dataset, key: str) -> DataRef:
        """Put an uploaded dataset where workers can read it (a folder of .npy files).

        key names this upload (a new one per upload); earlier uploads' folders stay until the
        workspace is forgotten here, since its stopped runs may continue on them.
        """
        with self.book.lock:
            w = self.book.workspace(workspace)
            if w.upload_key == key and w.upload_dir:
                return DataRef("upload", w.upload_dir)
        folder = tempfile.mkdtemp(prefix="upload-", dir=self.folder)
        for name in ("X_train", "y_train", "X_test", "y_test"):
            np.save(os.path.join(folder, f"{name}.npy"), getattr(dataset, name))
        with self.book.lock:
            if self.book.workspaces.get(workspace) is not w:  # forgotten meanwhile
                shutil.rmtree(folder, ignore_errors=True)
                raise LimitError("this page's session has ended; reload the page")
            w.upload_dir, w.upload_key = folder, key
            w.upload_dirs.append(folder)
        return DataRef("upload", folder)

    def forget(self, workspace: str) -> None:
        """Drop a workspace's runs, uploads and data here, and give the memory back (the
        store keeps its runs). Without the lock held."""
        with self.book.lock:
            w = self.book.drop(workspace)
        if w is None:
            return
        for folder in w.upload_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        del w
        release_memory()

    # ---- reading stored runs back ------------------------------------------------------

    def load(self, workspace: str) -> None:
        """Read workspace's stored runs back once (after a reload, a restart, another server),
        and its runs on other servers again every RECHECK_SECONDS while its tabs ask. The
        database is read and the weights decoded without holding the lock."""
        with self.book.lock:
            w = self.book.workspace(workspace)
            if not self.log.readable or (w.loaded and not self._recheck_due(w)):
                return  # while the store is away: this server's runs only (the sidebar says)
            first, w.loaded, w.checked = not w.loaded, True, self.clock()
        read = self.log.read_workspace(workspace, first)
        with self.book.lock:
            if read is None:
                w.loaded = w.loaded and not first
                return
            for run in read:
                known = self.book.runs.get(run.id)
                if run.id in self.book.deleted or (known and known.status != "elsewhere"):
                    continue  # deleted here, or this server's own record is newer
                self.book.replace_or_add(w, run)
            w.runs.sort(key=lambda r: r.created)

    def _recheck_due(self, w: Workspace) -> bool:
        """A run shown training on another server is read again now and then: it may have
        ended there, or its server may have died (then it is interrupted here)."""
        elsewhere = any(r.status == "elsewhere" for r in w.runs)
        return elsewhere and self.clock() - w.checked >= RECHECK_SECONDS

    def stored_state(self, run_id: str) -> TrainState | CheckpointError | None:
        """A stored run's state decoded (without the lock), an error if it cannot be read,
        or None if there is nothing to decode."""
        with self.book.lock:
            run = self.book.runs.get(run_id)
            blob = None if run is None or run.state is not None else run.state_blob
        if blob is None:
            return None
        try:
            return state_from_bytes(blob)
        except CheckpointError as e:
            return e

    def restore(self, run: Record, state) -> bool:
        """Put a stored run's decoded state (stored_state) back before it trains again; False
        if it cannot be (the caller holds the lock)."""
        if run.state is not None or run.state_blob is None:
            return True
        if not isinstance(state, TrainState):
            run.continuable = False
            return False
        run.state, run.state_blob = state, None
        if len(run.history) > run.state_at:  # reports past the saved state: trained again
            at = run.state_at
            run.set(history=run.history[:at], snapshot=run.state.params.copy(), snapshot_at=at)
            self.log.cut(run.id, at)
        return True


def alive(workspace: str, w: Workspace, ask: Alive) -> bool | None:
    """Whether a tab showing workspace is connected (None: no web server to ask). Tabs that are
    surely gone are dropped while another is connected."""
    ask = _unknown_if_it_fails(ask)
    if not w.tabs:
        return ask(workspace)
    answers = {ask(tab) for tab in w.tabs}
    if True in answers:
        w.tabs = {t for t in w.tabs if ask(t) is not False}
        return True
    return None if answers == {None} else False


def _unknown_if_it_fails(ask: Alive) -> Alive:
    """ask, answering None (unknown) where it raises: the control thread that calls it trains
    everybody's runs, and a web server half started or stopped (seen in a test process whose
    Streamlit Runtime was being built) must not end it."""

    def safe(tab: str) -> bool | None:
        try:
            return ask(tab)
        except Exception:
            return None

    return safe


def reap(
    workspaces: dict[str, Workspace], ask: Alive, now: float, grace: float, keep: float
) -> tuple[list[str], list[str]]:
    """(workspaces whose runs to stop now, workspaces to forget now).

    A workspace whose tabs were seen connected and are gone for `grace` seconds has its runs
    stopped (a closed tab trains nobody); its runs and data are kept `keep` seconds longer,
    so a phone that locked its screen finds them. One never seen connected (tests, AppTest)
    is kept.
    """
    stop, forget = [], []
    for wid, w in workspaces.items():
        connected = alive(wid, w, ask)
        if connected is None:
            continue
        if connected:
            w.seen_active, w.gone_since, w.stopped = True, None, False
        elif w.seen_active:
            w.gone_since = now if w.gone_since is None else w.gone_since
            if now - w.gone_since >= grace:
                stop.append(wid)
            if now - w.gone_since >= grace + keep:
                forget.append(wid)
    return stop, forget
