"""The app's pages, and every page run under app.py's navigation, even on a first visit.

Streamlit treats a folder named pages/ next to the entry point as an old-style multipage
app until some session calls st.navigation (documented: "As soon as any session of your app
executes the st.navigation command, your app will ignore the pages/ directory (across all
sessions)"). The project keeps its page scripts in pages/, so the first visit to /train on
a new server runs pages/train.py alone: no page title, no data in the sidebar, a sidebar
listing every file. ensure() then calls st.navigation itself, the public way out of that
mode, and reruns through app.py, which opens the page the address names.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import keys, teacher

# The browser tab's icon, shipped: a page_icon (or, before it is set, a page's own icon) like
# ":material/…:" makes the browser fetch it from fonts.gstatic.com (offline: none, an error).
ICON = str(Path(__file__).resolve().parent.parent / "assets" / "favicon.png")


def pages() -> list:
    """The app's pages for st.navigation, Home first (the Class page with a teacher's key)."""
    return [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/monitoring:"),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:"),
        st.Page("pages/softmax.py", title="Softmax", icon=":material/functions:"),
        st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
        st.Page("pages/inside.py", title="Inside the network", icon=":material/biotech:"),
        st.Page("pages/write.py", title="Write it yourself", icon=":material/code:"),
        *teacher.pages(),
    ]


def navigate() -> st.Page:
    """app.py's navigation: the page the address names (marks the session as routed)."""
    st.session_state[keys.ROUTED] = True
    return st.navigation(pages())


def ensure() -> None:
    """Rerun through app.py if this session's page was started without it (see above)."""
    if not st.session_state.get(keys.ROUTED):
        st.set_page_config(page_icon=ICON)  # else the browser takes the page's icon, fetched
        st.navigation(pages())  # from now on pages/ is not auto-discovered, in any session
        st.rerun()
