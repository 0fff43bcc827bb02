"""A link to a page (/train) opened first on a freshly started server still goes through app.py."""

from __future__ import annotations

import pytest

from mlcore.data import SAMPLE_DIR

from .conftest import FRESH_LOG, running_app

pytestmark = pytest.mark.browser


def test_the_first_visit_by_a_page_link_runs_the_router(browser, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))  # the router, not the data: a quick start
    with running_app(FRESH_LOG) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/train")
        page.get_by_text("Train the network").wait_for(timeout=30_000)
        page.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=30_000)
        title, nav = page.title(), page.get_by_test_id("stSidebarNav").inner_text()
        context.close()
    assert title == "MNIST Backprop Lab" and "app" not in nav.split(), (title, nav)
