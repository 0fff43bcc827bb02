"""End to end in Chromium: "Inside the network" opened while a run trains, a mistake pair chosen."""

from __future__ import annotations

import re

import pytest

from .conftest import go_to, shot, stop_if_running

pytestmark = pytest.mark.browser

RUNNING = re.compile(r" — running · [\d.]+ s of training")  # the run's status line
ENDED = re.compile(r" — (finished|stopped)")  # the Train page's status line of an ended run
LIVE = re.compile(r"Showing its latest weights, after [\d.]+ pass(es)? .*; they update as it")


def choose(page, label: str, option: str | re.Pattern) -> None:
    """Pick an option of the selectbox labelled label (Streamlit's own dropdown)."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
    page.get_by_role("option", name=option).first.click()


def test_inside_opened_during_a_run_shows_it_live_and_a_chosen_pair_fills_the_gallery(
    page, app_url, clean_server_log
):
    page.goto(f"{app_url}/train?iterations=200&hidden_size=100")  # stopped at the end
    page.get_by_role("button", name="Start").click()
    # the numbers appear with the first report, which carries the first weight snapshot
    page.get_by_test_id("stMetric").filter(has_text="Training loss").wait_for(timeout=60_000)
    go_to(page, "Inside the network")
    page.get_by_text("Why the network gets its answers").wait_for(timeout=15_000)
    page.get_by_text(LIVE).wait_for(timeout=20_000)
    model = page.get_by_test_id("stSelectbox").filter(has_text="Model").first
    shown = model.locator("input").first.input_value() or model.inner_text()
    assert "(training)" in shown, shown  # preselected: the run training now
    first = page.get_by_text(LIVE).inner_text()
    page.wait_for_function(
        "t => !document.body.innerText.includes(t)", arg=first, timeout=20_000
    )  # a newer snapshot is shown without any click

    page.get_by_role("tab", name="Mistakes").click()
    choose(page, "True digit", "4")
    choose(page, "Predicted digit", "9")
    gallery = page.get_by_text(re.compile(r"\d+ images of a 4 read as a 9"))
    gallery.wait_for(timeout=60_000)  # drawn at the live view's next redraw: slow under load
    captions = page.get_by_test_id("stImageCaption").filter(has_text="4→9")
    assert captions.count() >= 1
    assert re.fullmatch(r"#\d+: 4→9 [\d.]+%", captions.first.inner_text().strip())
    shot(page, "inside-mistakes-live")
    stop_in_another_tab(page, app_url)
    # at its next redraw, which recomputes every tab for the newest weights: seconds each on
    # a busy machine (a CI run with three workers: still running after 20 s)
    page.get_by_text(RUNNING).wait_for(state="detached", timeout=90_000)


def stop_in_another_tab(page, app_url: str) -> None:
    """Stop the run in another tab of the same browser: the first tab's live view must end by
    itself (a Run is a value; the page once kept the one it started with and said "running"
    for good). A fast machine, or the bundled sample (a sixth of MNIST: 200 passes in ~20 s
    here), may finish the run first: then it has ended by itself, which must end it too."""
    other = page.context.new_page()
    other.goto(f"{app_url}/train")
    stop = other.get_by_role("button", name="Stop").and_(other.locator(":enabled"))
    stop.or_(other.get_by_text(ENDED)).first.wait_for(timeout=60_000)  # a loaded CI: > 30 s
    stop_if_running(other)
    other.get_by_text(ENDED).first.wait_for(timeout=60_000)
    other.close()


TABS = ("Hidden units", "Saturation", "Mistakes", "Gradient check", "One digit, step by step")


@pytest.mark.parametrize("width,height,name", [(1440, 900, "wide"), (390, 844, "phone")])
def test_every_tab_of_inside_draws_on_a_wide_screen_and_a_phone(
    browser, app_url, clean_server_log, width, height, name
):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{app_url}/inside")
        page.get_by_text("Why the network gets its answers").wait_for(timeout=30_000)
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            if tab == "Gradient check":
                page.get_by_role("button", name="Run the gradient check").click()
                page.get_by_text("backprop is right").wait_for(timeout=20_000)
            page.wait_for_timeout(1500)  # Plotly lays out the charts of a newly shown tab
            slug = tab.split(",")[0].lower().replace(" ", "-")
            shot(page, f"inside-{name}-{slug}")
            page.mouse.move(width // 2, height // 2)
            page.mouse.wheel(0, height - 250)  # the page scrolls inside Streamlit's main area
            page.wait_for_timeout(500)
            shot(page, f"inside-{name}-{slug}-2")
            page.mouse.wheel(0, -10 * height)
    finally:
        context.close()
    assert not errors, errors
