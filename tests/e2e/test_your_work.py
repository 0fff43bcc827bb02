"""In Chromium: a student's runs come back after a reload and after a server restart, and
the exports hold every report and every model."""

from __future__ import annotations

import io
import os
import re
import time
import zipfile

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mlcore.model import load_model
from runs.store import Store

from .conftest import ROOT, running_app, settle, shot

pytestmark = pytest.mark.browser

FINISHED = re.compile(r"finished \d+ iterations?\.")
SMALL_RUN = "train?hidden_size=20&iterations=2&learning_rate=0.1"


def stored_reports(run_id: str) -> int:
    """Reports of run_id in the app's store (the test run's own SQLite file)."""
    store = Store(os.environ["MNIST_LAB_STORE"])
    try:
        for workspace in _workspaces(store):
            for run in store.load_workspace(workspace):
                if run.row["id"] == run_id:
                    return len(run.reports)
    finally:
        store.close()
    raise AssertionError(f"run {run_id} is not in the store")


def _workspaces(store: Store) -> list[str]:
    import sqlalchemy as sa

    from runs.store import runs

    with store.engine.connect() as c:
        return list(c.execute(sa.select(runs.c.workspace).distinct()).scalars())


def wait_for_a_saved_state(timeout: float = 60.0) -> None:
    """Until a training run has a whole state in the store (what a restart continues from)."""
    import sqlalchemy as sa

    from runs.store import runs

    store = Store(os.environ["MNIST_LAB_STORE"])
    mine = runs.c.spec.contains('"batch_size": 32')  # this test's run (the store is shared)
    q = sa.select(runs.c.id).where(runs.c.status == "running", runs.c.state_at > 0, mine)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with store.engine.connect() as c:
                if c.execute(q).first() is not None:
                    return
            assert time.monotonic() < deadline, "no training state was saved"
            time.sleep(0.2)
    finally:
        store.close()


def stored_status(spec_part: str) -> str:
    """The stored status of the one run whose spec contains spec_part."""
    return _stored_column("status", spec_part)


def stored_id(spec_part: str) -> str:
    """The id of the one run whose spec contains spec_part."""
    return _stored_column("id", spec_part)


def _stored_column(column: str, spec_part: str) -> str:
    import sqlalchemy as sa

    from runs.store import runs

    store = Store(os.environ["MNIST_LAB_STORE"])
    try:
        with store.engine.connect() as c:
            q = sa.select(runs.c[column]).where(runs.c.spec.contains(spec_part))
            return c.execute(q).scalar_one()
    finally:
        store.close()


def download(page, button: str) -> str:
    """Click a download button and return the file's path. A click that lands while the page
    reruns can be lost (seen on CI, also with the model download): then it is clicked again.
    After a click, the button of a file built on the click (the zip of every run) was seen
    disabled through two more clicks of 30 s each on a busy machine: wait a minute for the
    file before clicking again."""
    for attempt in range(3):
        settle(page)
        try:
            with page.expect_download(timeout=60_000) as started:
                page.get_by_role("button", name=button).click()
            return started.value.path()
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def train_small_run(page, url: str) -> str:
    """Start SMALL_RUN on the Train page, wait for its end; returns its run id."""
    page.goto(f"{url}/{SMALL_RUN}")
    page.get_by_text("Train the network").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start").click()
    done = page.get_by_text(FINISHED)
    done.wait_for(timeout=90_000)
    return re.search(r"Run .*?\(([0-9a-f]{12})\)", done.inner_text()).group(1)  # id last


def test_a_reload_keeps_the_runs_and_the_exports_hold_every_report_and_model(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    run_id = train_small_run(page, app_url)
    page.reload()  # a new Streamlit session: only the browser's cookie is left
    page.get_by_text(FINISHED).wait_for(timeout=30_000)
    assert run_id in page.get_by_text(FINISHED).inner_text()
    page.locator(".js-plotly-plot").first.wait_for(timeout=15_000)

    table = pd.read_csv(download(page, "Download every run's history (.csv)"))
    assert table["run"].astype(str).tolist() == [run_id] * stored_reports(run_id)

    second = context.new_page()  # another tab of the same browser: the same work
    second.goto(app_url)
    second.get_by_text("1 run kept").wait_for(timeout=30_000)
    shot(second, "home-your-work")
    with zipfile.ZipFile(download(second, "Download all my work (.zip)")) as z:
        model = load_model(io.BytesIO(z.read(f"run-{run_id}/model.npz")))
        assert model.params.hidden_size == 20
        assert len(pd.read_csv(io.BytesIO(z.read("runs.csv")))) == len(table)
    context.close()

    stranger = browser.new_context()  # another browser: none of it
    other = stranger.new_page()
    other.goto(app_url)
    other.get_by_text("Nothing yet").wait_for(timeout=30_000)
    stranger.close()


def test_a_server_restart_keeps_the_run_and_an_interrupted_run_continues(browser):
    log = ROOT / "artifacts" / "streamlit-restart.log"
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    settings = {"MNIST_LAB_CHECKPOINT_SECONDS": "0.5"}
    with running_app(log, **settings) as url:
        # 200 passes (the most a link gives): still training when this server stops (10
        # finished first on a fast one, and nothing was interrupted); stopped after Continue
        page.goto(f"{url}/train?hidden_size=20&iterations=200&batch_size=32")
        page.get_by_text("Train the network").wait_for(timeout=30_000)
        page.get_by_role("button", name="Start").click()
        page.get_by_text("Test accuracy").first.wait_for(timeout=30_000)
        wait_for_a_saved_state()
    assert stored_status('"batch_size": 32') == "interrupted", "the run ended before the stop"
    with running_app(log, **settings) as url:  # the same store, a new server (and port)
        page.goto(f"{url}/train")
        note = page.get_by_text("interrupted by a server restart at")
        note.wait_for(timeout=30_000)
        settle(page)
        shot(page, "train-interrupted")
        kept = stored_reports(stored_id('"batch_size": 32'))
        page.get_by_role("button", name="Continue").click()
        deadline = time.monotonic() + 60
        while stored_reports(stored_id('"batch_size": 32')) <= kept:  # it trains on
            assert time.monotonic() < deadline, "the continued run reported nothing new"
            time.sleep(0.5)
        page.get_by_role("button", name="Stop").click()
        page.get_by_text("stopped by you").first.wait_for(timeout=60_000)
    context.close()
