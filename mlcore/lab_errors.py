"""An exception a student's function raised, said in the lab's terms: one sentence, no traceback.

The sentence names the line of their code that raised (the last frame in their source) and,
where the message matches a known mistake, what to change. Keys match lab_mistakes.py's.
"""

from __future__ import annotations

import traceback

from mlcore.notebook import SOURCE_NAME


class TooSlow(Exception):
    """A student's function did not return within the check's time limit."""


def where(error: BaseException, source_lines: list[str]) -> str:
    """'line 12 (`return ...`)' for the last line of the student's code in the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == SOURCE_NAME]
    if not frames or not frames[-1].lineno or frames[-1].lineno > len(source_lines):
        return ""
    number = frames[-1].lineno
    return f"line {number} (`{source_lines[number - 1].strip()[:70]}`)"


TUPLE = (
    "A tuple arrived where an array was meant. forward returns the pair (y_hat, h): unpack it "
    "first, y_hat, h = forward(X, w1, w2), and pass y_hat on: loss(Y, y_hat)."
)
ONE_D = (
    "A single sample is 1-D, shape (3,), and has no axis 1. Sum (and take the max) over "
    "axis=-1, the last axis, with keepdims=True: then one sample and a batch both work."
)
KEEPDIMS = (
    "The (n, k) array cannot be divided by a sum of shape (n,): keep the summed axis, "
    "np.sum(..., axis=1, keepdims=True) or .reshape(-1, 1): each row divided by its own sum."
)
BIAS_ROW = (
    "w2 still has its bias row when going back: (y_hat - Y) @ w2.T is (n, H + 1) but h is (n, H). "
    "Skip the bias row, which no hidden unit feeds: w2[1:].T."
)
NO_BIAS = (
    "The shapes of a matrix product do not fit: w1 has one row more than X has columns (its first "
    "row is the bias). Prepend the bias column first: prepend_bias(X) @ w1, prepend_bias(h) @ w2."
)


def _known(name: str, error: BaseException, message: str) -> tuple[str, str] | None:
    """(key, sentence) for an exception that matches a known mistake, else None."""
    kind = type(error).__name__
    if isinstance(error, NotImplementedError):
        return "not_written", f"{name} is not written yet: it still raises NotImplementedError."
    if isinstance(error, TooSlow):
        return (
            "too_slow",
            f"{name} did not return within {message} on a tiny input: an endless loop?",
        )
    if kind == "AxisError":
        return "one_d_sample", ONE_D
    if "tuple" in message or "inhomogeneous" in message:
        return "tuple_for_array", TUPLE
    if "could not be broadcast" in message and name == "back":
        return "bias_row_not_skipped", BIAS_ROW
    if "could not be broadcast" in message and name == "softmax":
        return "keepdims", KEEPDIMS
    if "mismatch in its core dimension" in message or "not aligned" in message:
        return "bias_missing", NO_BIAS
    if any(s in message for s in ("size-1 arrays", "length-1 arrays", "0-dimensional arrays")):
        return "math_exp", "math.exp takes one number; np.exp works on a whole array."
    if isinstance(error, NameError):
        return "undefined_name", f"{message}: a name from another cell, or a typo?"
    if isinstance(error, RecursionError):
        return "recursion", "It calls itself without end: does a variable shadow a function's name?"
    return None


def explain(name: str, error: BaseException, source_lines: list[str]) -> tuple[str, str]:
    """(key, sentence) for an exception raised by the student's `name` ("" key if unknown)."""
    message = str(error).strip().splitlines()[0].strip() if str(error).strip() else ""
    at = where(error, source_lines)
    said = f"{name} raised {type(error).__name__}" + (f" at {at}" if at else "")
    said += f": {message[:160]}." if message else "."
    known = _known(name, error, message)
    if known is None:
        return "", said
    if known[0] in ("not_written", "too_slow"):
        return known
    return known[0], f"{said} {known[1]}"
