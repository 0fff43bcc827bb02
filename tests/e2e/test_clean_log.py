"""A student clicks through every page twice, touching a few widgets: the server log is clean."""

from __future__ import annotations

import pytest

from mlcore.data import SAMPLE_DIR

from .conftest import FRESH_LOG, LOG_PROBLEM, assert_clean_log, running_app, settle, shot

pytestmark = pytest.mark.browser


def sidebar_pages(page) -> list[str]:
    """The names of the pages in the sidebar, in order (each link's text is icon, then name)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]  # after the icon


def walk(page, touch: tuple[str, ...]) -> None:
    """Every sidebar page twice; on the first pass, move the first slider of the pages in touch.

    Streamlit's "created with a default value" warning came on the rerun after a widget's value
    was written back (app.py keeps widget values across pages), and only once per server: so
    each walk gets a fresh server (fresh_page), whose log must end clean.
    """
    names = sidebar_pages(page)
    assert {"Home", "Train", "Softmax", "Draw"} <= set(names), names
    for visit in range(2):
        for name in names:
            page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
            settle(page)
            assert not page.get_by_test_id("stException").count(), f"{name}: an exception"
            if visit == 0 and name in touch:
                page.get_by_role("slider").first.press("ArrowRight")
                settle(page)
            if visit == 0 and name == "Softmax":
                page.get_by_text("float32", exact=True).click()
                settle(page)


def test_every_page_twice_leaves_a_clean_server_log(fresh_page):
    walk(fresh_page, touch=("Train", "Softmax"))
    assert_clean_log(0, FRESH_LOG)


def test_moving_the_brush_leaves_a_clean_server_log(fresh_page):
    walk(fresh_page, touch=("Draw",))
    assert_clean_log(0, FRESH_LOG)


def alert_links(page) -> list[str]:
    """Where the links inside the page's alerts point (user text must never become one)."""
    return page.get_by_test_id("stAlert").locator("a").evaluate_all("as => as.map(a => a.href)")


def alert(page, text: str) -> None:
    """Wait for an alert holding text (a click's rerun may start after settle looked)."""
    page.get_by_test_id("stAlert").filter(has_text=text).first.wait_for(timeout=30_000)


def open_url(page, url: str) -> None:
    page.goto(url)
    settle(page)
    assert not page.get_by_test_id("stException").count(), f"{url[:80]}: an exception"


def test_hostile_links_and_a_lesson_past_the_limit_leave_a_clean_log(browser, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))  # nothing here trains for long
    monkeypatch.setenv("MNIST_LAB_ACTIVE_RUNS", "2")  # a lesson of 3 runs + its range test
    with running_app(FRESH_LOG) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = context.new_page()
        url_text = "http://127.0.0.1:9/x"
        open_url(page, f"{url}/train?init_scale=inf&learning_rate={url_text}")
        alert(page, "init_scale")
        assert not alert_links(page)
        open_url(page, f"{url}/train?init_scale=1e308&seed=www.example.com")
        open_url(page, f"{url}/lessons?lesson={url_text}{'z' * 5_000}")
        alert(page, "5,020 characters")
        assert not alert_links(page)
        open_url(page, f"{url}/lessons?lesson=learning-rate")
        page.get_by_role("button", name="Run this lesson").click()
        settle(page)
        alert(page, "did not start")
        context.close()
    assert_clean_log(0, FRESH_LOG)


def test_ten_students_pressing_start_at_once_on_a_fresh_server_leave_a_clean_log(
    browser, monkeypatch
):
    """The first class of the day: ten tabs open Train and press Start together. Plotly read
    a half-imported pandas from several script threads at once (AttributeError: partially
    initialized module 'pandas'), up to 9 tracebacks per class."""
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))  # what is tested is the first seconds
    monkeypatch.setenv("MNIST_LAB_WORKERS", "1")  # the runs take turns: the CPU goes to the pages
    with running_app(FRESH_LOG) as url:
        viewport = {"width": 1000, "height": 700}
        contexts = [browser.new_context(viewport=viewport) for _ in range(10)]
        pages = [context.new_page() for context in contexts]
        for page in pages:  # all ten connect before any has drawn its first chart
            page.goto(f"{url}/train?iterations=200", wait_until="commit")
        for page in pages:
            page.get_by_role("button", name="Start").wait_for(timeout=120_000)
        for page in pages:  # the clicks, then the ten script runs they start
            page.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=120_000)
        for page in pages:
            page.get_by_role("button", name="Start").dispatch_event("click", timeout=120_000)
        for page in pages:  # each run's progress bar: it stays once the run is there (with
            # ten runs polling, the page is seldom "not running" long enough to settle)
            page.get_by_test_id("stProgress").first.wait_for(timeout=120_000)
            assert not page.get_by_test_id("stException").count(), "an exception on the page"
            if page is pages[-1]:
                shot(page, "ten-students-last")
            page.context.close()  # its tab closes: the rest get the machine
    assert_clean_log(0, FRESH_LOG)


def test_the_log_check_catches_a_fragment_that_no_longer_exists():
    """Streamlit logs it at INFO under load; a clean-log test must not let it by."""
    line = (
        "2026-12-07 12:00:00.000 The fragment with id 3f2a9c does not exist anymore - it might"
        " have been removed during a preceding full-app rerun."
    )
    assert LOG_PROBLEM.search(line)
    assert not LOG_PROBLEM.search("2026-12-07 12:00:00.000 Training on 1 worker")
