"""The teacher's key (MNIST_LAB_TEACHER_KEY), its check, and the class-wide settings."""

from __future__ import annotations

import hmac
import os
import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from runs.classroom import Challenge, ClassMode
from runs.store import StoreError
from ui import keys, state
from ui.text import plain

KEY_ENV = "MNIST_LAB_TEACHER_KEY"
TEACHER = keys.TEACHER  # session key: this tab gave the right key
FREE_TRIES = 3  # wrong keys before each further try must wait
LONGEST_WAIT = 60.0  # seconds, after many wrong keys


def key_set() -> bool:
    return bool(os.environ.get(KEY_ENV))


def pages() -> list:
    """The Class page for app.py's navigation, when a teacher's key is set."""
    if not key_set():
        return []
    return [st.Page("pages/class_view.py", title="Class", icon=":material/groups:")]


class Throttle:
    """Wrong keys per client: after FREE_TRIES, the next try waits 2, 4, 8 ... s (at most 60)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.RLock()
        self._wrong: dict[str, tuple[int, float]] = {}  # client -> (wrong tries, last at)

    def wait_left(self, client: str) -> float:
        """Seconds before client may try again (0: now)."""
        with self._lock:
            n, last = self._wrong.get(client, (0, 0.0))
        if n < FREE_TRIES:
            return 0.0
        wait = min(LONGEST_WAIT, 2.0 ** (n - FREE_TRIES + 1))
        return max(0.0, last + wait - self._clock())

    def attempt(self, client: str, right: bool) -> float:
        """One try, checked and counted at once (tries in parallel cannot slip through):
        the seconds client must still wait, or 0 if the try counted."""
        with self._lock:
            wait = self.wait_left(client)
            if wait == 0:
                self.record(client, right)
            return wait

    def record(self, client: str, right: bool) -> None:
        with self._lock:
            if right:
                self._wrong.pop(client, None)
            else:
                n, _ = self._wrong.get(client, (0, 0.0))
                self._wrong[client] = (n + 1, self._clock())


THROTTLE = Throttle()  # one per server: a new tab does not reset it


def try_key(given: str) -> str | None:
    """Check given against the key (constant time); None if right, else why it was refused."""
    right = key_set() and hmac.compare_digest(given.encode(), os.environ.get(KEY_ENV, "").encode())
    wait = THROTTLE.attempt(_client(), right)
    if wait > 0:
        return f"Too many wrong keys: try again in {wait:.0f} s."
    if right:
        st.session_state[TEACHER] = True
        return None
    return "That is not the teacher's key."


def is_teacher() -> bool:
    return key_set() and bool(st.session_state.get(TEACHER))


def _client() -> str:
    """Who is trying: the browser's address, else (on localhost or behind a proxy, where
    Streamlit gives none) this tab, so one student's wrong keys never lock out another."""
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    if isinstance(ip, str) and ip:
        return ip
    ctx = get_script_run_ctx()
    return f"tab:{ctx.session_id}" if ctx is not None else "unknown"


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
