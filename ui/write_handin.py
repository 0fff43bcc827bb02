"""Hand in code, its check and its run to the teacher (Scheduler.hand_in with a code_version)."""

from __future__ import annotations

import streamlit as st

from runs.classroom import NICKNAME_MAX, check_nickname
from ui import class_code, keys, state, teacher
from ui.text import plain


def available() -> bool:
    """A teacher's key is set (hand-ins exist only in a class)."""
    return teacher.key_set()


def form(version: int | None, run_ids: list[str]) -> None:
    """A nickname and a Hand in button for the latest kept version and the code run."""
    if not available() or version is None:
        return
    with st.expander("Hand in your code, its check and your run to your teacher"):
        with st.form("write_handin_form", border=False):  # the nickname goes with the press
            name = st.text_input(
                "Nickname", key=keys.WRITE_HANDIN_NICKNAME,
                value=st.session_state.get(keys.NICKNAME, ""), max_chars=NICKNAME_MAX,
                help="What the teacher sees (your real name only if you want).",
            )  # fmt: skip
            st.caption(f"Hands in version {version}" + (" and your run." if run_ids else "."))
            pressed = st.form_submit_button("Hand in", key=keys.WRITE_HANDIN)
        if pressed:
            _hand_in(version, run_ids, name)


def _hand_in(version: int, run_ids: list[str], text: str) -> None:
    try:
        nickname = check_nickname(text)
    except ValueError as e:
        st.error(f"Not handed in: {e}.")
        return
    st.session_state[keys.NICKNAME] = nickname
    scheduler = state.scheduler()
    if scheduler.hand_in(state.workspace_id(), run_ids, nickname, code_version=version):
        st.success(f"Handed in as {plain(nickname)}: your teacher sees it now.")
        class_code.clear()  # this server's open Class pages show it at their next refresh
    else:
        why = scheduler.store_problem() or "the database is busy"
        st.warning(f"Could not be saved yet ({plain(why)}); it is kept and retried.")
