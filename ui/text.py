"""Text helpers for pages: user-typed text shown as typed, numbers shown honestly."""

import math
import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^])")


def plain(text: str) -> str:
    """text with every Markdown/LaTeX/directive character backslash-escaped (for st.* alerts)."""
    return _MARKDOWN.sub(r"\\\1", text)


def honest_percent(p: float, decimals: int = 2) -> str:
    """p in [0, 1] as a percentage that never rounds up to 100% (or down to 0%) falsely.

    0.99996 -> "99.996%", not "100.00%": digits are added until the rounding is honest;
    past 6 decimals it says "> 99.999999%".
    """
    if not math.isfinite(p):
        return str(p)
    for d in range(decimals, 7):
        text = f"{100 * p:.{d}f}"
        if (float(text) < 100 or p >= 1) and (float(text) > 0 or p <= 0):
            return f"{text}%"
    return "> 99.999999%" if p > 0.5 else "< 0.000001%"
