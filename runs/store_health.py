"""What can happen to a SQLite store file while the app runs, noticed and said in words.

A file on a read-only disk or folder is called read-only (SQLite says "unable to open database
file"). Deletion or replacement of the file, and damage in its middle, are noticed here too
(the writer asks before each batch).
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

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
