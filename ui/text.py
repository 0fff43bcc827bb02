"""Text helpers for pages: user-typed text shown as typed, never read as Markdown."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^])")


def plain(text: str) -> str:
    """text with every Markdown/LaTeX/directive character backslash-escaped (for st.* alerts)."""
    return _MARKDOWN.sub(r"\\\1", text)
