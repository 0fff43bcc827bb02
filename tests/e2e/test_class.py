"""The class server in a real browser: a closed tab's run stops; runs are found by link."""

from __future__ import annotations

import time

import pytest

from .conftest import LOG

pytestmark = pytest.mark.browser


def log_since(offset: int) -> str:
    return LOG.read_bytes()[offset:].decode(errors="replace")


def points(page) -> int:
    return page.evaluate(
        "() => { const g = document.querySelector('.js-plotly-plot');"
        " return g && g.data && g.data[0] ? g.data[0].x.length : 0; }"
    )


def test_a_closed_tab_stops_its_run_within_10_seconds(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{app_url}/train?iterations=200")  # a long run: minutes if nobody stops it
    page.get_by_role("button", name="Start").click()
    deadline = time.monotonic() + 60
    while not points(page):
        assert time.monotonic() < deadline, "the run never showed a point"
        time.sleep(0.2)
    offset = LOG.stat().st_size
    context.close()  # the student closes the tab
    closed = time.monotonic()
    while "closed: stopped 1 run(s)" not in log_since(offset):
        assert time.monotonic() - closed < 10, f"still training 10 s later:\n{log_since(offset)}"
        time.sleep(0.2)


def test_start_shows_the_run_at_once_and_its_settings_are_in_the_address(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{app_url}/train?hidden_size=50&iterations=6")  # seconds: Stop seen enabled
    hidden = page.get_by_test_id("stSlider").filter(has_text="Hidden units")
    hidden.get_by_text("50").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Stop").and_(page.locator(":enabled")).wait_for(timeout=5_000)
    page.get_by_text("H=50").first.wait_for(timeout=5_000)  # the new run, not an old one
    assert "hidden_size=50" in page.url and "iterations=6" in page.url
    page.get_by_text("finished 6 iterations.").wait_for(timeout=120_000)
    context.close()
