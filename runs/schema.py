"""What the run store is: its tables, where it lives, its engine, its errors in a sentence.

runs.store reads and writes through these. A change of a table: here, with SCHEMA_VERSION
bumped and a step in runs.migrations that brings an older database to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import sqlalchemy as sa

SCHEMA_VERSION = 2
STORE_ENV = "MNIST_LAB_STORE"
APP_DIR = "mnist-backprop-lab"

NAME_MAX = 60  # characters of a run's name


# Constraint names the migrations can refer to (the same on SQLite and PostgreSQL).
def _run_key() -> sa.ForeignKey:
    """A run's id in another table: its rows go with the run (ON DELETE CASCADE)."""
    return sa.ForeignKey("runs.id", ondelete="CASCADE")


metadata = sa.MetaData(
    naming_convention={"ix": "ix_%(column_0_label)s", "fk": "fk_%(table_name)s_%(column_0_name)s"}
)
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the browser's token
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("seen", sa.Float, nullable=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("workspace", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "train" or "range"
    sa.Column("spec", sa.Text, nullable=False),  # JSON: {"config": {...}, "data": "full"}
    sa.Column("data_kind", sa.String(16), nullable=False),  # where a worker finds the data
    sa.Column("data_location", sa.Text, nullable=False),
    sa.Column("data_label", sa.Text, nullable=False),
    sa.Column("n_train", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("server", sa.String(32), nullable=False),  # the app server training it
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("scaling", sa.Text),  # JSON: name, offset, divisor
    sa.Column("state", sa.LargeBinary),  # mlcore.checkpoint: the whole resumable state
    sa.Column("state_at", sa.Integer, nullable=False, default=0),  # reports when saved
    sa.Column("weights", sa.LargeBinary),  # newer weights than the state's (a lost worker)
    sa.Column("extra", sa.Text),  # JSON: a range test's result
    sa.Column("lesson", sa.String(64)),  # the lesson (slug) that started it, if any
    sa.Column("name", sa.String(NAME_MAX), nullable=False, server_default=""),  # v2
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),  # v2
)
reports = sa.Table(
    "reports",
    metadata,
    sa.Column("run_id", sa.String(16), _run_key(), primary_key=True),  # v2: the key
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("values", sa.Text, nullable=False),  # JSON: mlcore.checkpoint.progress_to_dict
)
handins = sa.Table(
    "handins",
    metadata,
    sa.Column("run_id", sa.String(16), _run_key(), primary_key=True),  # v2: the key
    sa.Column("workspace", sa.String(64), nullable=False, index=True),
    sa.Column("nickname", sa.String(64), nullable=False),
    sa.Column("lesson", sa.String(64)),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("code_version", sa.Integer),  # v2: the code handed in with it, if any
)
code_versions = sa.Table(  # v2: code a student wrote (runs.code_store)
    "code_versions",
    metadata,
    sa.Column("workspace", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),  # 1, 2, ... per workspace
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("check", sa.Text, nullable=False),  # JSON: what the check found
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("nickname", sa.String(64)),  # set when handed in
    sa.Column("handed_in", sa.Float),
)


servers = sa.Table(
    "servers",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("seen", sa.Float, nullable=False),  # its writer's last heartbeat
)


class StoreError(RuntimeError):
    """The store cannot be used; the message says why in plain words."""


def data_folder() -> Path:
    """Where the app keeps its files: $MNIST_LAB_DATA, else the platform's data folder."""
    if os.environ.get("MNIST_LAB_DATA"):
        return Path(os.environ["MNIST_LAB_DATA"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR


def store_url(env=None) -> str:
    """$MNIST_LAB_STORE, else a SQLite file in the data folder."""
    env = os.environ if env is None else env
    return env.get(STORE_ENV) or f"sqlite:///{data_folder() / 'runs.sqlite'}"


def describe(url: str) -> str:
    """The store's address without a password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(not a database URL)"


def engine_for(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{STORE_ENV}={url!r} is not a database URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the data folder {folder}: {e.strerror}") from None
    # PostgreSQL: an unreachable host is said after 5 s, not the TCP timeout (~2 min).
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    try:
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args=args)
    except (sa.exc.ArgumentError, ImportError) as e:
        raise StoreError(f"cannot use {describe(url)}: {e}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL: pages read while the writer writes; a busy file is waited for, not failed at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    # WAL's usual pairing: no fsync per transaction (a power cut may lose the last second of
    # reports, never the file's consistency); writes then cost the server little CPU time.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")  # per connection: the cascades of runs.id
    cursor.close()
    # Transactions are begun by _sqlite_begin, not by the driver (which leaves a table's
    # change outside them): a migration's steps then commit together or not at all.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def damaged(error: Exception) -> bool:
    text = str(error).lower()
    return "not a database" in text or "malformed" in text or "file is encrypted" in text


def problem_text(error: Exception, url: str) -> str:
    """What went wrong with the store at url, for the sidebar: the reason, then where."""
    return f"{plain_reason(error)} ({describe(url)})"


def plain_reason(error: Exception) -> str:
    """A database error as one short sentence (the driver's first line, no SQL)."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text[:300]
