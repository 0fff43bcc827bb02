"""What a class keeps beside the runs: hand-ins, class-wide settings, students' code.

The scheduler's facade passes these calls here (runs.scheduler.Scheduler.hand_in, ...).
Reads run on the caller's thread and return a fallback while the database is away (the
reason then in `problem()`); writes go through the writer with a ticket, waited for alone.
"""

from __future__ import annotations

import json
import threading
import time

from mlcore.model import Model
from runs import code_store, stored
from runs.code_store import CodeVersion, MemoryCode
from runs.store import StoredRun, StoreError, problem_text
from runs.writer import StoreWriter


class ClassWork:
    """Hand-ins, settings and code of one server's class (writer None: memory only)."""

    def __init__(self, writer: StoreWriter | None):
        self.writer = writer
        self.memory_code = MemoryCode() if writer is None else None
        self.settings: dict[str, dict] = {}  # without a store: this process's settings
        # The hand-ins of runs made on this server since it started (run id -> row): what a
        # new store file gets back after the old one was deleted or damaged (runs.write_back).
        self.handed: dict[str, dict] = {}
        # The caller's last read, if it failed: the page that got a fallback says why at once,
        # before the writer's thread has checked that the database is away (per thread).
        self._last_read = threading.local()

    def problem(self) -> str | None:
        """Why work is not being saved now (or what happened to the store), else None."""
        w = self.writer
        if w is None:
            return None
        if w.problem:
            return (f"Your work is not being saved: {w.problem}. Training goes on; "
                    "the app retries.")  # fmt: skip
        if failed := getattr(self._last_read, "failure", None):
            return f"The database could not be read just now: {failed}. The app retries."
        return w.notice or None

    def _read(self, fallback, read):
        """read(store), or fallback while the store is away (the reason kept for problem())."""
        w = self.writer
        store = None if w is None else w.readable_store()  # once: the writer may renew it
        if store is None:
            return fallback
        try:
            found = read(store)
        except Exception as e:  # away, or failing now: the writer checks and says so
            w.read_failed(e)
            self._last_read.failure = problem_text(e, w.url)
            return fallback
        self._last_read.failure = None
        return found

    def hand_in(self, workspace: str, runs: list[tuple[str, str | None]], nickname: str,
                code_version: int | None, timeout: float) -> bool:  # fmt: skip
        """runs: (run id, lesson) of workspace's own runs."""
        now = time.time()
        if self.writer is None:
            if code_version is not None:
                self.memory_code.hand_in(workspace, code_version, nickname)
            return False  # a class view needs a store
        rows = [{"run_id": run_id, "workspace": workspace, "nickname": nickname,
                 "lesson": lesson, "created": now, "code_version": code_version}
                for run_id, lesson in runs]  # fmt: skip
        if code_version is not None and not rows:
            rows = [{"run_id": None, "workspace": workspace, "nickname": nickname,
                     "created": now, "code_version": code_version}]  # fmt: skip
        self.handed.update((row["run_id"], row) for row in rows if row["run_id"] is not None)
        tickets = [self.writer.hand_in(row) for row in rows]
        return bool(tickets) and self.writer.wait(max(tickets), timeout)

    def handed_in_ids(self, workspace: str) -> dict[str, str]:
        return self._read({}, lambda s: s.handed_in_ids(workspace))

    def handed_in(self) -> list[StoredRun]:
        return self._read([], lambda s: s.handed_in())

    def handed_in_models(self, run_ids: list[str]) -> dict[str, Model]:
        def read(store) -> dict[str, Model]:
            found = {r["id"]: stored.model_from_row(r) for r in store.run_weights(run_ids)}
            return {run_id: model for run_id, model in found.items() if model is not None}

        return self._read({}, read)

    def class_setting(self, name: str) -> dict | None:
        if self.writer is None:
            return self.settings.get(name)
        return self._read(None, lambda s: s.setting(name))

    def set_class_setting(self, name: str, value: dict) -> None:
        json.dumps(value)  # JSON-able, or TypeError here
        if self.writer is None:
            self.settings[name] = value
            return
        self._write_now(lambda store: store.set_setting(name, value))

    def save_code(self, workspace: str, source: str, check: dict) -> int:
        if self.writer is None:
            return self.memory_code.save(workspace, source, check)
        return self._write_now(lambda s: code_store.save(s.engine, workspace, source, check))

    def code_versions(self, workspace: str) -> list[CodeVersion]:
        if self.writer is None:
            return self.memory_code.versions(workspace)
        return self._read([], lambda s: code_store.versions(s.engine, workspace))

    def handed_in_code(self) -> list[CodeVersion]:
        if self.writer is None:
            return self.memory_code.handed_in()
        return self._read([], lambda s: code_store.handed_in(s.engine))

    def forget(self, workspace: str) -> None:
        self.handed = {k: row for k, row in self.handed.items() if row["workspace"] != workspace}
        if self.memory_code is not None:
            self.memory_code.forget(workspace)

    def _write_now(self, write):
        """write(store) on the caller's thread; StoreError(sentence) while the store is away
        or if the write fails for want of it (the writer's thread then checks and says so).
        A ValueError (a source too long) or TypeError (not JSON) is the caller's to say."""
        w = self.writer
        store = w.readable_store()  # once: the writer may renew it
        if store is None:
            raise StoreError(f"the database is away ({w.problem or 'not open yet'})")
        try:
            return write(store)
        except (ValueError, TypeError):
            raise
        except Exception as e:
            w.read_failed(e)
            raise StoreError(f"the database is away ({problem_text(e, w.url)})") from None
