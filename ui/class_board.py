"""The live parts of the Class page: what the class handed in, fetched once per refresh for
every tab of this server (one database query), redrawn by a fragment every few seconds, and
saying how old it is. The teacher's view is ui/class_teacher.py; the students' board is here."""

from __future__ import annotations

import time

import streamlit as st

from runs import deployment
from runs.classroom import HandedIn, handed_in, leaderboard
from ui import private, state, teacher
from ui.text import plain

REFRESH_SECONDS = 5  # a hand-in shows on every open Class page within this (plus a query)


@st.cache_data(ttl=REFRESH_SECONDS - 1, show_spinner=False, max_entries=1)
def _fetched() -> tuple[float, list[HandedIn] | None, str | None]:
    """(when, the class's hand-ins or None, why not): one query, shared by this server's
    tabs for a few seconds, so 30 open pages cost the database one query per refresh."""
    found = state.handed_in_runs()  # [] while the store is away (store_problem says why)
    if not found and (why := state.store_problem()):
        return time.time(), None, why
    return time.time(), handed_in(found), None


def clear() -> None:
    """Forget the shared fetch: a hand-in on this server shows at the next refresh."""
    _fetched.clear()


def class_runs() -> tuple[list[HandedIn] | None, str]:
    """The hand-ins (None when the database cannot give them, after saying why) and a
    caption saying how old they are ("updated 3 s ago")."""
    if not state.keeps_work():
        st.error("The class view needs the run store (MNIST_LAB_STORE is 'memory').")
        return None, ""
    at, runs, problem = _fetched()
    if runs is None:
        st.error(f"The database is away: the handed-in runs cannot be read now. {plain(problem)} "
                 "This page tries again by itself.")  # fmt: skip
    age = max(0, round(time.time() - at))
    return runs, f"Updated {age} s ago · refreshes by itself every {REFRESH_SECONDS} s"


@st.cache_data(ttl=deployment.DATA_EVERY, show_spinner=False)
def _servers_data() -> dict | None:
    return state.scheduler().class_setting(deployment.DATA_SETTING)


def data_mismatch() -> str | None:
    """Whether the live app servers of the class hold different data (runs.deployment): each
    server rewrites its entry every minute, so this is read once a minute, not per refresh."""
    return deployment.mismatch(_servers_data())


@st.fragment(run_every=REFRESH_SECONDS)
def students_board() -> None:
    """The leaderboard students see: by test accuracy while the challenge is open, by the
    private split once the teacher closes it (runs.private says why a private split). The
    challenge is read on every refresh (cached 5 s): a change shows without a reload."""
    challenge = teacher.challenge()
    runs, updated = class_runs()
    if runs is None:
        return
    scores = private.scores(runs) if challenge.closed else None
    if challenge.closed and scores is not None:
        st.caption("Closed: ranked by the private split, which no page ever showed.")
    st.dataframe(leaderboard(runs, challenge, scores), hide_index=True)
    st.caption(updated)
