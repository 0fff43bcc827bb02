"""A workspace per browser: the token that finds a student's runs again after a reload.

The token is a random secret kept in a cookie of this site (set by a line of JavaScript, read
back by Streamlit when a tab connects), so every tab of the browser, a reload and a server
restart find the same runs. A private "my work" link (?work=<token>) carries it to another
device; the store only knows its SHA-256, so its rows do not give tokens away.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets

import streamlit as st

from ui import keys

COOKIE = "mnist_lab_work"
LINK_PARAM = "work"  # ?work=<token>: the private "my work" link
TOKEN = keys.TOKEN  # session key: this tab's token
OFFERED = keys.OFFERED  # session key: a link's token, offered instead of the cookie's
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")  # what new_token() makes
COOKIE_DAYS = 400  # browsers cap cookies at ~400 days; the store's retention is its own


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: not guessable, 32 URL-safe characters


def token() -> str:
    """This tab's workspace token: the cookie's, else a "my work" link's, else a new one.

    Anything that is not a well-formed token (forged, cut, a settings link's text) is ignored,
    and an unknown well-formed token opens an empty workspace: never anyone else's. A link to
    another workspace than the browser's own is only offered (offer_switch): a link someone
    shared must not silently swap a student's work for theirs.
    """
    found = st.session_state.get(TOKEN)
    if found is None:
        linked = st.query_params.get(LINK_PARAM, "")
        linked = linked if TOKEN_PATTERN.fullmatch(linked) else ""
        cookie = _cookie() if TOKEN_PATTERN.fullmatch(_cookie()) else ""
        found = cookie or linked or new_token()
        if cookie and linked and linked != cookie:
            st.session_state[OFFERED] = linked
        st.session_state[TOKEN] = found
    if LINK_PARAM in st.query_params:  # the address bar never keeps it (nor a shared link)
        del st.query_params[LINK_PARAM]
    return found


def current_id() -> str:
    """This tab's workspace's id in the scheduler and the store: the token's SHA-256, in hex."""
    return hashlib.sha256(token().encode()).hexdigest()


def offer_switch() -> None:
    """If a "my work" link named another workspace than this browser's: ask, do not switch."""
    offered = st.session_state.get(OFFERED)
    if not offered:
        return
    st.warning(
        "This link opens a different workspace from the one this browser has been using. "
        "Switch only if it is your own (from your other device): its runs then replace "
        "yours in this browser until you open your own link again."
    )
    a, b = st.columns(2)
    if a.button("Open the linked work", key="workspace_switch"):
        st.session_state[TOKEN] = st.session_state.pop(OFFERED)
        st.rerun()
    if b.button("Stay with mine", key="workspace_stay"):
        st.session_state.pop(OFFERED)
        st.rerun()


def replace_token() -> None:
    """A new, empty workspace for this browser (after "forget my work")."""
    st.session_state[TOKEN] = new_token()


def remember() -> None:
    """Keep the token in the browser's cookie, if it is not there yet (call on every run)."""
    if _cookie() == token():
        return
    value = json.dumps(f"{COOKIE}={token()}; path=/; max-age={COOKIE_DAYS * 86400}; samesite=lax")
    st.html(
        f"<script>document.cookie = {value} + "
        "(location.protocol === 'https:' ? '; secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def link(base_url: str | None) -> str:
    """The private link that opens this workspace in another browser."""
    return f"{(base_url or '').rstrip('/')}/?{LINK_PARAM}={token()}"


def _cookie() -> str:
    try:
        value = st.context.cookies.get(COOKIE, "")
    except Exception:  # no browser request behind this run (some test harnesses)
        return ""
    return value if isinstance(value, str) else ""  # AppTest's context is a stand-in
