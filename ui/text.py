"""Text helpers for pages: user-typed text shown as typed, numbers shown honestly."""

import math
import re

from mlcore.quote import shorten

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^])")
# What GFM turns into a link even when every Markdown character is escaped (escapes are gone
# by the time autolinks are found): "://" of a URL, "www.", the "@" of an e-mail address.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_BREAK = "\u200b"  # a zero-width space: the text reads the same, no pattern matches
USER_TEXT_LIMIT = 200  # characters of a user's text shown in an alert


def plain(text: str) -> str:
    """text with every Markdown/LaTeX/directive character backslash-escaped and autolinks
    (http://, www., a@b.c) broken by a zero-width space: shown as typed, never a link."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(_BREAK, text))


def user_text(text: str, limit: int = USER_TEXT_LIMIT) -> str:
    """A user's text (a file name, a link parameter) for an alert: inert, cut to limit."""
    return plain(shorten(text, limit))


def grouped(items: list[str], first: int = 5) -> str:
    """items (plain text) as one Markdown list: the first few, then "… and N more"."""
    lines = [f"- {plain(shorten(item, USER_TEXT_LIMIT))}" for item in items[:first]]
    if len(items) > first:
        lines.append(f"- … and {len(items) - first:,} more")
    return "\n".join(lines)


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


def amount(x: float) -> str:
    """A count that may be fractional, as a person writes it: 2.80064 -> "2.8", 3.0 -> "3",
    0.00426 -> "0.004" (one significant digit below 0.1, never "0.0")."""
    if x == 0 or abs(x) >= 0.1:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.1g}"


def done_of(done: float, total: int, unit: str) -> str:
    """ "2.8 of 30 passes": how far a run is."""
    return f"{amount(done)} of {total:,} {unit}"
