"""Hand in runs to the teacher under a nickname (only the teacher's Class page shows them)."""

from __future__ import annotations

import time

import streamlit as st

from runs.classroom import NICKNAME_MAX, check_nickname
from ui import keys, state, teacher
from ui.text import plain

NICKNAME = keys.NICKNAME  # session key: the nickname last used, offered again
SAVE_WAIT = 3.0  # seconds to wait for the database before saying it is away


def form(runs: list, key: str, what: str = "this run") -> None:
    """A nickname field and a Hand in button for runs (finished or stopped ones)."""
    if not teacher.key_set() or state.scheduler().store is None or not runs:
        return
    done = _handed(runs)
    with st.expander(f"Hand in {what} to your teacher", expanded=False):
        if done:
            st.caption("Handed in as: " + plain(", ".join(sorted(set(done)))))
        name = st.text_input(
            "Nickname", key=f"{key}_nickname", value=st.session_state.get(NICKNAME, ""),
            max_chars=NICKNAME_MAX, help="What the teacher sees (your real name only if you want).",
        )  # fmt: skip
        if st.button("Hand in", key=f"{key}_button"):
            _hand_in(runs, name)


def _hand_in(runs: list, text: str) -> None:
    try:
        nickname = check_nickname(text)
    except ValueError as e:
        st.error(f"Not handed in: {e}.")
        return
    st.session_state[NICKNAME] = nickname
    writer = state.scheduler().store
    for run in runs:
        writer.hand_in(
            {
                "run_id": run.id,
                "workspace": state.session_id(),
                "nickname": nickname,
                "lesson": run.lesson,
                "created": time.time(),
            }
        )
    if writer.flush(SAVE_WAIT):
        st.success(f"Handed in as {plain(nickname)}: your teacher sees it now.")
    else:
        st.warning(
            f"Could not be saved yet ({plain(writer.problem or 'the database is busy')}). "
            "It is kept and retried: it reaches your teacher when the database is back."
        )


def _handed(runs: list) -> list[str]:
    if state.scheduler().store.problem:  # away: do not wait on it on every page view
        return []
    try:
        ids = state.scheduler().store.store.handed_in_ids(state.session_id())
    except Exception:
        return []
    return [ids[r.id] for r in runs if r.id in ids]
