"""The router: a first visit by a page's link runs through app.py, by Streamlit's public API."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from .conftest import ROOT
from .test_pages import APP

APP_CODE = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]


def test_a_first_visit_by_a_page_link_runs_through_app_py():
    """AppTest, like a fresh server, starts in Streamlit's pages/ folder mode: the page
    named by the address runs alone unless it leaves that mode and reruns through app.py."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/train.py")  # the address /train, before the session's first run
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Train the network"
    assert "Data" in [c.value for c in at.sidebar.caption]  # app.py's sidebar ran too


def test_no_app_code_touches_streamlits_private_pages_manager():
    """The router uses st.navigation (documented to turn the pages/ folder mode off), not the
    class attribute PagesManager.uses_pages_directory, which Streamlit may change freely."""
    found = [path.name for path in APP_CODE if "PagesManager" in path.read_text()]
    assert found == []
