"""What can happen to a SQLite store file while the app runs, noticed and said in words.

A file on a read-only disk or folder is called read-only (SQLite says "unable to open database
file"). Deletion or replacement of the file, and damage in its middle, are noticed here too
(the writer asks before each batch).
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from mlcore.wording import counted

READ_ONLY_SIGNS = ("unable to open database file", "readonly database", "read-only")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, else None (PostgreSQL, an in-memory database, not a URL)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def read_only_reason(error: Exception, url: str) -> str | None:
    """ "the store file ... is read-only (...)" when error comes from a SQLite file that cannot
    be written (its disk mounted read-only, or its folder or itself not writable), else None."""
    path = sqlite_path(url)
    text = str(getattr(error, "orig", None) or error).lower()
    if path is None or not any(sign in text for sign in READ_ONLY_SIGNS):
        return None
    if _read_only_disk(path.parent):
        return f"the store file {path} is read-only: its disk is mounted read-only"
    for place in (path, path.parent):
        if place.exists() and not os.access(place, os.W_OK):
            kind = "file" if place == path else "folder"
            return f"the store file {path} is read-only: its {kind} cannot be written"
    return None


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def identity(path: Path) -> tuple[int, int, int] | None:
    """(device, inode, size) of the file at path, None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size


class FileWatch:
    """The SQLite file a writer opened, so that its deletion or replacement is noticed (the
    writer would go on writing into a deleted file's inode, and lose all of it)."""

    def __init__(self, url: str):
        self.path = sqlite_path(url)
        self.seen: tuple[int, int, int] | None = None

    def opened(self) -> None:
        self.seen = identity(self.path) if self.path is not None else None

    def change(self) -> str | None:
        """ "deleted", "replaced" or "truncated" since opened(), else None (and always for
        PostgreSQL). The file never shrinks by itself (no VACUUM, WAL checkpoints only add),
        so a smaller file was cut short, even where no page read so far found it damaged."""
        if self.path is None or self.seen is None:
            return None
        now = identity(self.path)
        if now is None:
            return "deleted"
        if now[:2] != self.seen[:2]:
            return "replaced"
        if now[2] < self.seen[2]:
            return "truncated"
        self.seen = now
        return None


def integrity_problem(engine: sa.Engine) -> str | None:
    """What SQLite's quick check finds wrong in the file (its first line), else None.

    The header and schema checks at open miss damage in the middle of the file (16 kB of
    random bytes there went unnoticed); this reads every page once (about a second per GB)."""
    try:
        with engine.connect() as c:
            rows = [str(r[0]) for r in c.exec_driver_sql("PRAGMA quick_check(3)")]
    except sa.exc.DatabaseError as e:
        return str(getattr(e, "orig", None) or e).splitlines()[0] if is_damage(e) else None
    if rows == ["ok"]:
        return None
    lines = [line for r in rows for line in r.splitlines()]
    said = [x for x in lines if not x.startswith("***")]  # "*** in database main ***": a title
    return f"its integrity check found: {(said or lines)[0][:200]}"


def is_damage(error: Exception) -> bool:
    """error says the SQLite file itself is damaged (not locked, missing, full or read-only)."""
    text = str(error).lower()
    return any(
        sign in text for sign in ("malformed", "not a database", "file is encrypted", "corrupt")
    )


def move_aside(path: Path, stamp: str) -> Path:
    """Rename path (with its -wal and -shm files) to path.damaged-<stamp>; the new name."""
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():  # twice in one second: never over an earlier one
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(Path(f"{aside}{suffix}"))
    return aside


def what_happened(what: str, path: Path, aside: Path | None, runs: int, handins: int = 0) -> str:
    """The notice for the page and the log, after a new file was started: what was written
    back (the runs and hand-ins this server holds) and, truthfully, what was not."""
    how = {
        "deleted": f"The store file {path} was deleted while the app ran",
        "replaced": f"The store file {path} was replaced by another file while the app ran",
        "damaged": f"The store file {path} was damaged; it was moved aside to {aside}",
        "truncated": f"The store file {path} was cut short; it was moved aside to {aside}",
    }[what]
    now = "the app now writes to the file found there" if what == "replaced" else (
        "a new file was started")  # fmt: skip
    back = f"the {counted(runs, 'run')} and {counted(handins, 'hand-in')} this server holds"
    where = (
        f"they are still in {aside} (never deleted)"
        if aside is not None
        else "restore them from a backup"
    )
    return (
        f"{how}: {now}, and {back} were written back to it. Not written back: code versions, "
        "class settings, hand-ins made before this server started or on another server, and "
        f"runs this server did not hold (workspaces not opened on it since it started); {where}."
    )
