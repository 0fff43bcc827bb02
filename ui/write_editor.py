"""Where the student's code comes from: the code editor holding the skeleton, or a paste box.

The editor is streamlit-code-editor (Ace, bundled in the wheel: Python highlighting with no
request to a CDN, so it works offline and on a class network; see requirements.txt). It sends
its text on blur and after a pause in typing, so pressing Check right after typing checks
what was typed.
"""

from __future__ import annotations

import streamlit as st
from code_editor import code_editor

from mlcore.check import skeleton
from ui import keys

MODES = {"editor": "Write in the editor", "paste": "Paste a notebook's cells"}
PASTE_HELP = (
    "Paste your notebook's code cells, first cells included: imports of gdown, matplotlib or "
    "seaborn, !mkdir and %matplotlib lines and data loading are skipped, each with a sentence."
)


def mode() -> str:
    return st.radio(
        "Your code",
        list(MODES),
        format_func=MODES.get,
        horizontal=True,
        key=keys.WRITE_MODE,
        label_visibility="collapsed",
    )


def editor_source() -> str:
    """The editor's text (the skeleton until the student edits it)."""
    start = st.session_state.get(keys.WRITE_TEXT) or skeleton()
    response = code_editor(
        start,
        lang="python",
        height=[24, 48],  # lines: grows with the code up to 48, then scrolls
        response_mode=["blur", "debounce"],
        options={"wrap": False, "showLineNumbers": True, "tabSize": 4},
        key=keys.WRITE_EDITOR,
    )
    text = (response or {}).get("text") or ""
    if text:
        st.session_state[keys.WRITE_TEXT] = text
    return st.session_state.get(keys.WRITE_TEXT) or start


def paste_source() -> str:
    return st.text_area(
        "Your notebook's code",
        height=320,
        key=keys.WRITE_PASTE,
        help=PASTE_HELP,
        placeholder="import numpy as np\n\ndef prepend_bias(X):\n    ...",
    )


def source() -> str:
    """The code to check and train: from the editor or from the paste box."""
    return editor_source() if mode() == "editor" else paste_source()
