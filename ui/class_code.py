"""The teacher's view of the code students handed in: per function, how many pass; each
student's code, read-only, beside their runs. The Class page calls show(runs)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlcore.check import CheckReport, count_passes
from ui import state
from ui.class_board import REFRESH_SECONDS
from ui.text import plain
from ui.write_check import passes_line


def latest_per_student(codes: list) -> list:
    """The newest handed-in version per (workspace, nickname), by nickname."""
    newest = {}
    for code in codes:
        key = (code.workspace, code.nickname)
        if key not in newest or code.version > newest[key].version:
            newest[key] = code
    return sorted(newest.values(), key=lambda c: c.nickname.lower())


@st.cache_resource(ttl=REFRESH_SECONDS - 1, show_spinner=False, max_entries=1)
def _handed_in_code() -> list:
    """The class's handed-in code (frozen values), one query shared by this server's tabs for
    a refresh, as the hand-ins are (ui.class_board)."""
    return state.scheduler().handed_in_code()


def clear() -> None:
    """Forget the shared fetch: code handed in on this server shows at the next refresh."""
    _handed_in_code.clear()


def show(runs: list) -> None:
    """Code handed in with the runs (runs: runs.classroom.HandedIn); nothing if none."""
    codes = latest_per_student(_handed_in_code())
    if not codes:
        return
    st.subheader("Code handed in")
    counts = count_passes([CheckReport.from_dict(c.check) for c in codes if "error" not in c.check])
    table = [
        {"function": name, "students passing": f"{n} of {total}"}
        for name, (n, total) in counts.items()
    ]
    st.dataframe(pd.DataFrame(table), hide_index=True)
    for code in codes:
        with st.expander(
            f"{plain(code.nickname)}: version {code.version}, {passes_line(code.check)}"
        ):
            left, right = st.columns([3, 2])
            left.code(code.source, language="python")  # read-only; the student's text as typed
            theirs = [r for r in runs if r.workspace == code.workspace]
            right.dataframe(_runs_table(theirs), hide_index=True)


def _runs_table(runs: list) -> pd.DataFrame:
    rows = [
        {"run": r.run_id[:8], "status": r.status,
         "test accuracy": "" if r.test_accuracy is None else f"{r.test_accuracy:.2%}"}
        for r in runs
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["run", "status", "test accuracy"])
