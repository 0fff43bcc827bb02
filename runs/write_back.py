"""What a server holds in memory of its runs, as the writes that put it in a new store file
(after the old one was deleted, replaced or damaged: runs.store_health).

What it holds: the runs of the workspaces opened since it started (rows, reports, state or
weights) and the hand-ins of those runs made on it since then. Code versions and class
settings are only in the database, and so are hand-ins made earlier or on another server:
the notice (runs.store_health.what_happened) says they are not written back."""

from __future__ import annotations

from mlcore.checkpoint import progress_to_dict, state_to_bytes
from runs import stored

Held = tuple  # (Run view, TrainState | None, state bytes | None, reports the bytes cover)


def held_writes(book, classes, server_id: str) -> list[tuple[str, object]]:
    """What the server holds, as the writer's writes: runs (book: a runs.book.RunBook), then
    the hand-ins of those runs (classes: runs.class_work.ClassWork)."""
    runs = held(book)
    return memory_writes(runs, server_id) + handin_writes(classes.handed, runs)


def held(book) -> list[Held]:
    """What a runs.book.RunBook holds of each run, taken under its lock (values: the writer
    turns them into rows outside it)."""
    with book.lock:
        return [(r.view, r.state, r.state_blob, r.state_at) for r in book.runs.values()]


def memory_writes(held: list[Held], server_id: str) -> list[tuple[str, object]]:
    """(kind, value) writes for runs.writer: each run's row, its reports, then what it has
    (scaling, range test, resumable state, else its latest weights)."""
    out: list[tuple[str, object]] = []
    for run, state, blob, state_at in held:
        out.append(("insert", stored.run_row(run, server_id)))
        for seq, report in enumerate(run.history):
            out.append(
                ("report", {"run_id": run.id, "seq": seq, "values": progress_to_dict(report)})
            )
        out.append(("update", (run.id, _values(run, state, blob, state_at))))
    return out


def handin_writes(handed: dict[str, dict], held: list[Held]) -> list[tuple[str, object]]:
    """("handin", row) for each hand-in (run id -> row, runs.class_work) of a held run, after
    that run's own writes; without its code version (code is not held: it is lost)."""
    ids = {run.id for run, *_ in held}
    return [("handin", {**row, "code_version": None}) for k, row in handed.items() if k in ids]


def _values(run, state, blob, state_at: int) -> dict:
    """The columns a run row gets beside its first ones; bytes made later, by the writer."""
    values: dict = {"status": run.status, "message": run.message}
    if run.scaling is not None:
        values["scaling"] = stored.scaling_text(run.scaling)
    if run.range_test is not None:
        values["extra"] = stored.range_text(run.range_test)
    if state is not None:
        values.update(state=lambda: state_to_bytes(state), state_at=len(run.history))
    elif blob is not None:
        values.update(state=blob, state_at=state_at)
    elif run.snapshot is not None:
        values["weights"] = lambda snap=run.snapshot: stored.weights_bytes(snap)
    return values
