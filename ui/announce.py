"""What a server says when it starts: the store and the data in its log (README "Serving a
class": the first lines a teacher reads), and its data's fingerprint shared with the class."""

from __future__ import annotations

import socket
import sys
import threading
import time

from streamlit import config

from mlcore.data import Dataset
from runs import deployment
from runs.scheduler import get_scheduler
from runs.schema import store_url

_announced = threading.Lock()  # held for good by the first caller: one announcement a process


def announce(data: Dataset) -> None:
    """Once per process, off the page's thread: the store and the data in the server's log
    (README "Serving a class": the first lines a teacher reads), and the data's fingerprint
    kept in the class's setting row every minute, so the Class page and every server's log
    say when the servers of a class hold different data."""
    if not _announced.acquire(blocking=False):
        return
    arrays = [data.X_train, data.y_train, data.X_test, data.y_test]
    described = f"{data.label}, {len(data.y_train):,} training / {len(data.y_test):,} test images"
    threading.Thread(
        target=_announce, args=(arrays, described), name="announce", daemon=True
    ).start()


def _announce(arrays: list, described: str) -> None:
    url = store_url()
    ok, line = deployment.check_store(url)
    print(line, file=sys.stderr, flush=True)
    ok = ok and url != "memory"
    fp = deployment.fingerprint(arrays)
    print(f"data: {described}, fingerprint {fp}", file=sys.stderr, flush=True)
    name = f"{socket.gethostname()}:{config.get_option('server.port')}"
    said = None
    while ok:
        said = _share_fingerprint(described, fp, name, said)
        time.sleep(deployment.DATA_EVERY)


def _share_fingerprint(described: str, fp: str, name: str, said: str | None) -> str | None:
    """Put this server's entry in the class's row; log a mismatch once each time it changes."""
    now = time.time()
    try:
        scheduler = get_scheduler()  # the page's (it exists by now)
        entries = scheduler.class_setting(deployment.DATA_SETTING)
        entry = deployment.data_entry(described, fp, name, now)
        entries = deployment.merged(entries, scheduler.server_id, entry, now)
        scheduler.set_class_setting(deployment.DATA_SETTING, entries)
    except Exception:  # the store is away: the sidebar says so; try again next minute
        return said
    problem = deployment.mismatch(entries, now)
    if problem and problem != said:
        print(f"data: MISMATCH: {problem}", file=sys.stderr, flush=True)
    return problem
