"""Each of the lab's functions checked on the fixed inputs against the reference.

A check either returns (the function passes) or raises Failed carrying its Finding: the first
failing case decides the sentence. A wrong result is compared with the known mistakes'
results (lab_mistakes.py); an exception is said by lab_errors.py.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from mlcore import lab_errors
from mlcore import lab_reference as ref
from mlcore.lab_mistakes import MISTAKES

TIME_LIMIT = 2.0  # seconds a student's function may take on the tiny inputs
TOTAL_TIME = 6.0  # seconds for all the checks (the sandbox ends a check at 10 s)


@dataclass(frozen=True)
class Finding:
    """One check's outcome: passed, or the sentence naming the likely mistake."""

    name: str  # the function's name, or "gradient check"
    passed: bool
    sentence: str = ""  # "" when passed
    mistake: str = ""  # a lab_mistakes / lab_errors key; "" when passed or not recognised
    shown: tuple[tuple[str, str], ...] = ()  # (label, small array as text): input, expected, got


class Failed(Exception):
    """Raised by a check: its Finding says why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.sentence)
        self.finding = finding


@dataclass
class Context:
    """What the checks share: the student's namespace and lines, and where prints go."""

    namespace: dict
    lines: list[str]
    printed: object = None  # a text stream; the student's prints while checked
    failed: set = field(default_factory=set)
    deadline: float = field(default_factory=lambda: time.monotonic() + TOTAL_TIME)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise lab_errors.TooSlow in the student's code past `seconds` (main thread, POSIX only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise lab_errors.TooSlow(f"{seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def show(value) -> str:
    """A small array (or a tuple of them, or anything) as short text for a sentence."""
    if isinstance(value, (tuple, list)) and value and all(hasattr(v, "shape") for v in value):
        return "(" + ",\n ".join(show(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, suppress_small=True, threshold=30)
    return repr(value)[:200]


def _copies(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def call(ctx: Context, name: str, args: tuple, shown_input: str):
    """The student's name(*args) (copies), or Failed with the exception said in a sentence."""
    function = ctx.namespace.get(name)
    if not callable(function):
        sentence = f"{name} is not in your code: define it (see the skeleton for its signature)."
        raise Failed(Finding(name, False, sentence, "missing"))
    left = ctx.deadline - time.monotonic()
    if left <= 0:
        sentence = f"Not checked: the checks' {TOTAL_TIME:g} s ran out (a function took too long)."
        raise Failed(Finding(name, False, sentence, "out_of_time"))
    try:
        with time_limit(min(TIME_LIMIT, left)), contextlib.redirect_stdout(ctx.printed):
            return function(*_copies(args))
    except Exception as error:  # the student's exception becomes a sentence
        key, sentence = lab_errors.explain(name, error, ctx.lines)
        raise Failed(Finding(name, False, sentence, key, (("input", shown_input),))) from None


def same(expected, got) -> bool:
    """True if got equals expected: the same structure, shapes and numbers (to 1e-6)."""
    if isinstance(expected, tuple):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(expected)
            and all(same(e, g) for e, g in zip(expected, got, strict=True))
        )
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    return got_array.shape == expected.shape and bool(
        np.allclose(got_array, expected, rtol=1e-6, atol=1e-9, equal_nan=True)
    )


def generic(expected, got) -> tuple[str, str]:
    """(key, sentence) for a wrong result no known mistake explains."""
    if got is None:
        return "returns_none", "It returns None: is a `return` missing?"
    if isinstance(expected, tuple) and not isinstance(got, (tuple, list)):
        return "not_a_pair", f"It returns one value where a pair of {len(expected)} was meant."
    if not isinstance(expected, tuple) and isinstance(got, (tuple, list)):
        return "tuple_for_array", lab_errors.TUPLE
    if isinstance(expected, tuple):
        parts = [generic(e, g) for e, g in zip(expected, got, strict=False) if not same(e, g)]
        return parts[0] if parts else ("wrong_values", "The pair differs.")
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return "wrong_type", f"It returns a {type(got).__name__} where an array was meant."
    expected = np.asarray(expected, dtype=np.float64)
    if np.isnan(got_array).any():
        return "nan", "It returns nan (a 0 / 0, an inf - inf, or the log of a negative number)."
    if got_array.shape != expected.shape:
        return (
            "wrong_shape",
            f"It returns shape {got_array.shape} where {expected.shape} was meant.",
        )
    worst = float(np.max(np.abs(got_array - expected)))
    return "wrong_values", f"The shape is right but the numbers differ (by up to {worst:.3g})."


def compare(ctx: Context, name: str, args: tuple, case: str, expected, got) -> None:
    """Return if got is right; else Failed naming the known mistake got matches, if any."""
    if same(expected, got):
        return
    shown = (("input", show(args[0]) if len(args) == 1 else case), ("expected", show(expected)))
    shown += (("got", show(got)),)
    for mistake in MISTAKES.get(name, []):
        try:
            with np.errstate(all="ignore"):
                produced = mistake.produce(*_copies(args))
        except Exception:  # a mistake that cannot happen on this input
            continue
        if same(produced, got):
            raise Failed(Finding(name, False, f"On {case}: {mistake.sentence}", mistake.key, shown))
    key, sentence = generic(expected, got)
    raise Failed(Finding(name, False, f"On {case}: {sentence}", key, shown))


def check_against_reference(ctx: Context, name: str, args: tuple, case: str) -> None:
    """The student's name(*args) against the reference's, on one case."""
    with np.errstate(all="ignore"):
        expected = getattr(ref, name)(*_copies(args))
        got = call(ctx, name, args, show(args[0]) if len(args) == 1 else case)
    compare(ctx, name, args, case, expected, got)
