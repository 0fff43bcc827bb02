"""Numbers and counts as a person writes them: one place for the pages, the lessons, the CLI.

"1 iteration", "2 iterations"; 0.99996 as "99.996%", never "100.0%"; 3.7e-05 as "0.000037".
"""

from __future__ import annotations

import math

_ES = ("s", "x", "z", "ch", "sh")  # nouns whose plural adds "es": pass -> passes


def plural(noun: str) -> str:
    """The plural of an English noun of this app: "pass" -> "passes", "step" -> "steps"."""
    return noun + ("es" if noun.endswith(_ES) else "s")


def counted(n: float, noun: str, many: str | None = None) -> str:
    """n and its noun, singular when n reads "1": counted(1, "pass") -> "1 pass",
    counted(2_000, "step") -> "2,000 steps", counted(2.80064, "pass") -> "2.8 passes"
    (a fraction as amount() writes it). many: an irregular plural."""
    number = f"{n:,}" if isinstance(n, int) else amount(n)
    word = noun if number == "1" else (many or plural(noun))  # 0.99996 reads "1 pass" too
    return f"{number} {word}"


def amount(x: float) -> str:
    """A count that may be fractional, as a person writes it: 2.80064 -> "2.8", 3.0 -> "3",
    0.00426 -> "0.004" (one significant digit below 0.1, never "0.0")."""
    if x == 0 or abs(x) >= 0.1:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.1g}"


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


def significant(x: float, digits: int = 2) -> str:
    """x as a plain decimal with `digits` significant digits, so a column of small and
    large values reads one way: 3.725e-05 -> "0.000037", 0.1814 -> "0.18", 207.8 -> "208"
    (digits=2); below 1e-9 (or nan, inf) the exponent form, which stays short."""
    if not math.isfinite(x) or x == 0:
        return "0" if x == 0 else str(x)
    if abs(x) < 1e-9:
        return f"{x:.{digits - 1}e}"
    exponent = math.floor(math.log10(abs(x)))
    decimals = max(digits - 1 - exponent, 0)
    rounded = round(x, decimals)
    if rounded and math.floor(math.log10(abs(rounded))) > exponent:  # 0.0999 -> 0.10
        decimals = max(decimals - 1, 0)
    return f"{rounded:,.{decimals}f}"
