"""Train on a phone: a vertical swipe over a chart scrolls the page and leaves the chart's
axes alone (Plotly's drag zoomed it); the charts are on the first screen during a run."""

from __future__ import annotations

import pytest

from .conftest import settle, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A run that trains for minutes on any machine (the most work a link asks: 200 passes of
# batches of 16 through 1,000 hidden units; over 3 min on the bundled sample here, an hour on
# MNIST), stopped by the test, and one that ends in seconds.
LONG = "hidden_size=1000&batch_size=16&iterations=200"
SHORT = "hidden_size=10&batch_size=1024&iterations=1"
Y_RANGE = "e => JSON.stringify(e.closest('.js-plotly-plot')._fullLayout.yaxis.range)"
# Streamlit scrolls its main area, not the window: the chart's nearest scrolling ancestor.
SCROLLER = """e => { for (let s = e.parentElement; s; s = s.parentElement)
  if (s.scrollHeight > s.clientHeight + 10 && getComputedStyle(s).overflowY !== 'visible')
    return s; return document.scrollingElement; }"""


def phone(browser):
    return browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)


def swipe_up(page, x: float, y: float, distance: float = 300) -> None:
    """One finger from (x, y) up by distance px, as a phone's touch events."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 21):
        point = {"x": x, "y": y - distance * k / 20}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(500)  # the scroll's momentum


def test_a_vertical_swipe_over_a_chart_scrolls_the_page_and_leaves_its_axes(browser, app_url):
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{app_url}/train?{SHORT}")
    page.get_by_role("button", name="Start").click()
    page.get_by_text("finished 1 iteration").first.wait_for(timeout=120_000)
    settle(page)
    plot = page.locator(".js-plotly-plot .nsewdrag").first  # the loss chart's plot area
    plot.wait_for(timeout=20_000)
    plot.scroll_into_view_if_needed()
    scroller = plot.evaluate_handle(SCROLLER)
    scroller.evaluate("s => s.scrollBy(0, 150)")  # the chart mid-screen, room to scroll on
    box = plot.bounding_box()
    before, scrolled = plot.evaluate(Y_RANGE), scroller.evaluate("s => s.scrollTop")
    swipe_up(page, box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
    now = scroller.evaluate("s => s.scrollTop")
    assert now > scrolled + 100, f"the swipe did not scroll the page ({scrolled} → {now})"
    assert plot.evaluate(Y_RANGE) == before, "the swipe zoomed the chart"
    context.close()


def test_during_a_run_the_charts_are_on_a_phones_first_screen(browser, app_url):
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{app_url}/train?{LONG}")
    page.get_by_role("button", name="Start").click()
    chart = page.locator("[data-testid=stPlotlyChart], [data-live-chart]").first
    chart.wait_for(timeout=60_000)
    settle(page)
    chart.evaluate_handle(SCROLLER).evaluate("s => s.scrollTo(0, 0)")
    top = chart.evaluate("e => e.getBoundingClientRect().top")
    shot(page, "train-phone-running")
    page.get_by_role("button", name="Stop").first.click()  # enabled: it was measured running
    assert top < PHONE["height"] - 250, (
        f"the first chart starts {top:.0f} px down"
    )  # 250 px of it shown
    context.close()
