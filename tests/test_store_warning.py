"""The store's warning: in the polling fragments (so it shows while a run trains), gone within
seconds of the recovery, earlier runs promised back, and a read-only disk called read-only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from runs.scheduler import get_scheduler
from runs.schema import StoreError
from runs.store import Store
from runs.writer import StoreWriter

from .conftest import ROOT
from .test_pages import texts
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


def test_the_warning_goes_within_seconds_of_the_databases_return(tmp_path):
    """A 10 s outage grew the writer's pause between tries to 16 s; it must stay short."""
    url = f"sqlite:///{tmp_path}/runs.sqlite"
    back = threading.Event()

    def opener(u: str) -> Store:
        if not back.is_set():
            raise StoreError("unable to open database file")
        return Store(u)

    writer = StoreWriter(url, opener=opener)
    try:
        writer.insert({"id": "r1", "workspace": "w", "spec": "{}", "status": "running",
                       "created": 0.0})  # fmt: skip
        time.sleep(10)  # the outage
        assert writer.problem
        back.set()
        returned = time.monotonic()
        while writer.problem and time.monotonic() - returned < 30:
            time.sleep(0.1)
        assert time.monotonic() - returned < 5, "the warning stayed after the recovery"
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
