"""Code a student wrote, kept per workspace in versions 1, 2, ... (the code_versions table).

Functions of an engine (runs.store.Store hands over its own), and MemoryCode: the same for a
server without a store (MNIST_LAB_STORE=memory), kept as long as the process runs.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, replace

import sqlalchemy as sa

from runs.schema import code_versions, writing

SOURCE_MAX = 200_000  # characters of one version's source
CHECK_MAX = 64 * 1024  # bytes of one check's report as JSON; a larger one is kept as an error
# Versions kept per workspace: the newest VERSIONS_KEPT, and every one handed in (a teacher
# grades those). Older checks are superseded drafts: dropped at the next save rather than
# refusing it, so that pressing Check never stops working; 50 x 200k characters is at most
# ~10 MB, well inside a workspace's quota (which counts code too: runs.store.workspace_bytes).
VERSIONS_KEPT = 50
# What the Write page can say under its list of versions (ui/write_versions shows it).
KEPT_NOTE = (f"The newest {VERSIONS_KEPT} checked versions are kept, and every version handed "
             "in; older ones are dropped as new ones are checked.")  # fmt: skip


@dataclass(frozen=True)
class CodeVersion:
    """One saved version of a workspace's code and what its check found."""

    workspace: str
    version: int  # 1, 2, ... within the workspace
    source: str
    check: dict  # JSON-able: what the check found
    created: float  # seconds since the epoch
    nickname: str = ""  # "" unless handed in


def checked_source(source: str) -> str:
    if len(source) > SOURCE_MAX:
        raise ValueError(f"the code is {len(source):,} characters; at most {SOURCE_MAX:,} are kept")
    return source


def checked_check(check: dict) -> dict:
    """check, or {"error": sentence} if its JSON is over CHECK_MAX bytes (TypeError if it is
    not JSON-able)."""
    size = len(json.dumps(check).encode())
    if size <= CHECK_MAX:
        return check
    return {"error": f"this check's report was {size / 1024:,.0f} KB; at most "
                     f"{CHECK_MAX // 1024} KB of a report are kept, so it was not"}  # fmt: skip


def save(engine: sa.Engine, workspace: str, source: str, check: dict) -> int:
    """Keep a new version of workspace's code; its number. Versions past the newest
    VERSIONS_KEPT that were not handed in are dropped."""
    check = json.dumps(checked_check(check))
    row = {"source": checked_source(source), "check": check, "created": time.time()}
    mine = code_versions.c.workspace == workspace
    with writing(engine) as c:
        last = c.execute(sa.select(sa.func.max(code_versions.c.version)).where(mine)).scalar()
        new = (last or 0) + 1
        c.execute(code_versions.insert().values(workspace=workspace, version=new, **row))
        old = (code_versions.c.version <= new - VERSIONS_KEPT) & code_versions.c.nickname.is_(None)
        c.execute(sa.delete(code_versions).where(mine, old))
    return new


def versions(engine: sa.Engine, workspace: str) -> list[CodeVersion]:
    """workspace's versions, newest first."""
    q = sa.select(code_versions).where(code_versions.c.workspace == workspace)
    with engine.connect() as c:
        rows = c.execute(q.order_by(code_versions.c.version.desc())).mappings()
        return [_version(r) for r in rows]


def handed_in(engine: sa.Engine) -> list[CodeVersion]:
    """Every version handed in (with its nickname), oldest hand-in first: one query."""
    q = sa.select(code_versions).where(code_versions.c.nickname.is_not(None))
    with engine.connect() as c:
        return [_version(r) for r in c.execute(q.order_by(code_versions.c.handed_in)).mappings()]


def _version(r) -> CodeVersion:
    try:
        check = json.loads(r["check"])
    except ValueError:
        check = {"unreadable": "this check was saved by another version and cannot be read"}
    return CodeVersion(r["workspace"], r["version"], r["source"], check, r["created"],
                       r["nickname"] or "")  # fmt: skip


class MemoryCode:
    """Code versions in this process only (a server without a store)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._kept: dict[str, list[CodeVersion]] = {}

    def save(self, workspace: str, source: str, check: dict) -> int:
        check = checked_check(check)  # JSON-able, as the store would need
        with self._lock:
            kept = self._kept.setdefault(workspace, [])
            new = kept[-1].version + 1 if kept else 1
            kept.append(CodeVersion(workspace, new, checked_source(source), check, time.time()))
            kept[:] = [v for v in kept if v.version > new - VERSIONS_KEPT or v.nickname]
            return new

    def versions(self, workspace: str) -> list[CodeVersion]:
        with self._lock:
            return list(reversed(self._kept.get(workspace, [])))

    def hand_in(self, workspace: str, version: int, nickname: str) -> None:
        with self._lock:
            kept = self._kept.get(workspace, [])
            for i, v in enumerate(kept):
                if v.version == version:
                    kept[i] = replace(v, nickname=nickname)

    def handed_in(self) -> list[CodeVersion]:
        with self._lock:
            return [v for kept in self._kept.values() for v in kept if v.nickname]

    def forget(self, workspace: str) -> None:
        with self._lock:
            self._kept.pop(workspace, None)
