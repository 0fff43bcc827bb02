"""The scheduler's side of the run store: reading a workspace back, writing what changed,
deleting, the quota. A mixin of runs.scheduler.Scheduler (its lock, runs and sessions)."""

from __future__ import annotations

from runs import stored
from runs.limits import LimitError
from runs.store import problem_text

SAVE_WAIT = 3.0  # seconds a Delete or Forget waits for its write before answering


class Keeping:
    """What Scheduler does with its store (self.store: a StoreWriter, or None)."""

    def attach(self, workspace: str, tab: str) -> None:
        """A browser tab (Streamlit session id) shows workspace: its runs go on while one is
        open."""
        with self._lock:
            s = self._session(workspace)
            s.tabs.add(tab)
            used = bool(s.runs)
        if used and self.store is not None:
            self.store.touch(workspace)  # retention counts from the last use

    def delete(self, workspace: str, run_ids: list[str]) -> int:
        """Delete workspace's runs that are not training; how many. The store forgets them
        too (at once, or once it is back: the deletion is kept and retried)."""
        with self._lock:
            s = self._sessions.get(workspace)
            gone = [r for r in (s.runs if s else []) if r.id in run_ids and not r.active]
            for run in gone:
                s.runs.remove(run)
                self._runs.pop(run.id, None)
            self._deleted.update(r.id for r in gone)
        if self.store is not None and gone:
            self.store.wait(self.store.delete_runs(workspace, [r.id for r in gone]), SAVE_WAIT)
        return len(gone)

    def forget_workspace(self, workspace: str) -> None:
        """Stop and delete every run of workspace, here and in the store ("forget my work";
        the store's part is kept and retried while it is away)."""
        with self._lock:  # decided under the lock, sent after it (pickling, sockets)
            s = self._session(workspace)
            for run in s.runs:
                self._stop(run)
            self._deleted.update(r.id for r in s.runs)
        self._flush()
        self._forget(workspace)  # what the stopped runs still report is not written (_save)
        self.classes.forget(workspace)
        if self.store is not None:
            self.store.wait(self.store.delete_workspace(workspace), SAVE_WAIT)

    def stored_bytes(self, workspace: str) -> int | None:
        """What workspace's runs take in the store, or None without one (or while it is
        away). Asks the database: never call it holding the lock."""
        w = self.store
        if w is None or w.store is None or w.problem:
            return None
        try:
            return w.store.workspace_bytes(workspace)
        except Exception:  # the store is away: the quota is not checked meanwhile
            return None

    def _check_quota(self, workspace: str) -> None:
        """LimitError if workspace's saved work is at its limit (asks the database: call it
        before taking the lock)."""
        used = self.stored_bytes(workspace)
        if used is not None and used >= self.limits.workspace_bytes:
            raise LimitError(
                f"your saved work takes {used / 2**20:,.0f} MB, the limit is "
                f"{self.limits.workspace_bytes / 2**20:,.0f} MB: delete runs you no longer need "
                "(Home → Your work) to train more"
            )

    def _load(self, workspace: str) -> None:
        """Read workspace's stored runs back once (after a reload, a restart, another server);
        the database is read and the weights decoded without holding the lock."""
        with self._lock:
            s = self._session(workspace)
            if s.loaded or self.store is None or self.store.store is None or self.store.problem:
                return  # while the store is away: this server's runs only (the sidebar says)
            s.loaded = True
        self.store.flush(2.0)  # what this server wrote until now, before reading it back
        try:
            found = self.store.store.load_workspace(workspace)
            live = self.store.store.live_servers()
        except Exception as e:  # the store is away: runs of this server only, and say so
            self.store.problem = problem_text(e, self.store.url)
            with self._lock:
                s.loaded = False
            return
        read = [stored.run_from_store(f, self.server_id, live) for f in found]
        with self._lock:
            for run in read:
                if run.id not in self._runs and run.id not in self._deleted:
                    s.runs.append(run)
                    self._runs[run.id] = run
            s.runs.sort(key=lambda r: r.created)

    def _save(self, run_id: str, **values) -> None:
        if self.store is not None and run_id in self._runs:  # not a deleted run's last words
            self.store.update(run_id, **values)

    def _save_statuses(self) -> None:
        """Give the store each status that changed since it was last given one."""
        if self.store is None:
            return
        for run in self._runs.values():
            if run.saved != (run.status, run.message):
                run.saved = (run.status, run.message)
                self._save(run.id, status=run.status, message=run.message, server=self.server_id)
