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

from runs.schema import code_versions

SOURCE_MAX = 200_000  # characters of one version's source


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


def save(engine: sa.Engine, workspace: str, source: str, check: dict) -> int:
    """Keep a new version of workspace's code; its number."""
    row = {"source": checked_source(source), "check": json.dumps(check), "created": time.time()}
    with engine.begin() as c:
        q = sa.select(sa.func.max(code_versions.c.version))
        last = c.execute(q.where(code_versions.c.workspace == workspace)).scalar() or 0
        c.execute(code_versions.insert().values(workspace=workspace, version=last + 1, **row))
    return last + 1


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
        json.dumps(check)  # JSON-able, as the store would need
        with self._lock:
            kept = self._kept.setdefault(workspace, [])
            kept.append(CodeVersion(workspace, len(kept) + 1, checked_source(source),
                                    check, time.time()))  # fmt: skip
            return len(kept)

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
