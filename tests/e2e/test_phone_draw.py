"""Draw on a phone: a finger draws on the canvas; the prediction sits right under it."""

from __future__ import annotations

import itertools

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def touch_stroke(page, canvas, points) -> None:
    """A one-finger stroke through points (canvas pixels), as a phone's touch events."""
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    start = {"x": box["x"] + points[0][0], "y": box["y"] + points[0][1]}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [start]})
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for k in range(1, 13):
            x, y = x0 + (x1 - x0) * k / 12, y0 + (y1 - y0) * k / 12
            point = {"x": box["x"] + x, "y": box["y"] + y}
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_finger_draws_a_digit_and_the_prediction_is_right_under_the_canvas(browser, app_url):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{app_url}/draw")
    canvas = page.locator("canvas.upper-canvas")
    canvas.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()
    page.get_by_text("Draw a digit on the canvas").wait_for(timeout=15_000)
    touch_stroke(page, canvas, [(140, 40), (140, 240)])  # a "1"
    metric = page.get_by_test_id("stMetric").filter(has_text="Prediction")
    metric.wait_for(timeout=20_000)
    assert metric.get_by_test_id("stMetricValue").inner_text().strip() == "1"
    canvas_box, metric_box = canvas.bounding_box(), metric.bounding_box()
    below = metric_box["y"] - (canvas_box["y"] + canvas_box["height"])
    assert 0 <= below < 120, f"the prediction is {below:.0f} px below the canvas"
    in_view = "e => e.getBoundingClientRect().bottom <= window.innerHeight"
    assert metric.evaluate(in_view), "the prediction is below the fold after drawing"
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.wait_for(timeout=20_000)
    modebar = chart.locator(".modebar")
    assert modebar.count() == 1 and not modebar.is_visible()  # it covered the chart's title
    shot(page, "draw-phone-touch")
    context.close()


def wait_for_prediction(page, digit: str, shown: bool = True) -> None:
    """Wait until the Prediction metric shows digit (shown=False: until it does not)."""
    shows = (
        "[...document.querySelectorAll('[data-testid=stMetricValue]')]"
        f".some(e => e.innerText.trim() === '{digit}')"
    )
    page.wait_for_function(f"() => {'' if shown else '!'}({shows})", timeout=20_000)


def test_a_finger_undoes_the_last_stroke_with_the_pages_button(browser, app_url):
    """The canvas's own undo shows on hover only; the page's button needs no hover."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{app_url}/draw")
    canvas = page.locator("canvas.upper-canvas")
    canvas.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()
    page.get_by_text("Draw a digit on the canvas").wait_for(timeout=15_000)
    touch_stroke(page, canvas, [(140, 40), (140, 240)])  # a "1"
    wait_for_prediction(page, "1")
    touch_stroke(page, canvas, [(60, 140), (220, 140)])  # a bar across: no longer a "1"
    wait_for_prediction(page, "1", shown=False)
    page.get_by_role("button", name="Undo the last stroke").tap()
    wait_for_prediction(page, "1")
    context.close()
