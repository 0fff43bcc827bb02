"""The run store: every run's spec, status, reports and weights in a database.

SQLAlchemy Core, one code path for SQLite (embedded, the default: a file in the data folder)
and PostgreSQL (several app servers, `MNIST_LAB_STORE=postgresql+psycopg://...`). The
scheduler writes through runs.writer (off the training path, in batches); pages read a
workspace's runs back after a reload or a restart. Nothing here imports Streamlit.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from runs import migrations, writes
from runs.schema import (  # noqa: F401 (the store's names, read from runs.store elsewhere)
    APP_DIR,
    SCHEMA_VERSION,
    STORE_ENV,
    StoreError,
    code_versions,
    damaged,
    data_folder,
    describe,
    engine_for,
    handins,
    meta,
    metadata,
    plain_reason,
    problem_text,
    reports,
    runs,
    servers,
    store_url,
    workspaces,
    writing,
)
from runs.store_health import integrity_problem, move_aside, read_only_reason

log = logging.getLogger("mnist_lab.store")
SERVER_TIMEOUT = 20.0  # seconds without a heartbeat after which a server counts as gone:
# four missed heartbeats (runs.writer.HEARTBEAT_EVERY), and a dead server's student sees the run
# interrupted on a survivor within ~25 s (this + a re-check + a page poll; the issue asked 35)
# What the class view reads of a run (not its weights or state).
CLASS_COLUMNS = ("id", "spec", "data_label", "status", "lesson", "name")


@dataclass(frozen=True)
class StoredRun:
    """One run as the store holds it: its row (a dict of the columns) and its reports."""

    row: dict
    reports: list[dict]


class Store:
    """A database of runs. Methods run on the caller's thread; each is one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.notice = ""  # something the user should know once (a damaged file moved aside)
        self.engine = engine_for(url)
        try:
            self._prepare()
        except StoreError:
            self.engine.dispose()
            raise

    def _prepare(self) -> None:
        if self.engine.dialect.name == "sqlite" and (problem := integrity_problem(self.engine)):
            self._move_aside(StoreError(problem))  # damage mid-file: the header looked fine
        try:
            with writing(self.engine) as c:
                self._upgrade(c)
        except sa.exc.DatabaseError as e:
            if self.engine.dialect.name == "sqlite" and damaged(e):
                self._move_aside(e)
                return self._prepare()
            raise StoreError(read_only_reason(e, self.url) or plain_reason(e)) from None

    def _upgrade(self, c) -> None:
        """A new database made at SCHEMA_VERSION, an older one migrated (runs.migrations),
        a newer one refused: in one transaction."""
        found = migrations.version(c)
        if found is None:
            metadata.create_all(c)
            c.execute(meta.insert().values(key="schema", value=str(SCHEMA_VERSION)))
        elif found > SCHEMA_VERSION:
            raise StoreError(
                f"the store {describe(self.url)} was written by a newer version "
                f"(schema {found}; this one reads {SCHEMA_VERSION}); upgrade the app"
            )
        elif found < SCHEMA_VERSION:
            migrations.lock(c)
            if (found := migrations.version(c)) < SCHEMA_VERSION:  # not done meanwhile
                migrations.upgrade(c, found)
                log.warning("mnist-lab: the store was upgraded from schema %d to %d",
                            found, SCHEMA_VERSION)  # fmt: skip

    def _move_aside(self, error: Exception) -> None:
        """A damaged SQLite file is renamed (never deleted) and a new one started."""
        path = Path(self.engine.url.database)
        self.engine.dispose()
        try:
            aside = move_aside(path, time.strftime("%Y%m%d-%H%M%S"))  # with its -wal and -shm
        except OSError as e:
            raise StoreError(f"the store file {path} is damaged and cannot be moved: {e}") from None
        self.notice = (
            f"The store file was damaged ({plain_reason(error)}); it was moved aside to "
            f"{aside} and a new one started."
        )
        log.error("mnist-lab: %s", self.notice)

    # ---- writing (runs.writer calls these with batches) ------------------------------

    def write(
        self,
        inserts: list[dict] = (),
        report_rows: list[dict] = (),
        updates: dict | None = None,
        handed: list[dict] = (),
        touched: dict | None = None,
        heartbeat: str | None = None,
        deletes: list[tuple] = (),
        claims: list[tuple[str, str]] = (),
    ) -> None:
        """In one transaction: new runs, new reports, column updates by run id, hand-ins,
        deletions ((workspace, run ids), or (workspace, None): all of it), workspaces used
        (id -> when), this server's heartbeat (its id), and claims ((server id, message): the
        runs an earlier incarnation of that server left active become interrupted)."""
        updates = updates or {}
        with writing(self.engine) as c:
            for row in inserts:  # a retried batch: its own row again, never another's
                writes.put_run(c, row)
            writes.write_reports(c, report_rows, updates)
            for run_id, values in updates.items():
                values = {k: v for k, v in values.items() if k != "truncate_reports"}
                if values:
                    c.execute(sa.update(runs).where(runs.c.id == run_id).values(**values))
            writes.write_handins(c, handed)
            for workspace, run_ids in deletes:
                writes.delete(c, workspace, run_ids)
            for server_id, message in claims:
                writes.interrupt_earlier(c, server_id, message)
            for workspace, at in (touched or {}).items():
                self._touch(c, workspace, at)
            if heartbeat is not None:
                c.execute(sa.delete(servers).where(servers.c.id == heartbeat))
                c.execute(servers.insert().values(id=heartbeat, seen=time.time()))

    def touch_workspace(self, workspace: str, now: float | None = None) -> None:
        """Record that workspace was used now (created if new)."""
        with writing(self.engine) as c:
            self._touch(c, workspace, time.time() if now is None else now)

    def _touch(self, c, workspace: str, now: float) -> None:
        updated = c.execute(
            sa.update(workspaces).where(workspaces.c.id == workspace).values(seen=now)
        ).rowcount
        if not updated:
            c.execute(workspaces.insert().values(id=workspace, created=now, seen=now))

    def live_servers(self, within: float = SERVER_TIMEOUT) -> set[str]:
        """Ids of the app servers that wrote a heartbeat in the last `within` seconds."""
        with self.engine.connect() as c:
            q = sa.select(servers.c.id).where(servers.c.seen > time.time() - within)
            return set(c.execute(q).scalars())

    def delete_runs(self, workspace: str, run_ids: list[str]) -> None:
        """Delete runs of workspace (their reports and hand-ins go with them)."""
        self.write(deletes=[(workspace, tuple(run_ids))])

    def delete_workspace(self, workspace: str) -> None:
        """Every run of workspace, its hand-ins, its code and the workspace itself."""
        self.write(deletes=[(workspace, None)])

    def forget_older_than(self, days: float, now: float | None = None) -> int:
        """Delete workspaces not used for days; returns how many."""
        cutoff = (time.time() if now is None else now) - days * 86400
        with self.engine.connect() as c:
            old = list(
                c.execute(sa.select(workspaces.c.id).where(workspaces.c.seen < cutoff)).scalars()
            )
        for workspace in old:
            self.delete_workspace(workspace)
        return len(old)

    def set_setting(self, name: str, value: dict) -> None:
        """A class-wide setting (the challenge, class mode) as JSON, for every app server."""
        key = f"setting:{name}"
        with writing(self.engine) as c:
            c.execute(sa.delete(meta).where(meta.c.key == key))
            c.execute(meta.insert().values(key=key, value=json.dumps(value)))

    def setting(self, name: str) -> dict | None:
        with self.engine.connect() as c:
            q = sa.select(meta.c.value).where(meta.c.key == f"setting:{name}")
            found = c.execute(q).scalar()
        return None if found is None else json.loads(found)

    # ---- reading ---------------------------------------------------------------------

    def handed_in(self) -> list[StoredRun]:
        """Every handed-in run (row with nickname, lesson and handed_in) with its reports,
        oldest first: one query."""
        q = (
            sa.select(
                *(runs.c[name] for name in CLASS_COLUMNS),
                handins.c.workspace.label("handed_by"),
                handins.c.nickname,
                handins.c.lesson.label("handed_lesson"),
                handins.c.created.label("handed_in"),
                handins.c.code_version,
                reports.c["values"].label("report"),
            )
            .join(handins, handins.c.run_id == runs.c.id)
            .outerjoin(reports, reports.c.run_id == runs.c.id)
            .order_by(handins.c.created, runs.c.created, runs.c.id, reports.c.seq)
        )
        with self.engine.connect() as c:
            found: dict[str, StoredRun] = {}
            for r in c.execute(q).mappings():
                row = dict(r)
                text = row.pop("report")
                kept = found.setdefault(row["id"], StoredRun(row, []))
                if text is not None:
                    kept.reports.append(json.loads(text))
            return list(found.values())

    def run_weights(self, run_ids: list[str]) -> list[dict]:
        """id, weights, state and scaling of the runs (one query; runs.stored.model_from_row)."""
        q = sa.select(runs.c.id, runs.c.weights, runs.c.state, runs.c.scaling)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q.where(runs.c.id.in_(run_ids))).mappings()]

    def handed_in_ids(self, workspace: str) -> dict[str, str]:
        """Run id -> nickname for the runs workspace handed in."""
        q = sa.select(handins.c.run_id, handins.c.nickname).where(handins.c.workspace == workspace)
        with self.engine.connect() as c:
            return {run_id: nickname for run_id, nickname in c.execute(q)}

    def load_workspace(self, workspace: str) -> list[StoredRun]:
        """The runs of workspace, oldest first, each with its reports in order."""
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(runs).where(runs.c.workspace == workspace).order_by(runs.c.created)
            ).mappings()
            rows = [dict(r) for r in rows]
            return [StoredRun(r, self._reports(c, r["id"])) for r in rows]

    def _reports(self, c, run_id: str) -> list[dict]:
        q = sa.select(reports.c["values"]).where(reports.c.run_id == run_id).order_by(reports.c.seq)
        return [json.loads(v) for v in c.execute(q).scalars()]

    def workspace_bytes(self, workspace: str) -> int:
        """What workspace takes in the store (runs' states, weights and reports; its code
        versions' sources and checks), in bytes."""
        size = sa.func.coalesce
        blobs = sa.select(
            sa.func.sum(
                size(sa.func.length(runs.c.state), 0) + size(sa.func.length(runs.c.weights), 0)
            )
        ).where(runs.c.workspace == workspace)
        texts = (
            sa.select(sa.func.sum(sa.func.length(reports.c["values"])))
            .join(runs, runs.c.id == reports.c.run_id)
            .where(runs.c.workspace == workspace)
        )
        code_size = sa.func.length(code_versions.c.source) + sa.func.length(code_versions.c.check)
        code = sa.select(sa.func.sum(code_size)).where(code_versions.c.workspace == workspace)
        with self.engine.connect() as c:
            return sum(int(c.execute(q).scalar() or 0) for q in (blobs, texts, code))

    def close(self) -> None:
        self.engine.dispose()
