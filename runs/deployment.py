"""What a server says about itself at start-up: the store it writes to (checked, with the
reason it failed in words a teacher can act on) and the data it trains on (a fingerprint every
server of a class shares, so one that fell back to the bundled sample is noticed). Pure but
for check_store, which connects once; no Streamlit."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import sqlalchemy as sa

from runs.schema import STORE_ENV, StoreError, engine_for, plain_reason

DATA_SETTING = "servers_data"  # class setting: server id -> {fingerprint, data, name, at}
DATA_FRESH = 180.0  # seconds: a server's entry older than this is a server gone
DATA_EVERY = 60.0  # seconds between a server's rewrites of its entry

# A driver's words -> what to do about them (the first match wins).
ADVICE = (
    ("no password supplied", "put it in the URL: postgresql+psycopg://USER:PASSWORD@HOST/DB"),
    ("password authentication failed", "check the user and the password in the URL"),
    ("peer authentication failed", "give host=127.0.0.1 and a password, or run as that user"),
    ("does not exist", "create it (README, Serving a class) or correct the URL"),
    ("connection refused", "is PostgreSQL running, on this host and port?"),
    ("timeout expired", "the host does not answer: check the host and the firewall"),
)


def where(url: str) -> str:
    """'postgresql at 127.0.0.1/mnist_lab' or 'sqlite at /path/runs.sqlite' (no password)."""
    try:
        u = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return f"{STORE_ENV}={url!r} (not a database URL)"
    if u.get_backend_name() == "sqlite":
        return f"sqlite at {u.database or 'memory'}"
    host = u.host or "the local socket"
    port = f":{u.port}" if u.port else ""
    return f"{u.get_backend_name()} at {host}{port}/{u.database or ''}"


def advice(reason: str) -> str:
    """reason, with what to do about it when the reason is a known one."""
    low = reason.lower()
    for words, todo in ADVICE:
        if words in low:
            return f"{reason.rstrip('.')}: {todo}"
    return reason


def check_store(url: str | None) -> tuple[bool, str]:
    """Connect to the store once: (ok, the log line), e.g. (True, 'store: postgresql at
    127.0.0.1/mnist_lab, ok') or (False, 'store: ..., FAILED: no password supplied: put it in
    the URL: ...'). url None or 'memory': nothing is kept, said as such."""
    if url in (None, "memory"):
        return True, "store: memory (MNIST_LAB_STORE=memory): no run is kept after a restart"
    try:
        engine = engine_for(url)
    except StoreError as e:
        return False, f"store: FAILED: {e}"
    try:
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
    except Exception as e:  # any driver's error: its first line, with advice
        return False, f"store: {where(url)}, FAILED: {advice(plain_reason(e))}"
    finally:
        engine.dispose()
    return True, f"store: {where(url)}, ok"


def fingerprint(arrays: list[np.ndarray]) -> str:
    """12 hex digits of SHA-256 over the arrays' shapes, dtypes and bytes (X_train, y_train,
    X_test, y_test): equal on two servers exactly when they hold the same data."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(np.ascontiguousarray(a).data)
    return h.hexdigest()[:12]


def data_entry(label: str, fp: str, name: str, now: float | None = None) -> dict:
    """This server's entry in the DATA_SETTING row."""
    at = time.time() if now is None else now
    return {"data": label, "fingerprint": fp, "name": name, "at": at}


def merged(entries: dict | None, server_id: str, entry: dict, now: float) -> dict:
    """The DATA_SETTING row with this server's entry put in and stale servers' taken out.
    Read, merged and written back without a lock: two servers writing in the same instant
    may drop one entry, which its server puts back at its next write (DATA_EVERY)."""
    kept = {k: v for k, v in (entries or {}).items() if _fresh(v, now)}
    return {**kept, server_id: entry}


def mismatch(entries: dict | None, now: float | None = None) -> str | None:
    """A sentence when the live servers of a class hold different data, else None:
    'the app servers hold different data: full MNIST (60,000/10,000) [3f2a…] on host:8501;
    bundled sample ... on host:8502. Give every server the same MNIST_DIR.'"""
    now = time.time() if now is None else now
    live = [v for v in (entries or {}).values() if _fresh(v, now)]
    if len({v.get("fingerprint") for v in live}) <= 1:
        return None
    parts = sorted(f"{v.get('data')} [{v.get('fingerprint')}] on {v.get('name')}" for v in live)
    return (
        "the app servers hold different data: " + "; ".join(parts)
        + ". Their leaderboards would mix them: give every server the same MNIST_DIR."
    )  # fmt: skip


def _fresh(entry, now: float) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("at"), int | float)
        and (now - entry["at"] < DATA_FRESH)
    )
