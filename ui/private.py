"""The private split on this server (runs.private says why a teacher's folder) and each
handed-in run's score on it, computed once per run and kept for the server's life."""

from __future__ import annotations

import threading

import streamlit as st

from runs.classroom import HandedIn
from runs.private import PrivateSplit, accuracy, load_private
from ui import state

_SCORES: dict[tuple[str, float], float] = {}  # (run id, passes) -> accuracy on the split
_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def split() -> tuple[PrivateSplit | None, str | None]:
    """(the split or None, why it cannot be used): read once per server process."""
    try:
        return load_private(), None
    except ValueError as e:
        return None, str(e)


def scores(runs: list[HandedIn]) -> dict[str, float] | None:
    """Run id -> private accuracy of each finished hand-in; None without a private split.
    Weights are read (one query) only for runs not scored before."""
    found, _ = split()
    if found is None:
        return None
    finished = [r for r in runs if r.status == "finished"]
    with _LOCK:
        missing = [r.run_id for r in finished if (r.run_id, r.passes) not in _SCORES]
    if missing:
        models = state.scheduler().handed_in_models(missing)
        scored = {(r.run_id, r.passes): accuracy(models[r.run_id], found)
                  for r in finished if r.run_id in models}  # fmt: skip
        with _LOCK:
            _SCORES.update(scored)
    with _LOCK:
        return {r.run_id: _SCORES[(r.run_id, r.passes)] for r in finished
                if (r.run_id, r.passes) in _SCORES}  # fmt: skip
