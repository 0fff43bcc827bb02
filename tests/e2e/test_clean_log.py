"""A student clicks through every page twice, touching a few widgets: the server log is clean."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def settle(page) -> None:
    """Wait until the script run that the last action started has finished."""
    page.wait_for_timeout(400)
    page.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=30_000)


def sidebar_pages(page) -> list[str]:
    """The names of the pages in the sidebar, in order (each link's text is icon, then name)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]  # after the icon


def test_every_page_twice_leaves_a_clean_server_log(page, clean_server_log):
    names = sidebar_pages(page)
    assert {"Home", "Train", "Softmax", "Draw"} <= set(names), names
    for visit in range(2):
        for name in names:
            page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()
            settle(page)
            assert not page.get_by_test_id("stException").count(), f"{name}: an exception"
            if name == "Softmax" and visit == 0:
                page.get_by_role("slider").first.press("ArrowRight")  # × 1 -> × 2
                settle(page)
                page.get_by_text("float32", exact=True).click()
                settle(page)
