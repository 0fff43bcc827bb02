"""Name a run and hide runs from the charts: a small control under the Train page's runs
table, and the table's rows led by the names. Names are the student's text: shown plain."""

from __future__ import annotations

import streamlit as st

from runs.scheduler import Run
from runs.schema import NAME_MAX
from ui import keys, run_rows, state
from ui.run_labels import labels

CHOICE, NAME, HIDDEN, SAID = keys.RUN_NAMED, keys.RUN_NAME, keys.RUN_HIDDEN, keys.RUN_NAMES_SAID


def table_rows(runs: list[Run]) -> list[dict]:
    """The runs table, newest first: the name, whether the charts show it, the run's figures
    and settings (ui.run_rows.row), the id last."""
    rows = []
    for run in reversed(runs):
        row = run_rows.row(run)
        run_id = row.pop("run")
        charts = "hidden" if run.hidden else "shown"
        rows.append({"name": run.name, "charts": charts, **row, "run": run_id})
    return rows


def control(runs: list[Run]) -> None:
    """Choose a run, type its name, hide it from the charts (or show it again), Save."""
    by_id = {r.id: r for r in reversed(runs)}
    names = dict(zip(by_id, labels(list(by_id.values())), strict=True))
    with st.expander("Name a run, or hide it from the charts"):
        run_id = st.selectbox(
            "Run", list(by_id), key=CHOICE, format_func=lambda i: f"{names[i]} ({i})"
        )
        run = by_id[run_id]
        st.text_input(
            "Its name",
            value=run.name,
            key=NAME + run_id,
            max_chars=NAME_MAX,
            placeholder="e.g. first try, or lr too high",
            help="Shown first in the legends and tables instead of its settings and id.",
        )
        st.checkbox(
            "Hide it from the charts",
            value=run.hidden,
            key=HIDDEN + run_id,
            help="Left out of the runs you can overlay; it stays in this table and is kept.",
        )
        st.button("Save", key="run_names_save", on_click=save, args=(run_id,))
        if SAID in st.session_state:
            kind, sentence = st.session_state.pop(SAID)
            (st.error if kind == "error" else st.success)(sentence)


def save(run_id: str) -> None:
    """The Save button: the typed name and the hide box to the scheduler (and its store)."""
    name, hidden = st.session_state[NAME + run_id], st.session_state[HIDDEN + run_id]
    workspace = state.workspace_id()
    try:
        state.scheduler().rename(workspace, run_id, name)
        run = state.scheduler().set_hidden(workspace, run_id, hidden)
    except ValueError as e:  # a sentence: too long, only spaces, invisible characters
        st.session_state[SAID] = ("error", f"Not saved: {e}.")
        return
    except KeyError:
        st.session_state[SAID] = ("error", "Not saved: that run is no longer kept.")
        return
    st.session_state[NAME + run_id] = run.name  # as kept: spaces collapsed
    where = "hidden from the charts" if run.hidden else "shown in the charts"
    st.session_state[SAID] = ("success", f"Saved: run {run_id} is {where}.")
