"""Nothing slow under the scheduler's lock: while the database hangs for one workspace's page
(its quota, its stored runs), other workspaces' runs keep training and reporting."""

from __future__ import annotations

import threading

import pytest

from mlcore.spec import RunSpec
from runs.scheduler import Scheduler
from runs.store import Store
from runs.writer import StoreWriter

from .test_scheduler import FOREVER, SAMPLE, limits, submit, wait_for, wait_until


class Hang:
    """A database call that does not answer until released (a database that is held)."""

    def __init__(self):
        self.entered, self.release = threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        self.entered.set()
        self.release.wait(60)
        return 0 if self.name == "workspace_bytes" else []


@pytest.fixture
def scheduler(tmp_path):
    s = Scheduler(limits(workers=2), SAMPLE, StoreWriter(f"sqlite:///{tmp_path / 'r.sqlite'}"))
    yield s
    s.close()


@pytest.mark.parametrize("held", ["workspace_bytes", "load_workspace"])
def test_runs_keep_reporting_while_the_database_hangs_for_another_page(
    scheduler, monkeypatch, held
):
    s = scheduler
    training = submit(s, FOREVER, session="a")
    wait_for(s, training, lambda r: len(r.history) > 0, what="a first report")
    hang = Hang()
    hang.name = held
    monkeypatch.setattr(Store, held, hang)
    if held == "workspace_bytes":  # a lesson's runs, submitted together (checked under the lock)
        request = (RunSpec(FOREVER, "sample"), SAMPLE, "sample", 10_000)
        page = threading.Thread(target=s.submit_all, args=("b", [request, request]))
    else:
        page = threading.Thread(target=s.runs_of, args=("b",))
    page.start()  # another student's page, stuck in the database
    try:
        assert hang.entered.wait(30), "the page never asked the database"
        seen = len(s.get(training.id).history)
        wait_until(lambda: len(s.get(training.id).history) >= seen + 5, what="more reports")
        assert s.stats()["runs"] >= 1  # the lock is free: a page can ask the scheduler
    finally:
        hang.release.set()
        page.join(30)
    s.stop(training.id, "a")
