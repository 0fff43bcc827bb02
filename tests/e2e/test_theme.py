"""Charts follow the active theme: in the dark theme no chart keeps a white background."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from .conftest import shot
from .test_browser import DIGITS, draw_stroke, prediction

pytestmark = pytest.mark.browser


def white_share(png: bytes) -> float:
    """The share of near-white pixels in a screenshot."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return float((rgb.min(axis=2) > 230).mean())


def test_the_draw_pages_heatmaps_follow_the_dark_theme(page, app_url):
    page.goto(f"{app_url}/draw?embed_options=dark_theme")
    canvas = page.locator("canvas.upper-canvas")
    canvas.wait_for(timeout=15_000)
    draw_stroke(page, canvas, DIGITS["7"])
    assert prediction(page) == "7"
    charts = page.locator(".js-plotly-plot")
    charts.nth(2).wait_for(timeout=15_000)  # probabilities, what the network sees, for/against
    page.wait_for_timeout(500)
    shot(page, "draw-dark-7")
    for i in range(3):
        share = white_share(charts.nth(i).screenshot())
        assert share < 0.05, f"chart {i} is {share:.0%} white in the dark theme"
