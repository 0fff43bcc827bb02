"""What one batch of the writer does to the tables (runs.store.Store.write calls these, each
with the batch's connection, in one transaction)."""

from __future__ import annotations

import sqlalchemy as sa

from runs.schema import code_versions, handins, reports, runs, workspaces

WRITE_CHUNK = 500  # reports per statement (PostgreSQL takes at most 65,535 parameters)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def write_reports(c, report_rows: list[dict], updates: dict) -> None:
    """Cut the reports past a resumed run's state, then write the new ones (a retried
    batch's reports replace themselves)."""
    for run_id, values in updates.items():  # cut first: new reports may follow
        if "truncate_reports" in values:
            keep = values["truncate_reports"]
            c.execute(sa.delete(reports).where(reports.c.run_id == run_id, reports.c.seq >= keep))
    for chunk in _chunks(report_rows, WRITE_CHUNK):
        keys = [(r["run_id"], r["seq"]) for r in chunk]
        c.execute(sa.delete(reports).where(sa.tuple_(reports.c.run_id, reports.c.seq).in_(keys)))
        c.execute(reports.insert(), chunk)


def write_handins(c, handed: list[dict]) -> None:
    """Hand-ins; a run handed in again takes its new nickname. A hand-in naming a code
    version marks that version handed in under the nickname."""
    for row in handed:
        workspace, version = row["workspace"], row.get("code_version")
        if version is not None:
            mine = (code_versions.c.workspace == workspace) & (code_versions.c.version == version)
            at = {"nickname": row["nickname"], "handed_in": row["created"]}
            c.execute(sa.update(code_versions).where(mine).values(**at))
        if row.get("run_id") is None:
            continue
        own = sa.select(runs.c.id).where(runs.c.id == row["run_id"], runs.c.workspace == workspace)
        if c.execute(own).first() is None:
            continue  # only a workspace's own runs can be handed in under it
        c.execute(sa.delete(handins).where(handins.c.run_id == row["run_id"]))
        c.execute(handins.insert().values(**row))


def put_run(c, row: dict) -> None:
    """A new run's row; written again (a retried batch), it updates itself, never another
    workspace's run (and never deletes: its reports would go with it)."""
    mine = (runs.c.id == row["id"]) & (runs.c.workspace == row["workspace"])
    if c.execute(sa.update(runs).where(mine).values(**row)).rowcount == 0:
        c.execute(runs.insert().values(**row))


def delete(c, workspace: str, run_ids: tuple | None) -> None:
    """Runs of workspace (None: all, with its code and the workspace); reports and hand-ins
    go with their runs (ON DELETE CASCADE)."""
    mine = runs.c.workspace == workspace
    if run_ids is not None:
        c.execute(sa.delete(runs).where(mine, runs.c.id.in_(run_ids)))
        return
    c.execute(sa.delete(handins).where(handins.c.workspace == workspace))
    c.execute(sa.delete(runs).where(mine))
    c.execute(sa.delete(code_versions).where(code_versions.c.workspace == workspace))
    c.execute(sa.delete(workspaces).where(workspaces.c.id == workspace))
