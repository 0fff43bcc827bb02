"""Text helpers for pages: user-typed text shown as typed, numbers shown honestly."""

import re

from mlcore.quote import shorten
from mlcore.wording import amount, counted, honest_percent, significant  # noqa: F401 (for pages)

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


def done_of(done: float, total: int, noun: str) -> str:
    """ "2.8 of 30 passes", "1 of 1 pass": how far a run is; noun singular ("pass", "step")."""
    return f"{amount(done)} of {counted(total, noun)}"


def probability(p: float) -> str:
    """A softmax probability as every page writes it, text and bar labels alike: "31.1%",
    "99.96%" (never a false "100.0%")."""
    return honest_percent(p, 1)


def full_stop(text: str) -> str:
    """What ends text as a sentence: "." unless it ends in . ? or ! already ("learning rate
    too high?" never becomes "too high?.")."""
    return "" if text.rstrip().endswith((".", "?", "!")) else "."
