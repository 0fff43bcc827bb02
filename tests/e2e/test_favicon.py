"""The app's icon is shipped with it: no page asks the internet for it (offline: no icon and
a console error per page when it was a Material icon from Google's font server)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from mlcore.data import SAMPLE_DIR

from .conftest import running_app

pytestmark = pytest.mark.browser


def test_the_favicon_is_served_by_the_app_and_nothing_is_fetched_from_elsewhere(browser, app_url):
    context = browser.new_context()
    page = context.new_page()
    elsewhere = []
    page.on("request", lambda r: urlparse(r.url).hostname not in ("127.0.0.1", None)
            and elsewhere.append(r.url))  # fmt: skip
    page.goto(app_url)
    page.get_by_text("Watch a neural network").wait_for(timeout=30_000)
    icon = page.locator("link[rel*=icon]").first
    page.wait_for_function(
        "() => [...document.querySelectorAll('link[rel*=icon]')].some(l => l.href)"
    )
    href = icon.evaluate("l => l.href")
    assert href.startswith((app_url, "data:image/")), href
    response = page.request.get(href) if href.startswith("http") else None
    assert response is None or (response.ok and response.headers["content-type"] == "image/png")
    page.wait_for_timeout(1000)
    assert not elsewhere, elsewhere
    context.close()


def test_a_first_visit_by_a_link_on_a_fresh_server_fetches_no_icon_from_elsewhere(
    browser, tmp_path, monkeypatch
):
    """On a new server the first /train runs pages/train.py alone (ui/router.ensure): the
    page's own icon was the favicon then, fetched from Google's font server."""
    monkeypatch.setenv("MNIST_DIR", str(SAMPLE_DIR))  # the icon, not the data: a quick start
    with running_app(tmp_path / "streamlit.log") as url:
        context = browser.new_context()
        page = context.new_page()
        elsewhere = []
        page.on("request", lambda r: urlparse(r.url).hostname not in ("127.0.0.1", None)
                and elsewhere.append(r.url))  # fmt: skip
        page.goto(f"{url}/train")
        page.get_by_text("Train the network").wait_for(timeout=30_000)
        page.wait_for_timeout(2000)
        assert not elsewhere, elsewhere
        context.close()
