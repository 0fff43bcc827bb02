"""Which app server a stored run belongs to, across restarts.

Each process of the app gets a new server id, `<name>-<random>`: the name (a hash of the host
and port the UI serves on) stays the same across restarts, the random part does not. A run
left active under an id with this server's name and another random part was being trained by
this server's previous incarnation: it is interrupted, never "on another server", however
fresh that incarnation's last heartbeat is. Pure functions (tests/test_incarnation.py).
"""

from __future__ import annotations

import hashlib
import uuid

NAME_CHARS = 12  # of the name's hash; + "-" + RANDOM_CHARS fit runs.server's String(32)
RANDOM_CHARS = 12


def new_server_id(name: str | None) -> str:
    """A new id for this process; name None: a server no restart can recognise (tests)."""
    random = uuid.uuid4().hex
    stable = hashlib.sha256(name.encode()).hexdigest() if name else random[RANDOM_CHARS:]
    return f"{stable[:NAME_CHARS]}-{random[:RANDOM_CHARS]}"


def earlier_self(other: str, me: str) -> bool:
    """Whether server id `other` was this server (`me`) before a restart."""
    return other != me and other.split("-", 1)[0] == me.split("-", 1)[0]


def where_active(server: str, me: str, live: set[str]) -> str:
    """Where a run stored as active under `server` is now: "here" (this process trains it),
    "elsewhere" (another live server does), or "interrupted" (its server is gone or was this
    one before a restart)."""
    if server == me:
        return "here"
    if server in live and not earlier_self(server, me):
        return "elsewhere"
    return "interrupted"
