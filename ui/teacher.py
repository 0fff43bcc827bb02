"""The teacher's key (MNIST_LAB_TEACHER_KEY), its check, and the class-wide settings."""

from __future__ import annotations

import hmac
import os

import streamlit as st

from runs.challenge import Challenge
from runs.classroom import ClassMode
from runs.store import StoreError
from ui import keys, state, workspace
from ui.key_guard import ClassPace, Throttle, key_problem, seconds_in_words
from ui.text import plain

KEY_ENV = "MNIST_LAB_TEACHER_KEY"
TEACHER = keys.TEACHER  # session key: this tab gave the right key


def key_set() -> bool:
    """A teacher's key is set, and long enough (a short one is refused at start-up)."""
    key = os.environ.get(KEY_ENV, "")
    return bool(key) and key_problem(key) is None


def start_up_problem() -> str | None:
    """The sentence refusing a weak MNIST_LAB_TEACHER_KEY, else None."""
    return key_problem(os.environ.get(KEY_ENV, ""))


def pages() -> list:
    """The Class page for app.py's navigation, when a teacher's key is set."""
    if not key_set():
        return []
    return [st.Page("pages/class_view.py", title="Class", icon=":material/groups:")]


THROTTLE = Throttle()  # one per server: a new tab does not reset it
PACE = ClassPace()  # one per server: the whole class's key checks


def try_key(given: str) -> str | None:
    """Check given against the key (constant time); None if right, else why it was refused.

    A browser that gave wrong keys waits (its own throttle); every check then takes its turn
    in the class's pace, so no one else's guesses can turn the teacher's right key away."""
    browser = _browser()
    if (wait := THROTTLE.wait_left(browser)) > 0:
        return f"Too many wrong keys: try again in {seconds_in_words(wait)}."
    PACE.turn()
    right = key_set() and hmac.compare_digest(given.encode(), os.environ.get(KEY_ENV, "").encode())
    if (wait := THROTTLE.attempt(browser, right)) > 0:  # a parallel try of this browser won
        return f"Too many wrong keys: try again in {seconds_in_words(wait)}."
    if right:
        st.session_state[TEACHER] = True
        return None
    return "That is not the teacher's key."


def is_teacher() -> bool:
    return key_set() and bool(st.session_state.get(TEACHER))


def _browser() -> str:
    """Who is trying: this browser's workspace (its cookie), else this tab; never the address,
    which a class behind one router (or nginx on another host) shares with the teacher."""
    return workspace.current_id()  # a browser without the cookie yet: its tab's new token


@st.cache_data(ttl=5, show_spinner=False)
def _setting(name: str) -> dict | None:
    return state.scheduler().class_setting(name)  # None while the store is away


def challenge() -> Challenge:
    try:
        return Challenge.from_dict(_setting("challenge"))
    except Exception:  # the store is away: no limits shown rather than a broken page
        return Challenge()


def class_mode() -> ClassMode:
    try:
        return ClassMode.from_dict(_setting("class_mode"))
    except Exception:
        return ClassMode()


def save_setting(name: str, value: dict) -> bool:
    """Write a class-wide setting (every app server reads it within 5 s); False after
    saying why it could not be."""
    try:
        state.scheduler().set_class_setting(name, value)
    except StoreError as e:  # away: say so, the form keeps what was typed
        st.error(f"Not saved: {plain(str(e).splitlines()[0][:300])}.")
        return False
    _setting.clear()
    return True
