"""Closed tabs give their memory back without waiting for another visitor.

Streamlit keeps a disconnected session (its session_state, its uploaded files) in a TTL cache
so a tab that lost its connection can resume it, but nothing expires that cache on a timer:
it is cleaned only when a later connection writes to it, and an entry that does expire is
dropped without closing its session, so its uploads stay in the UploadedFileManager (Streamlit
1.67). Measured: 20 closed sessions with uploads held a server at 491 MB (idle 145 MB) until
one more visitor came. A thread started once per server (`start`, from app.py) therefore asks
the runtime every MNIST_LAB_SESSION_SWEEP_SECONDS (10) to close the sessions whose tab has been
gone as long as the scheduler keeps a closed tab's runs (MNIST_LAB_SESSION_GRACE +
MNIST_LAB_SESSION_KEEP, 63 s) but no longer than Streamlit's server.disconnectedSessionTTL
allows (65 s in .streamlit/config.toml: 45 s, see close_after), then gives the freed memory
back to the system: the memory is back within the 2 minutes the issue asks. A tab that comes
back later gets a new session; its runs come back from its workspace, as after a reload.

Two more things held a closed tab's memory, each found by following referrers in a live server:
Streamlit's event loop keeps the last session it sent to in a local variable until the next
visitor (so the sweep empties each session's state, widget callbacks included, before closing
it), and the .streamlit/config.toml TTL of 65 s ended before a 63 s keep plus a sweep period
(an expired session is never closed: close_after keeps a margin), and glibc kept freed
uploads in its heaps (so the server gives blocks of 1 MB and more back at once: runs/memory.py).
app.py drops its own `data` global, which Streamlit's __main__ module keeps after the run.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.runtime import RuntimeState
from streamlit.runtime.scriptrunner import get_script_run_ctx

from runs.memory import release_memory, return_large_blocks
from ui import state

SWEEP_ENV = "MNIST_LAB_SESSION_SWEEP_SECONDS"
SWEEP_DEFAULT, SWEEP_BOUNDS = 10.0, (0.1, 600.0)  # a sweep costs a dict walk: often is cheap
CLOSE_TIMEOUT = 10.0  # seconds the sweep waits for the event loop to close the sessions

_lock = threading.Lock()
_gone_since: dict[str, float | None] = {}  # session id -> when seen disconnected (None: not)
_apps: dict[str, weakref.ref] = {}  # session id -> its AppSession, not kept alive by us
_thread: threading.Thread | None = None


def start() -> None:
    """Note this script run's session; start the server's sweep once (a no-op without one)."""
    global _thread
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return
    note(ctx.session_id, Runtime.instance().get_app_session(ctx.session_id))
    with _lock:
        if _thread is None:
            limits = state.scheduler().limits  # a closed tab's runs are kept as long
            keep = limits.session_grace + limits.session_keep
            return_large_blocks()  # or a freed upload may stay in glibc's heaps (runs/memory.py)
            period = sweep_seconds()
            ttl = float(st.get_option("server.disconnectedSessionTTL"))
            args = (Runtime.instance(), period, close_after(keep, ttl, period))
            _thread = threading.Thread(target=_loop, args=args, name="session-sweep", daemon=True)
            _thread.start()


def note(session_id: str, app=None) -> None:
    """Watch a session (app: its AppSession): once disconnected for the keep time, a sweep
    closes it."""
    with _lock:
        _gone_since.setdefault(session_id, None)
        if app is not None and session_id not in _apps:
            _apps[session_id] = weakref.ref(app)


def close_after(keep: float, ttl: float, period: float) -> float:
    """Seconds a disconnected session is kept: keep, but closed before Streamlit's TTL ends.

    Past its TTL Streamlit no longer finds a session to close, yet keeps it (and its state)
    until its cache is next written to. A sweep sees a tab gone up to one period late and
    closes it up to one period late: hence two periods of margin."""
    return max(0.0, min(keep, ttl - 2 * period))


def sweep_seconds(env=None) -> float:
    """Seconds between sweeps, from MNIST_LAB_SESSION_SWEEP_SECONDS, within SWEEP_BOUNDS."""
    text = (os.environ if env is None else env).get(SWEEP_ENV)
    try:
        value = SWEEP_DEFAULT if text is None else float(text)
    except ValueError:
        print(f"mnist-lab: {SWEEP_ENV} must be a number of seconds; using {SWEEP_DEFAULT:g}")
        return SWEEP_DEFAULT
    low, high = SWEEP_BOUNDS
    if not low <= value <= high:  # also NaN
        value = min(max(value, low), high) if value == value else SWEEP_DEFAULT
        print(f"mnist-lab: {SWEEP_ENV} is kept within {low:g}-{high:g} s; using {value:g}")
    return value


def _loop(runtime: Runtime, period: float, keep: float) -> None:
    while True:
        time.sleep(period)
        if runtime.state in (RuntimeState.STOPPING, RuntimeState.STOPPED):
            return
        try:
            sweep(runtime, keep)
        except Exception as e:  # never silently: a sweep that fails says why, and goes on
            print(f"mnist-lab: closing disconnected sessions failed: {type(e).__name__}: {e}")


def sweep(runtime: Runtime, keep: float, now: float | None = None) -> list[str]:
    """Close the sessions disconnected for keep seconds or more and give their memory back.

    Returns the ids closed. A session seen disconnected for the first time starts its clock."""
    now = time.monotonic() if now is None else now
    due = []
    with _lock:
        for sid, since in list(_gone_since.items()):
            if runtime.is_active_session(sid):
                _gone_since[sid] = None
            elif since is None:
                _gone_since[sid] = since = now
            if since is not None and now - since >= keep:
                due.append((sid, _apps.pop(sid, lambda: None)()))
                del _gone_since[sid]
    if due:
        _close(runtime, due)
        release_memory()
    return [sid for sid, _ in due]


def _close(runtime: Runtime, sessions: list[tuple[str, object]]) -> None:
    """Close sessions (id, AppSession or None) on the runtime's event loop (close_session must
    run there), unless one has reconnected meanwhile; its uploads go too, even where
    Streamlit's cache let it go.

    Its session_state is emptied first: Streamlit 1.67's event loop keeps the last session it
    sent messages to in a local variable until the next visitor, and that session's widget
    callbacks hold its page's globals (on Home: the uploaded dataset)."""

    async def close() -> None:
        for sid, app in sessions:  # one that fails does not keep the others open
            if not runtime.is_active_session(sid):
                try:
                    if app is not None:
                        forget_state(app)
                finally:
                    runtime.close_session(sid)

    asyncio.run_coroutine_threadsafe(close(), event_loop(runtime)).result(CLOSE_TIMEOUT)
    for sid, _ in sessions:
        if not runtime.is_active_session(sid):
            runtime.uploaded_file_mgr.remove_session_files(sid)


def forget_state(app) -> None:
    """Empty a closed session's state, widget callbacks included (the callbacks hold their
    page's globals). SessionState.clear() keeps the callbacks; Streamlit 1.67 keeps them in
    the private _new_widget_state.widget_metadata, which tests/test_sweep.py checks exists."""
    app.session_state.clear()
    app.session_state._new_widget_state.widget_metadata.clear()


def event_loop(runtime: Runtime) -> asyncio.AbstractEventLoop:
    """The runtime's event loop. Streamlit 1.67 has no accessor for it; `Runtime.stopped` is
    an asyncio Future created on that loop, so its get_loop() is it. tests/test_sweep.py fails
    if a Streamlit upgrade changes that."""
    return runtime.stopped.get_loop()  # an asyncio.Future, though typed Awaitable
