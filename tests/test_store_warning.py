"""The store's warning: in the polling fragments (so it shows while a run trains), gone within
seconds of the recovery, earlier runs promised back, and a read-only disk called read-only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import pytest

from runs.scheduler import get_scheduler
from runs.schema import StoreError
from runs.store import Store
from runs.writer import FLUSH_SECONDS, RETRY_MAX, StoreWriter, retry_pause

from .conftest import ROOT
from .test_pages import texts
from .test_scheduler import wait_until
from .test_workspace_page import database_away, open_app

AWAY = "database or disk is full (sqlite:///x)"


def test_the_train_pages_polling_fragment_shows_the_stores_warning(monkeypatch):
    at = open_app(page="pages/train.py")
    database_away(get_scheduler().store, monkeypatch, AWAY)
    at.run()
    assert any(AWAY in w.value for w in at.main.warning), [w.value for w in at.main.warning]


def test_while_the_store_is_away_earlier_runs_are_said_to_come_back(monkeypatch):
    at = open_app()
    database_away(get_scheduler().store, monkeypatch, AWAY)
    at.switch_page("pages/home.py").run()
    shown = texts(at)
    assert "show here again once it is back" in shown and "Nothing yet" not in shown


def test_the_pause_between_tries_stays_short_however_long_the_outage():
    """A 10 s outage grew the writer's pause between tries to 16 s (the warning stayed that
    long after the recovery); counted in tries, not timed."""
    pause, pauses = FLUSH_SECONDS, []
    for _ in range(50):  # a long outage: every try fails
        pause = retry_pause(pause, ok=False)
        pauses.append(pause)
    assert max(pauses) <= RETRY_MAX <= 5 and pauses[-1] == RETRY_MAX
    assert retry_pause(pause, ok=True) == FLUSH_SECONDS  # back: the usual rhythm


def test_the_warning_goes_at_the_first_try_after_the_databases_return(tmp_path):
    url = f"sqlite:///{tmp_path}/runs.sqlite"
    back, tries, opened = threading.Event(), [], []

    def opener(u: str) -> Store:
        tries.append(u)
        if not back.is_set():
            raise StoreError("unable to open database file")
        opened.append(Store(u))
        return opened[-1]

    writer = StoreWriter(url, opener=opener)
    try:
        writer.insert({"id": "r1", "workspace": "w", "spec": "{}", "status": "running",
                       "created": 0.0})  # fmt: skip
        wait_until(lambda: len(tries) >= 3 and writer.problem, 60, "three failed tries")
        back.set()
        wait_until(lambda: not writer.problem, 60, "the recovery")
        assert len(opened) == 1, "the warning stayed after a try that worked"
    finally:
        writer.close(2)


BWRAP = shutil.which("bwrap")


def test_a_store_on_a_read_only_disk_is_called_read_only(tmp_path):
    if BWRAP is None:
        if os.environ.get("CI"):
            pytest.fail("bubblewrap (bwrap) must be installed in CI")
        pytest.skip("bubblewrap (bwrap) is not installed")
    Store(f"sqlite:///{tmp_path}/runs.sqlite").close()
    script = (
        "from runs.store import Store\n"
        f"Store('sqlite:///{tmp_path}/runs.sqlite')\n"
    )  # fmt: skip
    out = subprocess.run(
        [BWRAP, "--die-with-parent", "--bind", "/", "/", "--ro-bind", str(tmp_path),
         str(tmp_path), "--proc", "/proc", "--dev", "/dev", sys.executable, "-c", script],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode != 0
    assert "runs.sqlite is read-only: its disk is mounted read-only" in out.stderr, out.stderr
    assert "unable to open" not in out.stderr
