"""Hand in runs to the teacher under a nickname (only the teacher's Class page shows them)."""

from __future__ import annotations

import streamlit as st

from runs.classroom import NICKNAME_MAX, check_nickname, handed_in, shown_names
from ui import challenge_box, class_board, keys, state, teacher
from ui.text import plain

NICKNAME = keys.NICKNAME  # session key: the nickname last used, offered again
SAVE_WAIT = 3.0  # seconds to wait for the database before saying it is away


def form(runs: list, key: str, what: str = "this run") -> None:
    """A nickname field and a Hand in button for runs (finished or stopped ones)."""
    if not teacher.key_set() or not state.keeps_work() or not runs:
        return
    done = _handed(runs)
    with st.expander(f"Hand in {what} to your teacher", expanded=False):
        if done:
            st.caption("Handed in as: " + plain(", ".join(sorted(set(done)))))
        # a form: the nickname goes with the press (typing then clicking at once reran the
        # page for the nickname first, and the click was lost under load: seen on CI)
        with st.form(f"{key}_form", border=False, enter_to_submit=True):
            name = st.text_input(
                "Nickname",
                key=f"{key}_nickname",
                value=remembered_nickname(),
                max_chars=NICKNAME_MAX,
                help="What the teacher sees (your real name only if you want).",
            )
            pressed = st.form_submit_button("Hand in", key=f"{key}_button")
        if pressed:
            _hand_in(runs, name)


def _hand_in(runs: list, text: str) -> None:
    try:
        nickname = check_nickname(text)
    except ValueError as e:
        st.error(f"Not handed in: {e}.")
        return
    st.session_state[NICKNAME] = nickname
    ids = [run.id for run in runs]
    if state.scheduler().hand_in(state.workspace_id(), ids, nickname, timeout=SAVE_WAIT):
        st.success(f"Handed in as {plain(nickname)}: your teacher sees it now.")
        class_board.clear()  # this server's open Class pages show it at their next refresh
        challenge_box.hand_in_note(runs)  # which rule of the challenge it breaks, if any
        if (shown := shown_as(nickname)) != nickname:
            st.info(
                f"Another student also handed in as {plain(nickname)}: your teacher sees "
                f"yours as “{plain(shown)}”. Choose another nickname to tell yours apart."
            )
    else:
        why = state.store_problem() or "The database is busy."
        st.warning(
            f"Could not be handed in yet. {plain(why)} Your hand-in is kept and retried: it "
            "reaches your teacher when the database is back."
        )


def _handed(runs: list) -> list[str]:
    ids = state.scheduler().handed_in_ids(state.workspace_id())  # {} while the store is away
    return [ids[r.id] for r in runs if r.id in ids]


def remembered_nickname() -> str:
    """The nickname to offer: the one last used in this tab, else one this workspace handed in
    under before (a reload or another tab of the browser: kept with its hand-ins)."""
    if nickname := st.session_state.get(NICKNAME):
        return nickname
    used = list(state.scheduler().handed_in_ids(state.workspace_id()).values())
    return used[-1] if used else ""


def shown_as(nickname: str) -> str:
    """The name the teacher's Class page shows for this workspace's hand-ins under nickname:
    itself, or "ana #289e" when another workspace handed in under it too (read once, after a
    hand-in: every hand-in of the class)."""
    names = shown_names(handed_in(state.scheduler().handed_in()))
    return names.get((state.workspace_id(), nickname), nickname)
