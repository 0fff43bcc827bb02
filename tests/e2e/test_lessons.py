"""A lesson in a real browser: open it, press its one button, read the conclusion's numbers."""

from __future__ import annotations

import re

import pytest

from mlcore.data import SAMPLE_DIR

from ..conftest import ROOT
from .conftest import assert_clean_log, go_to, home_page, running_app, shot

pytestmark = pytest.mark.browser
LOG = ROOT / "artifacts" / "streamlit-lessons.log"


def full_height(page, width: int, height: int) -> None:
    """Grow the window to the page's content (Streamlit scrolls inside stMain)."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(800)
    tall = page.get_by_test_id("stMain").evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, tall)})
    page.wait_for_timeout(800)


OTHER_LESSONS = ("naive-softmax", "zero-init", "learning-rate", "batch-size", "hidden-units")


def conclusion_of(page, url: str, slug: str) -> str:
    """Open a lesson by its link, press its one button, return its first conclusion's text."""
    page.goto(f"{url}/lessons?lesson={slug}")
    page.get_by_role("button", name="Run this lesson").click()
    box = page.get_by_test_id("stAlertContentSuccess").first
    box.wait_for(timeout=240_000)
    return box.inner_text()


def test_every_lesson_runs_from_one_click_and_concludes_with_measured_numbers(browser, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))  # the bundled sample: a short lesson
    with running_app(LOG) as url:
        with home_page(browser, url, 1440, 900) as page:  # fails on JavaScript errors
            go_to(page, "Lessons")
            page.get_by_text("The lab fed raw 0–255 pixels").wait_for(timeout=30_000)
            assert "lesson=scaling" in page.url
            page.get_by_role("button", name="Run this lesson").click()
            done = page.get_by_text(re.compile(r"raw 0–255: \d+\.\d\d% after \d+ steps with"))
            done.wait_for(timeout=240_000)
            text = done.inner_text()
            for width, height in ((1440, 900), (390, 844)):
                full_height(page, width, height)
                shot(page, f"lessons-{width}")
            conclusions = {slug: conclusion_of(page, url, slug) for slug in OTHER_LESSONS}
        assert_clean_log(0, LOG)
    for slug, conclusion in conclusions.items():  # each quotes a measured percentage
        assert re.search(r"\d+\.\d+%", conclusion), (slug, conclusion)
    assert "nan" in conclusions["naive-softmax"] and "1 distinct" in conclusions["zero-init"]
    assert re.search(r"\[0, 1\]: \d+\.\d\d% after \d+ steps with \d+\.\d+% of hidden", text), text
    assert re.search(r"standardized: \d+\.\d\d%", text), text


def test_a_lesson_link_as_a_fresh_servers_first_visit_opens_inside_the_app(browser):
    with running_app(ROOT / "artifacts" / "streamlit-lesson-link.log") as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/lessons?lesson=zero-init")  # a link a teacher shared
        page.get_by_text("Inside the network").wait_for(timeout=30_000)  # the app's own menu
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert "inside" not in nav.split("\n"), nav  # not the bare list of page files
        page.get_by_text("What if every weight starts at zero?").wait_for(timeout=10_000)
        assert "lesson=zero-init" in page.url
        context.close()
