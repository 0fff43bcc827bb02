"""Browser sessions (workspaces): their runs, uploads and data, and when a closed tab's runs
stop and its work is forgotten.

Whether a tab is still connected is asked of a function the UI gives (runs/ knows nothing of
Streamlit); `reap` is a pure function of the sessions, that function and the time `now`.
SessionKeeping is a mixin of runs.scheduler.Scheduler (its lock, runs and sessions).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mlcore.data import Dataset
from runs.limits import LimitError
from runs.memory import release_memory
from runs.protocol import DataRef
from runs.run import Record

Alive = Callable[[str], "bool | None"]  # a tab's session id -> connected (None: nobody to ask)


@dataclass
class Session:
    runs: list[Record] = field(default_factory=list)
    upload_dir: str | None = None  # the current upload's folder
    upload_key: str | None = None
    upload_dirs: list[str] = field(default_factory=list)  # every upload (runs may still need)
    tabs: set[str] = field(default_factory=set)  # Streamlit sessions showing it (attach)
    loaded: bool = False  # its stored runs have been read back
    checked: float = 0.0  # when (Scheduler.clock) they were last read
    data: dict = field(default_factory=dict)  # what pages keep for the session (its upload)
    seen_active: bool = False  # the web server has listed this session as connected
    gone_since: float | None = None
    stopped: bool = False  # its runs were stopped because the tab went away


def alive(owner: str, s: Session, ask: Alive) -> bool | None:
    """Whether a tab showing owner is connected (None: no web server to ask). Tabs that are
    surely gone are dropped while another is connected."""
    ask = _unknown_if_it_fails(ask)
    if not s.tabs:
        return ask(owner)
    answers = {ask(tab) for tab in s.tabs}
    if True in answers:
        s.tabs = {t for t in s.tabs if ask(t) is not False}
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
    sessions: dict[str, Session], ask: Alive, now: float, grace: float, keep: float
) -> tuple[list[str], list[str]]:
    """(sessions whose runs to stop now, sessions to forget now).

    A session seen connected and gone for `grace` seconds has its runs stopped (a closed tab
    trains nobody); its runs and data are kept `keep` seconds longer, so a phone that locked
    its screen finds them. A session never seen connected (tests, AppTest) is kept.
    """
    stop, forget = [], []
    for sid, s in sessions.items():
        connected = alive(sid, s, ask)
        if connected is None:
            continue
        if connected:
            s.seen_active, s.gone_since, s.stopped = True, None, False
        elif s.seen_active:
            s.gone_since = now if s.gone_since is None else s.gone_since
            if now - s.gone_since >= grace:
                stop.append(sid)
            if now - s.gone_since >= grace + keep:
                forget.append(sid)
    return stop, forget


class SessionKeeping:
    """What Scheduler does with its sessions (self._sessions: owner -> Session)."""

    def session_data(self, session: str) -> dict:
        """A dict pages may keep large per-session things in; freed when the tab closes."""
        with self._lock:
            return self._sessions.setdefault(session, Session()).data

    def _session(self, owner: str) -> Session:
        """owner's session record, made if new (caller holds the lock)."""
        return self._sessions.setdefault(owner, Session())

    def upload(self, session: str, dataset: Dataset, key: str) -> DataRef:
        """Put an uploaded dataset where workers can read it (a folder of .npy files).

        key names this upload (a new one per upload); earlier uploads' folders stay until the
        session is forgotten, since its stopped runs may continue on them.
        """
        with self._lock:
            s = self._sessions.setdefault(session, Session())
            if s.upload_key == key and s.upload_dir:
                return DataRef("upload", s.upload_dir)
        folder = tempfile.mkdtemp(prefix="upload-", dir=self._tmp)
        for name in ("X_train", "y_train", "X_test", "y_test"):
            np.save(os.path.join(folder, f"{name}.npy"), getattr(dataset, name))
        with self._lock:
            if self._sessions.get(session) is not s:  # forgotten meanwhile
                shutil.rmtree(folder, ignore_errors=True)
                raise LimitError("this session has ended; reload the page")
            s.upload_dir, s.upload_key = folder, key
            s.upload_dirs.append(folder)
        return DataRef("upload", folder)

    def close_session(self, session: str) -> None:
        """Stop the session's runs and forget everything it holds (its tab has closed)."""
        with self._lock:
            self._stop_session(session)
        self._forget(session)

    def _stop_session(self, session: str) -> None:
        """Stop the runs of a session whose tab went away (caller holds the lock)."""
        s = self._sessions.get(session)
        if s is None or s.stopped:
            return
        s.stopped = True
        stopped = 0
        for run in s.runs:
            if run.active:
                stopped += 1
                run.stop_reason = "stopped: its browser tab was closed or lost its connection"
                self._stop(run)
        print(f"mnist-lab: session {session[:8]} closed: stopped {stopped} run(s)", flush=True)

    def _forget(self, session: str) -> None:
        """Drop a session's runs, uploads and data, and give the memory back (no lock held)."""
        with self._lock:
            s = self._sessions.pop(session, None)
            if s is None:
                return
            for run in s.runs:
                self._runs.pop(run.id, None)
        for folder in s.upload_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        del s
        release_memory()

    def _forget_old(self, s: Session) -> None:
        ended = [r for r in s.runs if not r.active]
        while len(s.runs) > self.limits.kept_per_session and ended:
            old = ended.pop(0)
            s.runs.remove(old)
            self._runs.pop(old.id, None)
