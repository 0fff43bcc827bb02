"""The writer's pending work: items with tickets, in order, made into batches for Store.write.

Pure data and functions (no thread, no database): runs.writer keeps a Pending, takes it whole
for a batch, and puts it back in front of what came meanwhile when the database is away.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from runs.schema import StoreError

KINDS = ("insert", "report", "update", "handin", "delete", "touch", "claim")


@dataclass(frozen=True)
class Item:
    """One write: its ticket, its kind (one of KINDS) and its value."""

    ticket: int
    kind: str
    value: object


@dataclass
class Pending:
    """Items by arrival; a run's updates merge into one item (the newer value wins)."""

    items_: list[Item] = field(default_factory=list)
    updates: dict[str, Item] = field(default_factory=dict)  # run id -> its merged update

    def add(self, ticket: int, kind: str, value) -> None:
        if kind != "update":
            self.items_.append(Item(ticket, kind, value))
            return
        run_id, values = value
        if "truncate_reports" in values:  # the reports issued before past the cut are gone
            self.items_ = _cut(self.items_, run_id, values["truncate_reports"])
        old = self.updates.get(run_id)
        merged = values if old is None else {**old.value[1], **values}
        self.updates[run_id] = Item(ticket, kind, (run_id, merged))

    def items(self) -> list[Item]:
        return [*self.items_, *self.updates.values()]

    def then(self, later: Pending) -> Pending:
        """self's items followed by later's (later's updates win; a cut in later drops
        self's reports past it, never later's own: those came after the cut)."""
        out = Pending(list(self.items_), dict(self.updates))
        for item in later.updates.values():
            out.add(item.ticket, "update", item.value)  # later tickets are larger
        out.items_.extend(later.items_)
        return out

    def __bool__(self) -> bool:
        return bool(self.items_ or self.updates)


def _cut(items: list[Item], run_id: str, at: int) -> list[Item]:
    """items without run_id's reports numbered at or past `at` (a cut issued after them:
    the store applies a batch's cut before all of its reports)."""
    return [
        i for i in items
        if not (i.kind == "report" and i.value["run_id"] == run_id and i.value["seq"] >= at)
    ]  # fmt: skip


@dataclass
class Batch:
    """Items grouped as Store.write takes them (values made into text and bytes here)."""

    inserts: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    updates: dict[str, dict] = field(default_factory=dict)
    handed: list[dict] = field(default_factory=list)
    deletes: list[tuple] = field(default_factory=list)
    touched: dict[str, float] = field(default_factory=dict)
    claims: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, items: list[Item]) -> Batch:
        b = cls()
        for item in items:
            match item.kind:
                case "insert":
                    b.inserts.append(item.value)
                case "report":
                    b.reports.append({**item.value, "values": json.dumps(item.value["values"])})
                case "update":
                    run_id, values = item.value
                    b.updates[run_id] = _built(values)
                case "handin":
                    b.handed.append(item.value)
                case "delete":
                    b.deletes.append(item.value)
                case "touch":
                    workspace, at = item.value
                    b.touched[workspace] = at
                case "claim":
                    b.claims.append(item.value)
        return b

    def parts(self) -> dict:
        """Store.write's keyword arguments."""
        return {
            "inserts": self.inserts,
            "report_rows": self.reports,
            "updates": self.updates,
            "handed": self.handed,
            "deletes": self.deletes,
            "touched": self.touched,
            "claims": self.claims,
        }


def _built(values: dict) -> dict:
    """Column values with their callables (weights to bytes) called, on the writer's thread."""
    out = {k: v() if callable(v) else v for k, v in values.items()}
    out.setdefault("updated", time.time())
    return out


def lasting(error: Exception) -> bool:
    """Whether the database refuses this write for good (the data: a value too long, a run
    that is gone), not for now (a lost connection, a locked or full file)."""
    if isinstance(error, sa.exc.DBAPIError):
        return isinstance(error, sa.exc.IntegrityError | sa.exc.DataError)
    if isinstance(error, sa.exc.SQLAlchemyError):
        return isinstance(error, sa.exc.StatementError)  # a value the driver cannot take
    return not isinstance(error, OSError | StoreError)
