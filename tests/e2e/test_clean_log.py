"""A student clicks through every page twice, touching a few widgets: the server log is clean."""

from __future__ import annotations

import pytest

from .conftest import FRESH_LOG, assert_clean_log, settle

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
