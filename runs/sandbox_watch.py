"""A watchdog on a sandbox's memory as a whole. RLIMIT_AS limits each process, so code that
forks N children could use N times the limit: this thread, in the trusted parent, adds up the
resident memory (VmRSS) of every process under the sandbox (bwrap and its descendants, read
from /proc) and ends the whole sandbox past the limit. Only on Linux (/proc); elsewhere the
per-process limits are all there is.
"""

from __future__ import annotations

import os
import threading

WATCH_EVERY = 0.1  # seconds between two sums (~1 ms each on a busy 2-core machine)


def _children(pid: int) -> list[int]:
    """pid's children, from each of its threads' /proc/<pid>/task/<tid>/children."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out += [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        pass  # ended meanwhile
    return out


def descendants(pid: int) -> list[int]:
    """pid and every process under it."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += _children(p)
    return found


def resident(pid: int) -> int:
    """Bytes of pid's resident memory (0 if it ended)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def total_resident(pid: int) -> int:
    """Bytes resident in pid and all its descendants together."""
    return sum(resident(p) for p in descendants(pid))


def watch(proc, limit: int, end) -> threading.Event:
    """Sum proc's tree's memory every WATCH_EVERY s while it runs; past limit bytes, set the
    returned event and call end(proc) (which ends the whole sandbox)."""
    exceeded = threading.Event()
    if not os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children"):
        return exceeded

    def loop():
        while proc.poll() is None:
            if total_resident(proc.pid) > limit:
                exceeded.set()
                end(proc)
                return
            threading.Event().wait(WATCH_EVERY)

    threading.Thread(target=loop, name="sandbox-memory", daemon=True).start()
    return exceeded
