"""The scheduler's side of the run store: reading a workspace back, writing what changed,
deleting, the quota. A mixin of runs.scheduler.Scheduler (its lock, runs and sessions)."""

from __future__ import annotations

from runs import stored
from runs.limits import LimitError
from runs.store import StoreError, problem_text


class Keeping:
    """What Scheduler does with its store (self.store: a StoreWriter, or None)."""

    def attach(self, owner: str, tab: str) -> None:
        """A browser tab (Streamlit session id) shows owner: its runs go on while one is open."""
        with self._lock:
            s = self._session(owner)
            s.tabs.add(tab)
            used = bool(s.runs)
        if used and self.store is not None:
            self.store.touch(owner)  # retention counts from the last use

    def delete(self, owner: str, run_ids: list[str]) -> int:
        """Delete owner's runs that are not training (from memory and the store); how many."""
        with self._lock:
            s = self._sessions.get(owner)
            gone = [r for r in (s.runs if s else []) if r.id in run_ids and not r.active]
            for run in gone:
                s.runs.remove(run)
                self._runs.pop(run.id, None)
        if self.store is not None and gone:
            self._store_now().delete_runs(owner, [r.id for r in gone])
        return len(gone)

    def forget_owner(self, owner: str) -> None:
        """Stop and delete every run of owner, here and in the store ("forget my work")."""
        store = None if self.store is None else self._store_now()  # or say it is away
        with self._lock:  # decided under the lock, sent after it (pickling, sockets)
            for run in self._session(owner).runs:
                self._stop(run)
        self._flush()
        self._forget(owner)  # what the stopped runs still report is not written (_save)
        if store is not None:
            store.delete_workspace(owner)

    def _store_now(self):
        """The store, with this server's pending writes in it; StoreError if it is away."""
        if self.store.store is None or self.store.problem or not self.store.flush(5.0):
            raise StoreError(f"the database is away ({self.store.problem or 'busy'})")
        return self.store.store

    def stored_bytes(self, owner: str) -> int | None:
        """What owner's runs take in the store, or None without one (or while it is away)."""
        if self.store is None or self.store.store is None or self.store.problem:
            return None
        try:
            return self.store.store.workspace_bytes(owner)
        except Exception:  # the store is away: the quota is not checked meanwhile
            return None

    def _check_quota(self, owner: str) -> None:
        used = self.stored_bytes(owner)
        if used is not None and used >= self.limits.workspace_bytes:
            raise LimitError(
                f"your saved work takes {used / 2**20:,.0f} MB, the limit is "
                f"{self.limits.workspace_bytes / 2**20:,.0f} MB: delete runs you no longer need "
                "(Home → Your work) to start new ones"
            )

    def _load(self, owner: str) -> None:
        """Read owner's stored runs back once (after a reload, a restart, another server)."""
        with self._lock:
            s = self._session(owner)
            if s.loaded or self.store is None or self.store.store is None or self.store.problem:
                return  # while the store is away: this server's runs only (the sidebar says)
            s.loaded = True
        self.store.flush(2.0)  # what this server wrote last, before reading it back
        try:
            found = self.store.store.load_workspace(owner)
            live = self.store.store.live_servers()
        except Exception as e:  # the store is away: runs of this server only, and say so
            self.store.problem = problem_text(e, self.store.url)
            with self._lock:
                s.loaded = False
            return
        with self._lock:
            for row in found:
                if row.row["id"] not in self._runs:
                    run = stored.run_from_store(row, self.server_id, live)
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
