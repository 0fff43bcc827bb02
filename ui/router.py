"""Make every page run under app.py's navigation, even on a fresh server's first visit."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROUTED = "routed_by_app"  # this session has been through app.py at least once


def mark() -> None:
    """Called by app.py on every run."""
    st.session_state[ROUTED] = True


def ensure() -> None:
    """Rerun through app.py if this session's page was started without it.

    Streamlit treats a folder named pages/ as an old-style multipage app until the main
    script has called st.navigation once: the first visit to /train on a new server runs
    this page alone (no page title, no data in the sidebar, a sidebar listing every file).
    Leaving that mode is what st.navigation does itself (a flag on PagesManager); the rerun
    then goes through app.py, which opens the page the address names. (AppTest resets that
    flag before every run; a session that went through app.py once is left alone.)
    """
    if not st.session_state.get(ROUTED):
        PagesManager.uses_pages_directory = False
        st.rerun()
