"""The Train page's buttons: Start, Stop, Continue, Step and +1 iteration, as callbacks.

Each acts on the run on screen (state.current_run) with the settings the page shows
(train_settings.read); what went wrong is said once, above the settings (keys.TRAIN_ERROR).
"""

from __future__ import annotations

import streamlit as st

from mlcore.train import batches_per_iteration
from runs.scheduler import LimitError
from ui import keys, live, state
from ui.train_settings import read as settings

PAUSABLE = ("paused", "stopped", "finished", "interrupted")  # what Continue can resume


def start_run(max_batches: int | None = None) -> None:
    """Start: a new run of the settings shown (max_batches: stop after that many)."""
    try:
        run = state.start_run(settings(), max_batches)
    except (ValueError, LimitError) as e:
        st.session_state[keys.TRAIN_ERROR] = f"Cannot start: {e}"
        return
    st.session_state[keys.SETTINGS_OPEN] = False  # the charts come into view
    live.await_first(run)  # the page drawn after Start shows the first point


def stop_run() -> None:
    """Stop the run on screen (at its next report)."""
    if (run := state.current_run()) is not None:
        state.scheduler().stop(run.id, workspace=state.workspace_id())


def step(how: str) -> None:
    """how: "continue" to the end, one "step", or one "iteration" of the run on screen (a
    finished run goes one step or iteration past its end); with no run yet, a new one."""
    run = state.current_run()
    if run is None:
        n_train = len(state.dataset().y_train)
        start_run(1 if how == "step" else batches_per_iteration(settings(), n_train))
        return
    if run.active:
        return
    if not (run.continuable and run.status in PAUSABLE):
        st.session_state[keys.TRAIN_ERROR] = cannot_go_on(run)
        return
    batches = {"continue": None, "step": 1, "iteration": run.batches_per_iteration}[how]
    extend = None if how == "continue" else 1  # after its end: one iteration more
    try:  # the quota, or a run at the most iterations one may train
        state.scheduler().resume(run.id, state.workspace_id(), batches, extend=extend)
    except LimitError as e:
        st.session_state[keys.TRAIN_ERROR] = f"Cannot go on: {e}"


def cannot_go_on(run) -> str:
    """Why the run on screen cannot train further, and what to press instead."""
    why = {
        "diverged": "its weights are no longer numbers",
        "failed": run.message or "it failed",
    }.get(run.status, run.message or "its training state was not kept")
    return (
        f"Run {run.id} {run.status} and cannot go on ({why}). Press Start for a new run "
        "with the settings below."
    )
