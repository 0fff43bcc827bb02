"""Who is looking: someone at the machine that runs the app, or a visitor from elsewhere.

The server's own details (its file paths) are shown only to the first: the page's address in
their browser and the connection both come from this machine (loopback). Both are the
browser's word (st.context.url is what it sends; behind a proxy on this host every peer is
loopback): enough to hide paths, never to run code unsandboxed (ui.write_check.same_machine
also needs the server's own setting).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

import streamlit as st

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local(url: str | None, ip: str | None) -> bool:
    """True if the browser's address (url) names this machine and the peer's ip is loopback.

    Streamlit gives ip None for a loopback peer. A reverse proxy on the same machine connects
    from loopback too, but its visitors' browsers show a public address; no url: remote.
    """
    return _loopback(urlparse(url or "").hostname) and (ip is None or _loopback(ip))


def peer_ip() -> str | None:
    """The connection's peer address, None for loopback (Streamlit's st.context.ip_address)."""
    return st.context.ip_address


def is_local() -> bool:
    """Whether this session's browser runs on the server's machine (see local)."""
    ip = peer_ip()
    return local(st.context.url, ip if isinstance(ip, str) else None if ip is None else "?")
