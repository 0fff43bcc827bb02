"""Each checked version of a student's code, kept in the workspace with its check result
(the scheduler's save_code/code_versions: the store, or memory without one)."""

from __future__ import annotations

import streamlit as st

from runs.store import StoreError
from ui import keys, state


def keep(source: str, check: dict) -> int | None:
    """Keep source with its check report: its version number, or None (said why, once)."""
    try:
        return state.scheduler().save_code(state.workspace_id(), source, check)
    except (StoreError, ValueError) as error:
        st.session_state[keys.WRITE_KEEP_ERROR] = f"This version is not kept: {error}."
        return None


def versions() -> list:
    """The kept versions (runs.code_store.CodeVersion), newest first; [] while away."""
    return state.scheduler().code_versions(state.workspace_id())


def keep_problem() -> str | None:
    """Why the last version was not kept, said once."""
    return st.session_state.pop(keys.WRITE_KEEP_ERROR, None)
