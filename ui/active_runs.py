"""Every run of this workspace that is training or waiting, each with its own Stop button.

Shown on the Train and Lessons pages: a run started on one page (a lesson's four, the Train
page's own) can always be stopped from either, so none holds a worker until the tab closes.
"""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.run_labels import label
from ui.text import plain


def _stop(run_id: str) -> None:
    state.scheduler().stop(run_id, workspace=state.workspace_id())


def show(key: str, besides=()) -> None:
    """The workspace's active runs but besides (the runs the page shows with their own Stop
    and status), one line each with Stop; key: this page's prefix for the buttons' keys."""
    shown = {run.id for run in besides}
    active = [run for run in state.runs() if run.active and run.id not in shown]
    if not active:
        return
    with st.container(border=True):
        st.caption(f"Your other runs training or waiting ({len(active)}): stop any here.")
        for run in active:
            line = st.container(horizontal=True, vertical_alignment="center")
            status = "stopping …" if run.stopping else run.status
            line.markdown(f"{plain(label(run))} — {status}")  # a name is the student's text
            line.button(
                "Stop",
                key=f"{key}_{run.id}",
                on_click=_stop,
                args=(run.id,),
                disabled=run.stopping,
            )
