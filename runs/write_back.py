"""What a server holds in memory of its runs, as the writes that put it in a new store file
(after the old one was deleted, replaced or damaged: runs.store_health)."""

from __future__ import annotations

from mlcore.checkpoint import progress_to_dict, state_to_bytes
from runs import stored

Held = tuple  # (Run view, TrainState | None, state bytes | None, reports the bytes cover)


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
