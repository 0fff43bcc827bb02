"""A real browser (Debian's Chromium driven by Playwright) against `streamlit run app.py`."""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ..conftest import ROOT
from . import failure_report
from .servers import CHROMIUM, require_browser, running_app

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "artifacts" / "screenshots"
# Each xdist worker runs browser tests with a server of its own: logs of their own too.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
LOG = ROOT / "artifacts" / f"streamlit{'-' + _WORKER if _WORKER else ''}.log"
# What a clean server log must not hold: tracebacks, Streamlit's own warnings and errors
# ("2026-11-30 02:10:56.695 WARNING streamlit...", the widget-state duplication warning),
# Python warnings printed as "file.py:12: SomeWarning: ...", and the fragment Streamlit logs at
# INFO when a poll arrives for a fragment a full rerun dropped ("The fragment with id ... does
# not exist anymore"): a poll of the page lost, seen under load.
LOG_PROBLEM = re.compile(
    r"Traceback|was created with a default value|\b(WARNING|ERROR|CRITICAL)\b|\w+Warning: "
    r"|fragment with id \w+ does not exist anymore"
)


# The browser tests in two xdist groups of about equal time (seconds measured 2026-12-07 on
# 2 busy cores): each group runs file after file on one worker (the suite runs with -n 2
# --dist loadgroup), the other tests fill the gaps. One group of all took 12 min while the
# other worker had finished the rest at 8; each test is still alone in its browser and server.
SECOND_GROUP = {
    "test_inside.py",  # 153
    "test_browser.py",  # 74
    "test_lessons.py",  # 70
    "test_your_work.py",  # 53
    "test_softmax_typing.py",  # 31
    "test_favicon.py",  # 25
    "test_phone_charts.py",  # 15
    "test_phone_draw.py",  # 12
    "test_uploads.py",  # 7
}  # 440 s; the first group: test_clean_log 220, two_servers 92, write 71, class 68, ... 503 s


def pytest_collection_modifyitems(items):
    """Each browser test into its file's group (see SECOND_GROUP)."""
    here = Path(__file__).parent
    for item in items:
        path = Path(item.fspath)
        if here in path.parents:
            group = "browser-2" if path.name in SECOND_GROUP else "browser-1"
            item.add_marker(pytest.mark.xdist_group(group))


_BEFORE = pytest.StashKey[set]()  # the browser's contexts open when a test began
_FIRST = pytest.StashKey[int]()  # how many servers had been started when a test began
_SESSION: list = []  # the worker's shared server (app_url), once started


@pytest.fixture(autouse=True)
def _closes_its_contexts(request):
    """After a browser test, every context it opened is closed (a failed test's too, after
    its screenshots): a page left open goes on polling its stopped server, costing the next
    tests CPU, and leaked into the next failure's report."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    request.node.stash[_BEFORE] = before = set(browser.contexts)
    request.node.stash[_FIRST] = len(failure_report.SERVERS)
    yield
    for context in browser.contexts:
        if context not in before:
            with contextlib.suppress(Exception):  # already closing with its server
                context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that failed: its pages and servers in the report (failure_report)."""
    outcome = yield
    report = outcome.get_result()
    browser = item.funcargs.get("browser") if report.when == "call" and report.failed else None
    if browser is None:
        return
    before = item.stash.get(_BEFORE, set())
    pages = [p for c in browser.contexts if c not in before for p in c.pages]
    report.sections += failure_report.page_sections(pages, SHOTS, item.name)
    shared = _SESSION if "app_url" in item.funcargs else []
    mine = failure_report.SERVERS[item.stash.get(_FIRST, len(failure_report.SERVERS)) :]
    report.sections += failure_report.server_sections(shared + mine)


@pytest.fixture(scope="session")
def app_url():
    """One server for the worker's browser tests; its log is LOG."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(LOG) as url:
        _SESSION.append(failure_report.SERVERS[-1])
        yield url


def log_problems(since: int = 0, log_path: Path = LOG) -> list[str]:
    """Lines of a server log after byte offset `since` that a clean log must not hold."""
    with open(log_path, "rb") as f:
        f.seek(since)
        text = f.read().decode(errors="replace")
    return [line for line in text.splitlines() if LOG_PROBLEM.search(line)]


def assert_clean_log(since: int = 0, log_path: Path = LOG) -> None:
    time.sleep(0.5)  # the last rerun's lines
    problems = log_problems(since, log_path)
    excerpt = log_path.read_bytes()[since:].decode(errors="replace")[-4000:]
    assert not problems, f"the server logged {problems}; the log's tail:\n{excerpt}"


@pytest.fixture
def clean_server_log(app_url):
    """Fails the test if the shared server logged a traceback or a warning while it ran.

    Streamlit logs some warnings once per server: one an earlier test caused does not show
    again. For a verdict that does not depend on test order, use fresh_page.
    """
    since = LOG.stat().st_size
    yield
    assert_clean_log(since)


FRESH_LOG = LOG.with_name(LOG.stem + "-fresh.log")


@pytest.fixture
def fresh_page(browser):
    """A page on a server of its own, started for this test, logging to FRESH_LOG."""
    with running_app(FRESH_LOG) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = context.new_page()
        page.goto(url)
        page.get_by_text("Watch a neural network").wait_for(timeout=30_000)
        yield page
        context.close()


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def home_page(browser, url: str, width: int = 1400, height: int = 1600):
    """A page of a new browser context on the app's Home page; closed after, and failing the
    test if the page had JavaScript errors."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.get_by_text("Watch a neural network").wait_for(timeout=30_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser, app_url):
    with home_page(browser, app_url) as page:
        yield page


def settle(page) -> None:
    """Wait until the script run that the last action started has finished."""
    page.wait_for_timeout(400)
    page.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=30_000)


def stop_if_running(page) -> None:
    """Press the Train page's Stop if it is enabled: a run a test no longer needs, which a fast
    machine (or the bundled sample, a sixth of MNIST) may have finished already."""
    stop = page.get_by_role("button", name="Stop").and_(page.locator(":enabled"))
    if stop.count():
        with contextlib.suppress(PlaywrightTimeout):  # it finished between the two reads
            stop.first.click(timeout=10_000)


def go_to(page, name: str) -> None:
    """Switch pages through the sidebar, which keeps the session."""
    page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
