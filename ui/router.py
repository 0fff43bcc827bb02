"""Make every page run under app.py's navigation, even on a fresh server's first visit."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure() -> None:
    """Rerun through app.py if this page was started as an old-style page.

    Streamlit treats a folder named pages/ as an old-style multipage app until the main
    script has called st.navigation once: the first visit to /train on a new server would run
    this page alone (no page title, no data in the sidebar, a sidebar listing every file).
    Leaving that mode is what st.navigation does itself (a flag on PagesManager); the rerun
    then goes through app.py, which opens the page the address names.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
