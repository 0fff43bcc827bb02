"""Every run of this workspace that is training or waiting, each with its own Stop button.

Shown on the Train and Lessons pages: a run started on one page (a lesson's four, the Train
page's own) can always be stopped from either, so none holds a worker until the tab closes.
"""

from __future__ import annotations

import streamlit as st

from ui import state


def _stop(run_id: str) -> None:
    state.scheduler().stop(run_id, workspace=state.workspace_id())


def show(key: str, besides=None) -> None:
    """The workspace's active runs but besides (a run the page shows with its own Stop), one
    line each with Stop; key: this page's prefix for the buttons' keys."""
    besides_id = None if besides is None else besides.id
    active = [run for run in state.runs() if run.active and run.id != besides_id]
    if not active:
        return
    with st.container(border=True):
        st.caption(f"Your other runs training or waiting ({len(active)}): stop any here.")
        for run in active:
            line = st.container(horizontal=True, vertical_alignment="center")
            status = "stopping …" if run.stopping else run.status
            line.markdown(f"`{run.label}` — {status}")
            line.button(
                "Stop",
                key=f"{key}_{run.id}",
                on_click=_stop,
                args=(run.id,),
                disabled=run.stopping,
            )
