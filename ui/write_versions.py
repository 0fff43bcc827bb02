"""Each checked version of a student's code, kept in the workspace with its check result.

One place to switch: the store's save_code/code_versions (API.md) when the scheduler has them,
else this tab's session state (lost on reload).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import streamlit as st

from ui import keys, state


class Version(NamedTuple):
    version: int
    source: str
    check: dict
    created: float  # epoch seconds


def _store():
    """The scheduler if it keeps code (issue 24's facade), else None."""
    scheduler = state.scheduler()
    return scheduler if hasattr(scheduler, "save_code") else None


def keep(source: str, check: dict) -> int:
    """Keep source with its check report; its version number (1, 2, ...)."""
    store = _store()
    if store is not None:
        return store.save_code(state.session_id(), source, check)
    kept = st.session_state.setdefault(keys.WRITE_VERSIONS, [])
    kept.insert(0, Version(len(kept) + 1, source, check, time.time()))
    return len(kept)


def versions() -> list[Version]:
    """The kept versions, newest first."""
    store = _store()
    if store is not None:
        rows = store.code_versions(state.session_id())
        return [Version(r.version, r.source, r.check, r.created) for r in rows]
    return list(st.session_state.get(keys.WRITE_VERSIONS, []))


def kept_in_store() -> bool:
    """Whether versions outlive a reload (the store keeps them)."""
    return _store() is not None
