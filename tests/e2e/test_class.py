"""The class server in a real browser: a closed tab's run stops; runs are found by link; a
hand-in breaking the challenge is told why; the board ranks by the private split."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from mlcore.data import SAMPLE_DIR, load_mnist
from mlcore.idx import write_idx

from .conftest import LOG, ROOT, assert_clean_log, running_app, settle, shot

pytestmark = pytest.mark.browser
KEY = "a teacher key for the challenge test"


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
    # 200 passes: still training when the page is read, on any machine (6 were over before a
    # loaded CI run read the page); the test stops it
    page.goto(f"{app_url}/train?hidden_size=50&iterations=200")
    hidden = page.get_by_test_id("stSlider").filter(has_text="Hidden units")
    hidden.get_by_text("50").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"[?&]run=[0-9a-f]{12}"), timeout=30_000)  # Start's own run
    settle(page)  # ... has ended: it shows the run training, with no later refresh needed
    stop = page.get_by_role("button", name="Stop").and_(page.locator(":enabled"))
    assert stop.count() == 1, "the Start's own redraw did not show the run training"
    page.get_by_text("H=50").first.wait_for(timeout=5_000)  # the new run, not an old one
    assert "hidden_size=50" in page.url and "iterations=200" in page.url
    stop.click()
    page.get_by_text("stopped by you").wait_for(timeout=60_000)
    context.close()


def private_split(folder: Path, n: int = 500) -> Path:
    """A private split for the test: n images of the bundled sample's training set, written
    as IDX (a real class would use digits no page shows; here only the mechanism counts)."""
    data = load_mnist(SAMPLE_DIR)
    write_idx(folder / "private-images-idx3-ubyte", data.X_train[-n:].reshape(-1, 28, 28))
    write_idx(folder / "private-labels-idx1-ubyte", data.y_train[-n:])
    return folder


def hand_in(page, nickname: str) -> None:
    box = page.get_by_label("Nickname", exact=True)
    for _ in range(3):  # a click while the page redraws can be undone by the redraw: again
        if box.is_visible():
            break
        page.get_by_text("Hand in this run to your teacher").click()
        settle(page)
    box.fill(nickname)
    page.get_by_role("button", name="Hand in", exact=True).click()
    page.get_by_text(f"Handed in as {nickname}").wait_for(timeout=30_000)


def test_a_hand_in_breaking_the_challenge_is_told_why_and_the_board_ranks_by_the_private_split(
    browser, tmp_path
):
    env = {"MNIST_LAB_TEACHER_KEY": KEY, "MNIST_LAB_STORE": f"sqlite:///{tmp_path / 'r.sqlite'}",
           "MNIST_LAB_PRIVATE_DIR": str(private_split(tmp_path))}  # fmt: skip
    log = ROOT / "artifacts" / "streamlit-challenge.log"
    with running_app(log, **env) as url:
        teacher = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        teacher.goto(f"{url}/class_view")
        teacher.get_by_label("Teacher's key", exact=True).fill(KEY)
        teacher.get_by_role("button", name="Open the class view").click()
        teacher.get_by_label("At most hidden units (0: no limit)").fill("30")
        teacher.get_by_role("button", name="Set the challenge").click()
        teacher.get_by_text("The challenge: at most 30 hidden units").wait_for(timeout=30_000)

        student = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        for hidden, nickname in ((50, "ada"), (20, "ada")):
            student.goto(f"{url}/train?hidden_size={hidden}&iterations=1")
            student.get_by_role("button", name="Start").click()
            student.get_by_text("finished 1 iteration.").wait_for(timeout=180_000)
            hand_in(student, nickname)
            broke = student.get_by_text("does not count for the challenge: hidden units 50 > 30")
            assert broke.count() == (1 if hidden == 50 else 0)
        text = student.get_by_test_id("stMain").inner_text()
        kept = re.search(r"H=20 [^\n]*?\(([0-9a-f]{12})\)", text).group(1)  # keeps to it; id last
        shot(student, "challenge-hand-in")
        student.goto(f"{url}/class_view")  # the students' Class page: the rules in a box
        student.get_by_text("at most 30 hidden units").wait_for(timeout=30_000)

        teacher.get_by_text("Ranked by the private split: 500 images").wait_for(timeout=30_000)
        runs = teacher.get_by_test_id("stMetric").filter(has_text="Runs handed in")
        runs.get_by_text("2", exact=True).wait_for(timeout=30_000)  # live: no click
        first = f"First on the private split: ada (run {kept}, "
        teacher.get_by_text(first).wait_for(timeout=30_000)  # the 50-unit run is left off
        shot(teacher, "challenge-board")
    assert_clean_log(0, log)
