"""The run book: every run this server holds, each workspace's record, and the queue of runs
waiting for a worker, under one lock.

Plain records and the few operations that keep them consistent (a run is in `runs` and in its
workspace's list, or in neither); the caller holds `lock` for all of them. Deciding what to
do with the runs is the control loop's (runs.control) and the facade's (runs.scheduler).
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

from runs.run import Record, Run


@dataclass
class Workspace:
    """What this server holds for one workspace (a browser's kept work)."""

    runs: list[Record] = field(default_factory=list)
    upload_dir: str | None = None  # the current upload's folder
    upload_key: str | None = None
    upload_dirs: list[str] = field(default_factory=list)  # every upload (runs may still need)
    tabs: set[str] = field(default_factory=set)  # browser tabs showing it (attach)
    loaded: bool = False  # its stored runs have been read back
    checked: float = 0.0  # when (the scheduler's clock) they were last read
    data: dict = field(default_factory=dict)  # what pages keep for it (its upload)
    seen_active: bool = False  # the web server has listed one of its tabs as connected
    gone_since: float | None = None
    stopped: bool = False  # its runs were stopped because its tabs went away


class RunBook:
    """Records by id, workspaces by id, the queue and the runs deleted here; one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.runs: dict[str, Record] = {}
        self.workspaces: dict[str, Workspace] = {}
        self.queue: deque[Record] = deque()
        self.deleted: set[str] = set()  # ids deleted here: never read back from the store

    def workspace(self, workspace: str) -> Workspace:
        """workspace's record, made if new."""
        return self.workspaces.setdefault(workspace, Workspace())

    def new_id(self) -> str:
        """A new run id: 12 hex digits, never one that reads as a number (all digits, or digits
        around one e: pandas read the exported CSV's run 25e643879181 as inf)."""
        while True:
            run_id = uuid.uuid4().hex[:12]
            if run_id not in self.runs and not _number(run_id):
                return run_id

    def add(self, w: Workspace, run: Record) -> None:
        """A new run of w, queued."""
        w.runs.append(run)
        self.runs[run.id] = run
        self.queue.append(run)

    def remove(self, w: Workspace, run: Record) -> None:
        w.runs.remove(run)
        self.runs.pop(run.id, None)

    def own(self, workspace: str, run_id: str) -> Record:
        """workspace's run; KeyError if workspace has no such run."""
        run = self.runs.get(run_id)
        if run is None or run.workspace != workspace:
            raise KeyError(f"no run {run_id!r} in this workspace")
        return run

    def delete_ended(self, workspace: str, run_ids: list[str]) -> list[Record]:
        """Remove workspace's runs of run_ids that are not training (never read back)."""
        w = self.workspaces.get(workspace)
        gone = [r for r in (w.runs if w else []) if r.id in run_ids and not r.active]
        for run in gone:
            self.remove(w, run)
            self.deleted.add(run.id)
        return gone

    def replace_or_add(self, w: Workspace, run: Record) -> None:
        """A run read back from the store: new here, or replacing its stand-in."""
        known = self.runs.get(run.id)
        if known is not None:
            w.runs.remove(known)
        w.runs.append(run)
        self.runs[run.id] = run

    def drop(self, workspace: str) -> Workspace | None:
        """Forget workspace and its runs here (the store keeps them); its record, if any."""
        w = self.workspaces.pop(workspace, None)
        for run in w.runs if w else []:
            self.runs.pop(run.id, None)
        return w

    def forget_old(self, w: Workspace, keep: int) -> None:
        """Without a store: w's oldest ended runs beyond `keep` are dropped."""
        ended = [r for r in w.runs if not r.active]
        while len(w.runs) > keep and ended:
            self.remove(w, ended.pop(0))

    def views(self, workspace: str) -> list[Run]:
        w = self.workspaces.get(workspace)
        return [r.view for r in w.runs] if w else []

    def place(self, run_id: str) -> int | None:
        """The waiting run's place in the queue, from 0; None if it is not waiting."""
        run = self.runs.get(run_id)
        if run is None or run.status != "waiting" or run not in self.queue:
            return None
        return list(self.queue).index(run)


def _number(text: str) -> bool:
    """Does text read as a number (as a spreadsheet or pandas would read it)?"""
    try:
        float(text)
    except ValueError:
        return False
    return True
