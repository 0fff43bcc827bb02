"""User text quoted in a message: cut to a readable length, saying how long it was."""

from __future__ import annotations

QUOTE_LIMIT = 80  # characters of a value quoted inside a sentence (a cell, a link parameter)


def shorten(text: str, limit: int = 200) -> str:
    """text, or its first limit characters then "… (N characters)" when it is longer."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """repr(text) as a message quotes it; a long text cut, e.g. 'abc…' (100,000 characters)."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
